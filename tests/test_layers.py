"""The package's layers: imports point down only, so the runtime can be shared and presenters swapped.
Read from the source with ast (every import, inside functions too), not from what happens to be loaded."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "metaseoul"
# lowest first; a part may import only parts of lower layers (and itself)
LAYERS = [
    {"paths"},
    {"i18n"},
    {"errors"},
    {"settings"},
    {"scenes", "backend"},
    {"runtime"},
    {"accessibility"},
    {"visit"},
    {"xr"},
    {"client"},
    {"launcher"},
    {"cli", "__init__", "__main__"},
]
ALLOWED_SIDEWAYS = {("backend", "scenes")}  # the reference backend serves the scene catalogue
TOP_LEVEL = {"__init__", "__main__", "cli"}  # modules that may import anything (the package itself, the command)


def part(module: str) -> str:
    """``metaseoul.client.app`` -> ``client``; ``metaseoul.settings`` -> ``settings``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def layer(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if name in names)


def is_part(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def imports() -> set[tuple[str, str, str]]:
    """(importing part, imported part, file) for every import of metaseoul inside metaseoul."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = part(".".join(relative.parts))
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "metaseoul":  # from metaseoul import i18n
                names = [f"metaseoul.{alias.name}" for alias in node.names if is_part(alias.name)]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.startswith("metaseoul.") and part(name) != source:
                    found.add((source, part(name), str(relative)))
    return found


def test_every_part_is_in_a_layer():
    parts = {part(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)) for p in PACKAGE.rglob("*.py")}
    assert parts <= set().union(*LAYERS), f"put {parts - set().union(*LAYERS)} in a layer"


def test_imports_point_down_only():
    upward = sorted(f"{file}: {source} imports {target}" for source, target, file in imports()
                    if source not in TOP_LEVEL and (source, target) not in ALLOWED_SIDEWAYS
                    and layer(target) >= layer(source))
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The rule can fail: a runtime module that imports the client is caught."""
    fake = tmp_path / "metaseoul"
    (fake / "runtime").mkdir(parents=True)
    (fake / "runtime" / "bad.py").write_text("def f():\n    from metaseoul.client import desktop\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert ("runtime", "client", "metaseoul/runtime/bad") in imports()
