"""Scenes as the rest of the client sees them: loaded, validated, and looked up by id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from metaseoul.i18n import _
from metaseoul.scenes import footing, gltf_check, safe_read, validate
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


def _spawn_names(doc: object) -> set[str]:
    spawns = doc.get("spawns", []) if isinstance(doc, dict) else []
    return {s["name"] for s in spawns if isinstance(s, dict) and isinstance(s.get("name"), str)} \
        if isinstance(spawns, list) else set()


@lru_cache(maxsize=1)
def _builtin_docs() -> tuple[tuple[Path, dict], ...]:
    paths = sorted(builtin_dir().glob("*.json"))
    return tuple((p, validate.read_json(p)) for p in paths)


def _builtin_paths() -> dict[str, Path]:
    return {doc["id"]: path for path, doc in _builtin_docs()}


def _scene_id(path: Path) -> str | None:
    """The id a scene file declares, read without the checks (bounded like every scene file); None for
    a file that is unreadable or no scene."""
    try:
        doc = json.loads(safe_read.read_bytes(path, safe_read.SCENE_FILE_LIMIT).decode("utf-8"))
    except (safe_read.Unreadable, ValueError, RecursionError):  # UnicodeDecodeError, JSONDecodeError are ValueErrors
        return None
    ident = doc.get("id") if isinstance(doc, dict) else None
    return ident if isinstance(ident, str) else None


class _AnySpawn(frozenset):
    """The spawns of a file that cannot be read: no portal is refused for one here, since the portal's
    own error (see :func:`_broken_targets`) says what is wrong with that file."""

    def __contains__(self, name: object) -> bool:
        return True


class _Scenes(Mapping):
    """Every scene a portal may lead to, id → spawn names: the built-ins, then the files of the folder.
    A file's id is read cheaply; the whole file only when a portal leads there (its spawns are asked)."""

    def __init__(self, files: dict[str, Path], parsed: dict[Path, object]):
        self.files, self._parsed = files, parsed
        self._spawns = {doc["id"]: _spawn_names(doc) for _path, doc in _builtin_docs()}

    def doc(self, ident: str) -> tuple[Path, object] | None:
        """The parsed file with ``ident`` beside the scenes checked (not a built-in), or None."""
        path = self.files.get(ident)
        if path is None:
            return None
        if path not in self._parsed:
            try:
                self._parsed[path] = validate.read_json(path)
            except SceneInvalid:
                self._parsed[path] = None
        return path, self._parsed[path]

    def __getitem__(self, ident: str) -> set[str]:
        if ident not in self._spawns:
            found = self.doc(ident) if ident in self.files else None
            if found is None:
                raise KeyError(ident)
            self._spawns[ident] = _spawn_names(found[1]) if found[1] is not None else _AnySpawn()
        return self._spawns[ident]

    def __iter__(self):
        return iter(set(self._spawns) | set(self.files))

    def __len__(self) -> int:
        return len(set(self._spawns) | set(self.files))


def _folder_ids(folders: set[Path]) -> dict[Path, str]:
    """The id of every scene file in ``folders`` but the built-ins' (which are read once, cached)."""
    found = {}
    for folder in folders - {builtin_dir()}:
        for path in sorted(folder.glob("*.json")):
            ident = _scene_id(path)
            if ident is not None:
                found[path] = ident
    return found


def _check(parsed: list[tuple[Path, object]], paths: list[Path]) -> dict[Path, list]:
    ids = _folder_ids({p.parent for p in paths})
    ids |= {p: doc["id"] for p, doc in parsed if isinstance(doc, dict) and isinstance(doc.get("id"), str)}
    known = _Scenes({ident: path for path, ident in ids.items() if ident not in _builtin_paths()}, dict(parsed))
    return {path: _problems(path, doc, known) or _id_clashes(path, doc, ids) or _broken_targets(path, doc, known)
            for path, doc in parsed}


def _id_clashes(path: Path, doc: dict, ids: dict[Path, str]) -> list:
    """A second file with this id in the folder, or a built-in's id: which scene would a portal open?"""
    builtin = _builtin_paths().get(doc["id"])
    if builtin is not None and builtin.resolve() != path.resolve():
        return [SceneError(str(path), "id", _(
            "{id!r} is the id of the built-in scene {other}: give this scene an id of its own").format(
            id=doc["id"], other=builtin.name))]
    others = sorted(other.name for other, ident in ids.items()
                    if ident == doc["id"] and other.parent == path.parent and other.resolve() != path.resolve())
    if others:
        return [SceneError(str(path), "id", _(
            "{files} in the same folder has the id {id!r} too: give each scene an id of its own").format(
            files=", ".join(others), id=doc["id"]))]
    return []


def _broken_targets(path: Path, doc: dict, known: _Scenes) -> list:
    """Portals to a scene file beside this one that fails its own checks (built-ins are valid; the
    target's models and its own portals are not followed, so one bad file is not read again and again)."""
    errors = []
    for i, portal in enumerate(doc.get("portals", [])):
        found = known.doc(portal["to"])
        if found is None or found[0] == path:
            continue
        target_path, target = found
        problems = validate.check(target, str(target_path), base_dir=target_path.parent, scenes=known,
                                  asset_dirs=[assets_dir()], materials=material_library()) if target is not None \
            else _unparsed(target_path)
        if problems:
            errors.append(SceneError(str(path), json_path(["portals", i, "to"]), _(
                "the portal {portal!r} leads to {id!r}, which is not valid: {problem}").format(
                portal=portal["id"], id=portal["to"], problem=problems[0])))
    return errors


def _unparsed(path: Path) -> list:
    try:
        validate.read_json(path)
    except SceneInvalid as exc:
        return exc.errors
    return []


def _problems(path: Path, doc: object, known: Mapping[str, set[str]]) -> list:
    """Every problem with one parsed scene; its models are opened only when the rest is sound, and
    its spawns judged against what the builders make only when the models are sound."""
    errors = validate.check(doc, str(path), base_dir=path.parent, scenes=known,
                            asset_dirs=[assets_dir()], materials=material_library())
    errors = errors or gltf_check.scene_errors(doc, str(path), path.parent, [assets_dir()])
    return errors or footing.built_errors(doc, str(path), lambda name: validate.locate_asset(
        name, path.parent, [assets_dir()]))


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
    """A scene by id (a built-in, else one in the folder ``near``) or by file path."""
    if scene in _builtin_paths():  # a file in the folder cannot stand in for a built-in (validation refuses it)
        return load_file(_builtin_paths()[scene])
    if near is not None:
        for path, ident in _folder_ids({near}).items():
            if ident == scene:
                return load_file(path)
    path = Path(scene)
    if path.suffix == ".json" or path.exists():
        return load_file(path)
    raise UnknownName(_("no built-in scene {id!r}; built-in scenes: {ids}").format(id=scene, ids=", ".join(builtin_ids())))
