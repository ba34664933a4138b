"""Validation of scene files: the JSON Schema first, then what a schema cannot say.

Every problem becomes a :class:`SceneError` naming the file, the path to the field and what was
expected, worded for the citizens and staff who author scenes rather than for schema experts.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import jsonschema
from referencing import Registry, Resource

from metaseoul.i18n import _
from metaseoul.scenes import footing, image_header, safe_read, shell
from metaseoul.scenes.errors import SceneError, SceneInvalid, json_path, path_order


FORMATS = (1, 2)  # every format version still read; the last is what ``migrate`` writes


def upgrade(doc: dict) -> dict:
    """``doc`` in the newest format, its keys in their order. Format 2 only adds to format 1, so a
    valid format 1 scene means the same with its ``format`` changed (and a ``$schema`` that names
    scene-1.schema.json now naming the newest schema beside it)."""
    old, new = f"scene-{doc['format']}.schema.json", f"scene-{FORMATS[-1]}.schema.json"

    def value(key: str, given: Any) -> Any:
        if key == "format":
            return FORMATS[-1]
        if key == "$schema" and isinstance(given, str) and given.endswith(old):
            return given[: -len(old)] + new
        return given

    return {key: value(key, given) for key, given in doc.items()}


@lru_cache(maxsize=None)
def schema(version: int = FORMATS[-1]) -> dict:
    text = (resources.files("metaseoul.scenes") / "schema" / f"scene-{version}.schema.json").read_text("utf-8")
    return json.loads(text)


def format_of(doc: Any) -> int:
    """The format a document is checked against: the one it names, else the newest (whose error says so)."""
    version = doc.get("format") if isinstance(doc, dict) else None
    return version if version in FORMATS and not isinstance(version, bool) else FORMATS[-1]


@lru_cache(maxsize=None)
def _validator(version: int = FORMATS[-1]) -> jsonschema.Draft202012Validator:
    """A validator for one format; later formats refer to the earlier schemas they extend."""
    registry = Registry().with_resources(
        (schema(v)["$id"], Resource.from_contents(schema(v))) for v in FORMATS)
    return jsonschema.Draft202012Validator(schema(version), registry=registry)


def _object_defs(version: int) -> dict:
    """Object type definitions of ``version`` and of every format before it."""
    defs: dict = {}
    for v in FORMATS[:FORMATS.index(version) + 1]:
        defs |= schema(v)["$defs"]
    return defs


def _no_constant(name: str):
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


class _Object(dict):
    """A parsed JSON object that remembers keys it saw twice (``json`` would keep the last silently)."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(k for k, _v in pairs if k in seen or seen.add(k))
    return obj


def _duplicate_keys(node: Any, at: list) -> Iterable[str]:
    """Field paths of every key given twice in one object, in document order."""
    if isinstance(node, dict):
        for key in getattr(node, "duplicates", ()):
            yield json_path(at + [key])
        for key, value in node.items():
            yield from _duplicate_keys(value, at + [key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _duplicate_keys(value, at + [i])


def read_json(path: Path, limit: int = safe_read.SCENE_FILE_LIMIT) -> Any:
    """Parse a JSON file that is a regular file of at most ``limit`` bytes (see :func:`parse_json`)."""
    try:
        data = safe_read.read_bytes(path, limit)
    except safe_read.Unreadable as exc:
        raise SceneInvalid([SceneError(str(path), "", str(exc))]) from None
    return parse_json(data, str(path))


def parse_json(data: bytes, where: str) -> Any:
    """Parse JSON; syntax errors name the line and column. NaN and infinities are refused:
    they would pass every range check (comparisons with NaN are false) and break the geometry.
    A key given twice is refused too: the second would silently replace the first."""
    def fail(at: str, message: str) -> SceneInvalid:
        return SceneInvalid([SceneError(at, "", message)])

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(where, _("not UTF-8 text (byte {byte}): save the file as UTF-8").format(byte=exc.start)) from None
    try:
        doc = json.loads(text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise fail(f"{where}:{exc.lineno}:{exc.colno}", _("invalid JSON: {problem}").format(problem=exc.msg)) from None
    except ValueError as exc:
        raise fail(where, _("{value} is not a number a scene may use").format(value=exc.args[0])) from None
    except RecursionError:
        raise fail(where, _("nested too deeply to be a scene")) from None
    duplicates = [SceneError(where, at, _("this field is given twice; keep only one"))
                  for at in _duplicate_keys(doc, [])]
    if duplicates:
        raise SceneInvalid(duplicates)
    return doc


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(error: jsonschema.ValidationError) -> str:
    """A plain sentence for one schema error."""
    kind, arg, got = error.validator, error.validator_value, error.instance
    hint = _(error.schema["description"]) if isinstance(error.schema, dict) and "description" in error.schema else None
    if kind == "type":
        names = {"number": _("a number"), "integer": _("a whole number"), "string": _("text"),
                 "object": _("an object"), "array": _("a list"), "boolean": _("true or false")}
        wanted = _(" or ").join(names.get(t, t) for t in ([arg] if isinstance(arg, str) else arg))
        return _("expected {what}, got {got}").format(what=hint or wanted, got=_describe(got))
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[kind]
        return _("expected {what} ({sign} {limit}), got {got}").format(
            what=hint or _("a number"), sign=sign, limit=arg, got=_describe(got))
    if kind == "enum":
        return _("expected one of {choices}; got {got}").format(choices=", ".join(map(str, arg)), got=_describe(got))
    if kind == "const":
        return _("expected {what}, got {got}").format(what=hint or _describe(arg), got=_describe(got))
    if kind in ("minItems", "maxItems"):
        wanted = _("at least {n} item(s)") if kind == "minItems" else _("at most {n} item(s)")
        return _("expected {what} with {count}, got {got}").format(
            what=hint or _("a list"), count=wanted.format(n=arg), got=len(got))
    if kind in ("pattern", "minLength", "propertyNames"):
        return _("expected {what}, got {got}").format(what=hint or _("different text"), got=_describe(got))
    return error.message


def _known_object_fields(object_type: str, version: int) -> set[str]:
    defs = _object_defs(version)
    known = set(schema(version)["$defs"]["object"]["properties"])
    known |= set(defs.get(f"type-{object_type}", {}).get("properties", {}))
    return known


def schema_errors(doc: Any, file: str, validator: jsonschema.Draft202012Validator | None = None) -> list[SceneError]:
    """Problems against the JSON Schema (the scene format's unless another ``validator`` is given,
    as for sign lexicons), one per field, in document order."""
    version = format_of(doc)
    found: list[SceneError] = []
    for error in (validator or _validator(version)).iter_errors(doc):
        found.extend(_errors_from(error, file, version))
    unique = {(e.path, e.message): e for e in found}
    return sorted(unique.values(), key=lambda e: path_order(e.path))


def _errors_from(error: jsonschema.ValidationError, file: str, version: int) -> list[SceneError]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return [SceneError(file, json_path(path + [missing]), _("missing required field"))]
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        instance = error.instance
        allowed: set[str]
        if error.validator == "unevaluatedProperties":
            object_type = instance.get("type")
            if object_type not in schema(version)["$defs"]["object"]["properties"]["type"]["enum"]:
                return []  # the unknown type is the problem; its fields cannot be judged
            allowed = _known_object_fields(object_type, version)
        else:
            allowed = set(error.schema.get("properties", {}))
        return [
            SceneError(file, json_path(path + [key]), _("unknown field"))
            for key in instance
            if key not in allowed
        ]
    if error.validator == "enum" and path and path[-1] == "type" and "objects" in path:
        return [SceneError(file, json_path(path), _("unknown object type {got}; expected one of {choices}").format(
            got=_describe(error.instance), choices=", ".join(error.validator_value)))]
    if error.validator in ("allOf", "anyOf", "oneOf", "if", "then"):
        return [e for sub in error.context or [] for e in _errors_from(sub, file, version)]
    return [SceneError(file, json_path(path), _expected(error))]


def semantic_errors(
    doc: dict,
    file: str,
    base_dir: Path,
    scenes: Mapping[str, set[str]],
    asset_dirs: Iterable[Path],
    materials: Iterable[str],
) -> list[SceneError]:
    """What the schema cannot check: unique ids and names, references, assets, geometry that fits.

    ``scenes`` maps every scene id a portal may lead to onto that scene's spawn names.
    """
    errors: list[SceneError] = []

    def err(path: list, message: str) -> None:
        errors.append(SceneError(file, json_path(path), message))

    seen_ids: dict[str, str] = {}
    for section in ("objects", "portals", "lights"):
        for i, item in enumerate(doc.get(section, [])):
            ident = item.get("id")
            if ident in seen_ids:
                err([section, i, "id"], _("duplicate id {id!r} (first used at {where})").format(id=ident, where=seen_ids[ident]))
            else:
                seen_ids[ident] = json_path([section, i])
    for section in ("spawns", "views"):
        seen: dict[str, int] = {}
        for i, item in enumerate(doc.get(section, [])):
            if item["name"] in seen:
                err([section, i, "name"], _("duplicate name {name!r} (first used at {where})").format(
                    name=item["name"], where=json_path([section, seen[item["name"]]])))
            seen.setdefault(item["name"], i)

    for i, view in enumerate(doc.get("views", [])):
        if list(view["look_at"]) == list(view["position"]):
            err(["views", i, "look_at"], _("expected a point to look at away from the camera's position"))

    known_materials = set(materials) | set(doc.get("materials", {}))
    for i, obj in enumerate(doc.get("objects", [])):
        refs = [("material", obj["material"])] if "material" in obj else []
        refs += [(f"materials.{slot}", name) for slot, name in obj.get("materials", {}).items()]
        for where, name in refs:
            if name not in known_materials:
                err(["objects", i] + where.split("."), _("unknown material {name!r}").format(name=name))
        if obj["type"] == "model":
            try:
                locate_asset(obj["model"], base_dir, asset_dirs)
            except safe_read.Unreadable as exc:
                err(["objects", i, "model"], str(exc))
        if obj["type"] == "korean-gate":
            errors.extend(_gate_errors(obj, file, ["objects", i]))
        if obj["type"] == "picture":
            problem = _picture_problem(obj["image"], base_dir, asset_dirs)
            if problem is not None:
                err(["objects", i, "image"], problem)
    errors.extend(_screen_name_errors(doc, file))

    for i, portal in enumerate(doc.get("portals", [])):
        target = portal["to"]
        if target not in scenes:
            err(["portals", i, "to"], _("portal to unknown scene {id!r}; known scenes: {known}").format(
                id=target, known=", ".join(sorted(scenes))))
        elif "spawn" in portal and portal["spawn"] not in scenes[target]:
            err(["portals", i, "spawn"], _("scene {id!r} has no spawn {spawn!r}; it has {spawns}").format(
                id=target, spawn=portal["spawn"], spawns=", ".join(sorted(scenes[target]))))

    for i, obj in enumerate(doc.get("objects", [])):
        if "points" in obj:
            problem = _path_problem(obj["points"])
            if problem is not None:
                j, message = problem
                err(["objects", i, "points", j], message)

    for i, spawn in enumerate(doc.get("spawns", [])):
        for portal in doc.get("portals", []):
            if _inside(spawn["position"], portal):
                err(["spawns", i, "position"], _("spawn point stands inside portal {id!r}: arriving there would "
                                                 "leave again at once").format(id=portal["id"]))

    bounds = doc.get("bounds")
    if bounds:
        lo, hi = bounds["min"], bounds["max"]
        if lo[0] >= hi[0] or lo[1] >= hi[1]:
            err(["bounds"], _("expected min to be south-west of max"))
        for i, spawn in enumerate(doc.get("spawns", [])):
            x, y, _z = spawn["position"]
            if not (lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1]):
                err(["spawns", i, "position"], _("spawn point lies outside the scene bounds"))
    return errors + _light_errors(doc, file) + footing.errors(doc, file) + shell.errors(doc, file)


MAX_LIGHTS = 64  # lights in one scene; the shader lights each frame with the nearest 16
MAX_SHADOWED_LIGHTS = 4  # each one renders the scene again into its shadow map every frame
_KIND_FIELDS = {"angle": ("spot",), "softness": ("spot",), "size": ("area",), "aim": ("spot", "area")}


def _light_errors(doc: dict, file: str) -> list[SceneError]:
    """Lights: fields that fit their kind, an aim away from the lamp, inside the bounds, within the budgets."""
    lights = doc.get("lights", [])
    errors = []

    def err(path: list, message: str) -> None:
        errors.append(SceneError(file, json_path(path), message))

    if len(lights) > MAX_LIGHTS:
        err(["lights"], _("{count} lights; a scene may have at most {limit}").format(count=len(lights), limit=MAX_LIGHTS))
    shadowed = [i for i, light in enumerate(lights) if light.get("shadows", False)]
    if len(shadowed) > MAX_SHADOWED_LIGHTS:  # located at the first light over the budget
        err(["lights", shadowed[MAX_SHADOWED_LIGHTS], "shadows"], _(
            "at most {limit} lights may cast shadows in one scene; this one has {count}").format(
            limit=MAX_SHADOWED_LIGHTS, count=len(shadowed)))
    bounds = doc.get("bounds")
    for i, light in enumerate(lights):
        for key, kinds in _KIND_FIELDS.items():
            if key in light and light["kind"] not in kinds:
                err(["lights", i, key], _("a {kind} light has no {field}; only {kinds} lights do").format(
                    kind=light["kind"], field=key, kinds=_(" and ").join(kinds)))
        if list(light.get("aim", [])) == list(light["position"]):
            err(["lights", i, "aim"], _("expected a point to aim at away from the light's position"))
        if bounds and not all(lo <= p <= hi for lo, p, hi in zip(bounds["min"], light["position"], bounds["max"])):
            err(["lights", i, "position"], _("the light lies outside the scene bounds"))
    return errors


def _path_problem(points: list) -> tuple[int, str] | None:
    """A repeated point or a path that turns straight back cannot be given a width."""
    for j in range(1, len(points)):
        (ax, ay), (bx, by) = points[j - 1], points[j]
        if (ax, ay) == (bx, by):
            return j, _("repeats the point before it")
        if j >= 2:
            px, py = points[j - 2]
            ux, uy, vx, vy = ax - px, ay - py, bx - ax, by - ay
            cos = (ux * vx + uy * vy) / math.hypot(ux, uy) / math.hypot(vx, vy)
            if cos < -0.95:
                return j, _("turns back on itself (a path may turn at most about 160 degrees)")
    return None


def _inside(position, portal: dict) -> bool:
    x, y, z = (p - c for p, c in zip(position, portal["position"]))
    h = math.radians(portal.get("facing", 180.0))
    # the portal's own frame: across its width and along its depth
    across = x * math.cos(h) - y * math.sin(h)
    along = x * math.sin(h) + y * math.cos(h)
    w, d, height = portal["size"]
    return abs(across) <= w / 2 and abs(along) <= d / 2 and 0 <= z <= height


def _gate_errors(obj: dict, file: str, at: list) -> list[SceneError]:
    errors = []
    base = obj["base"]
    for j, arch in enumerate(base.get("arches", [])):
        half = arch["width"] / 2 + abs(arch.get("offset", 0.0))
        if half > base["width"] / 2:
            errors.append(SceneError(file, json_path(at + ["base", "arches", j]), _("arch does not fit inside the base width")))
        if arch["height"] >= base["height"]:
            errors.append(SceneError(file, json_path(at + ["base", "arches", j, "height"]), _("expected an arch lower than the base ({height} m)").format(height=base["height"])))
    pav = obj["pavilion"]
    if sum(pav["bays"]) > base["width"] or sum(pav["depth_bays"]) > base["depth"]:
        errors.append(SceneError(file, json_path(at + ["pavilion"]), _("the pavilion's bays are wider or deeper than the base")))
    return errors


def _picture_problem(relative: str, base_dir: Path, asset_dirs: Iterable[Path]) -> str | None:
    """Why a picture cannot be shown (missing, outside the folder, not a file, too large, not PNG or JPEG), or None."""
    try:
        path = locate_asset(relative, base_dir, asset_dirs, limit=image_header.PICTURE_FILE_LIMIT)
        image_header.check_picture(safe_read.read_bytes(path, image_header.PICTURE_FILE_LIMIT))
    except safe_read.Unreadable as exc:
        return str(exc)
    except image_header.BadImage as exc:
        return _("{path!r}: {problem}").format(path=relative, problem=exc)
    return None


SCREEN_FIELDS = {"screen": "screen", "counter": "number"}  # object type -> the field naming its screen


def _screen_name_errors(doc: dict, file: str) -> list[SceneError]:
    """Screens are found by name at run time, so each name may be given once in a scene."""
    seen: dict[str, str] = {}
    errors = []
    for i, obj in enumerate(doc.get("objects", [])):
        field = SCREEN_FIELDS.get(obj["type"])
        if field is None or field not in obj:
            continue
        where = json_path(["objects", i, field])
        if obj[field] in seen:
            errors.append(SceneError(file, where, _("duplicate screen name {name!r} (first used at {where})").format(
                name=obj[field], where=seen[obj[field]])))
        seen.setdefault(obj[field], where)
    return errors


def _outside(relative: str) -> str | None:
    """Why ``relative`` would leave the folder it is looked up in, or None when it stays inside."""
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        return _("expected a path inside the scene's folder, like models/bench.gltf, not an absolute path")
    if ".." in PureWindowsPath(relative).parts:
        return _("expected a path inside the scene's folder, like models/bench.gltf, without ..")
    return None


def locate_asset(relative: str, base_dir: Path, asset_dirs: Iterable[Path],
                 limit: int = safe_read.ASSET_FILE_LIMIT) -> Path:
    """The regular file ``relative`` names beside the scene or in the assets folder, never outside
    them (absolute paths, ``..`` and links that lead out of both are refused); raises :class:`safe_read.Unreadable`."""
    problem = _outside(relative)
    if problem is not None:
        raise safe_read.Unreadable(problem)
    folders = [base_dir, *asset_dirs]
    roots = [folder.resolve() for folder in folders]
    for folder in folders:
        candidate = folder / relative
        if not os.path.lexists(candidate):
            continue
        if not any(candidate.resolve().is_relative_to(root) for root in roots):
            raise safe_read.Unreadable(_("{path!r} is a link that leads outside the scene's folder").format(path=relative))
        try:
            safe_read.check_regular(candidate, limit)
        except safe_read.Unreadable as exc:
            raise safe_read.Unreadable(_("{path!r}: {problem}").format(path=relative, problem=exc)) from None
        return candidate
    raise safe_read.Unreadable(_("missing asset {path!r} (looked beside the scene file and in the assets folder)").format(
        path=relative))


MAX_OBJECTS = 5000  # objects in one scene; the built-in scenes have a few dozen
MAX_ITEMS = 10_000  # items in any other list (a path's points, spawns, portals, views)
MAX_TEXT = 2000  # characters in any one text (names, descriptions, a sign's text)


def limit_errors(node: Any, file: str, at: list | None = None) -> list[SceneError]:
    """Lists and texts longer than a scene may hold (checked before the schema, which would walk them all)."""
    at = at or []
    if isinstance(node, str) and len(node) > MAX_TEXT:
        return [SceneError(file, json_path(at), _("{count} characters; a text may have at most {limit}").format(
            count=len(node), limit=MAX_TEXT))]
    limit = MAX_OBJECTS if at == ["objects"] else MAX_ITEMS
    if isinstance(node, list) and len(node) > limit:
        return [SceneError(file, json_path(at), _("{count} items; this list may have at most {limit}").format(
            count=len(node), limit=limit))]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [e for key, value in children for e in limit_errors(value, file, at + [key])]


def check(doc: Any, file: str, **context) -> list[SceneError]:
    """Every problem with ``doc``: sizes first, then the schema; semantic checks only on a schema-valid doc."""
    errors = limit_errors(doc, file) or schema_errors(doc, file)
    if errors:
        return errors
    return semantic_errors(doc, file, **context)


def raise_for(errors: list[SceneError]) -> None:
    if errors:
        raise SceneInvalid(errors)
