"""Scenes as the rest of the client sees them: loaded, validated, and looked up by id."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from metaseoul.i18n import _
from metaseoul.scenes import gltf_check, validate
from metaseoul.scenes.errors import SceneError, SceneInvalid, UnknownName, json_path


def builtin_dir() -> Path:
    return Path(str(resources.files("metaseoul.scenes") / "builtin"))


def assets_dir() -> Path:
    """The assets folder: packaged inside ``metaseoul`` in a wheel, beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "assets"
    return installed if installed.is_dir() else package.parent / "assets"


@lru_cache(maxsize=1)
def material_library() -> dict[str, dict]:
    return json.loads((resources.files("metaseoul.scenes") / "materials.json").read_text("utf-8"))


@dataclass(frozen=True)
class Scene:
    """A validated scene document and where it came from."""

    doc: dict
    source: Path
    materials: dict[str, dict] = field(repr=False)

    @property
    def id(self) -> str:
        return self.doc["id"]

    @property
    def name(self) -> dict[str, str]:
        return self.doc["name"]

    @property
    def objects(self) -> list[dict]:
        return self.doc["objects"]

    @property
    def portals(self) -> list[dict]:
        return self.doc.get("portals", [])

    @property
    def environment(self) -> dict:
        return self.doc.get("environment", {})

    def spawn(self, name: str | None = None) -> dict:
        """The named spawn point, or the first one."""
        spawns = self.doc["spawns"]
        if name is None:
            return spawns[0]
        for spawn in spawns:
            if spawn["name"] == name:
                return spawn
        raise UnknownName(_("scene {id!r} has no spawn {spawn!r}").format(id=self.id, spawn=name))

    @property
    def views(self) -> list[dict]:
        return self.doc["views"]

    def view(self, name: str) -> dict:
        for view in self.views:
            if view["name"] == name:
                return view
        raise UnknownName(_("scene {id!r} has no view {view!r}; it has {views}").format(
            id=self.id, view=name, views=", ".join(v["name"] for v in self.views)))

    def asset(self, relative: str) -> Path:
        """The file an object names, confined to the scene's folder and the assets folder."""
        return validate.locate_asset(relative, self.source.parent, [assets_dir()])


def _spawn_names(doc: dict) -> set[str]:
    return {s["name"] for s in doc.get("spawns", []) if isinstance(s, dict) and "name" in s}


def _scene_ids(docs: Iterable[tuple[Path, object]]) -> dict[str, set[str]]:
    ids = {}
    for _path, doc in docs:
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            ids[doc["id"]] = _spawn_names(doc)
    return ids


@lru_cache(maxsize=1)
def _builtin_docs() -> tuple[tuple[Path, dict], ...]:
    paths = sorted(builtin_dir().glob("*.json"))
    return tuple((p, validate.read_json(p)) for p in paths)


def _neighbours(paths: list[Path]) -> list[tuple[Path, object]]:
    """Scene documents in the folders of ``paths`` (unreadable files are skipped)."""
    found = []
    for folder in {p.parent for p in paths} - {builtin_dir()}:  # the built-ins are read once, cached
        for path in folder.glob("*.json"):
            if path.is_file():
                try:
                    found.append((path, validate.read_json(path)))
                except SceneInvalid:
                    continue
    return found


def _check(parsed: list[tuple[Path, object]], paths: list[Path]) -> dict[Path, list]:
    neighbours = _neighbours(paths)
    known = _scene_ids(_builtin_docs()) | _scene_ids(neighbours) | _scene_ids(parsed)
    files = {doc["id"]: (p, doc) for p, doc in [*neighbours, *parsed] if isinstance(doc, dict) and isinstance(doc.get("id"), str)}
    return {path: _problems(path, doc, known) or _broken_targets(path, doc, files, known) for path, doc in parsed}


def _broken_targets(path: Path, doc: dict, files: dict[str, tuple[Path, object]], known: dict) -> list:
    """Portals to a scene file beside this one that fails its own checks (built-ins are valid; the
    target's models and its own portals are not followed, so one bad file is not read again and again)."""
    errors = []
    for i, portal in enumerate(doc.get("portals", [])):
        target_path, target = files.get(portal["to"], (path, None))
        if target_path == path:
            continue
        problems = validate.check(target, str(target_path), base_dir=target_path.parent, scenes=known,
                                  asset_dirs=[assets_dir()], materials=material_library())
        if problems:
            errors.append(SceneError(str(path), json_path(["portals", i, "to"]), _(
                "the portal {portal!r} leads to {id!r}, which is not valid: {problem}").format(
                portal=portal["id"], id=portal["to"], problem=problems[0])))
    return errors


def _problems(path: Path, doc: object, known: dict[str, set[str]]) -> list:
    """Every problem with one parsed scene; its models are opened only when the rest is sound."""
    errors = validate.check(doc, str(path), base_dir=path.parent, scenes=known,
                            asset_dirs=[assets_dir()], materials=material_library())
    return errors or gltf_check.scene_errors(doc, str(path), path.parent, [assets_dir()])


def check_files(paths: Iterable[Path]) -> dict[Path, list]:
    """Validate scene files; portals may lead to a built-in scene or a scene in the same folder."""
    paths = list(paths)
    parsed: list[tuple[Path, object]] = []
    errors: dict[Path, list] = {}
    for path in paths:
        try:
            parsed.append((path, validate.read_json(path)))
        except SceneInvalid as exc:
            errors[path] = exc.errors
    return errors | _check(parsed, paths)


def load_file(path: Path) -> Scene:
    """Load and validate one scene file, raising :class:`SceneInvalid` with every problem."""
    path = Path(path)
    doc = validate.read_json(path)
    validate.raise_for(_check([(path, doc)], [path])[path])
    return Scene(doc=doc, source=path, materials=material_library() | doc.get("materials", {}))


def builtin_ids() -> list[str]:
    return [doc["id"] for _path, doc in _builtin_docs()]


def load(scene: str, near: Path | None = None) -> Scene:
    """A scene by id (from the folder ``near``, else the built-ins) or by file path."""
    if near is not None and near != builtin_dir():
        for path in sorted(near.glob("*.json")):
            try:
                if validate.read_json(path).get("id") == scene:
                    return load_file(path)
            except (SceneInvalid, AttributeError):
                continue
    for path, doc in _builtin_docs():
        if doc.get("id") == scene:
            return load_file(path)
    path = Path(scene)
    if path.suffix == ".json" or path.exists():
        return load_file(path)
    raise UnknownName(_("no built-in scene {id!r}; built-in scenes: {ids}").format(id=scene, ids=", ".join(builtin_ids())))
