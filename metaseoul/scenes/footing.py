"""Where citizens stand: spawns on open ground and portals they can walk into.

Boxes and cylinders (which collide unless ``solid`` is false) are judged from their fields, before
anything else, with their exact extent in the message. Every other type is judged afterwards, once the
scene's models are known to be safe, against the collision solids its builder really makes
(:mod:`metaseoul.scenes.solids`): a spawn is never refused for a shape guessed wrongly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from metaseoul.i18n import _
from metaseoul.scenes.errors import SceneError, json_path

STEP_UP = 0.45  # the walker climbs onto anything lower than this (runtime/walker.py)
BODY = 1.6  # the walker's eye height: a solid that starts below it traps the head
DEFAULT_FACING = 180.0


def _local(obj: dict, x: float, y: float) -> tuple[float, float]:
    """(x, y) in the object's own frame (builders rotate by the heading 180 - facing)."""
    h = math.radians(180.0 - obj.get("facing", DEFAULT_FACING))
    dx, dy = x - obj["position"][0], y - obj["position"][1]
    return dx * math.cos(h) + dy * math.sin(h), -dx * math.sin(h) + dy * math.cos(h)


def _extent(obj: dict) -> tuple[float, float] | None:
    """The object's base height and top, for the shapes judged here; None for the others."""
    if obj["type"] == "box" and obj.get("solid", True):
        return obj["position"][2], obj["position"][2] + obj["size"][2]
    if obj["type"] == "cylinder" and obj.get("solid", True):
        return obj["position"][2], obj["position"][2] + obj["height"]
    return None


def _covers(obj: dict, x: float, y: float) -> bool:
    lx, ly = _local(obj, x, y)
    if obj["type"] == "box":
        return abs(lx) < obj["size"][0] / 2 and abs(ly) < obj["size"][1] / 2
    return math.hypot(lx, ly) < obj["radius"]


def _shape(obj: dict) -> str:
    """The solid in words, with its world extent, so the author can find it."""
    z0, z1 = _extent(obj)
    if obj["type"] == "cylinder":
        x, y, _z = obj["position"]
        return _("a cylinder of radius {r} m around ({x:g}, {y:g}) from height {z0:g} to {z1:g}").format(
            r=obj["radius"], x=x, y=y, z0=z0, z1=z1)
    w, d = obj["size"][0] / 2, obj["size"][1] / 2
    h = math.radians(180.0 - obj.get("facing", DEFAULT_FACING))
    xs = [obj["position"][0] + a * math.cos(h) - b * math.sin(h) for a in (-w, w) for b in (-d, d)]
    ys = [obj["position"][1] + a * math.sin(h) + b * math.cos(h) for a in (-w, w) for b in (-d, d)]
    return _("a box from ({x0:g}, {y0:g}, {z0:g}) to ({x1:g}, {y1:g}, {z1:g})").format(
        x0=round(min(xs), 2), y0=round(min(ys), 2), z0=z0, x1=round(max(xs), 2), y1=round(max(ys), 2), z1=z1)


def solid_at(objects: list[dict], point) -> dict | None:
    """The first known solid a citizen standing at ``point`` would be stuck in (one they cannot step onto)."""
    x, y, z = point
    for obj in objects:
        extent = _extent(obj)
        if extent and extent[0] < z + BODY and extent[1] > z + STEP_UP and _covers(obj, x, y):
            return obj
    return None


def _placement(doc: dict, point, spawn: bool) -> str | None:
    """Why a citizen cannot stand at ``point`` (a spawn's or a portal's), or None."""
    if point[2] < 0:
        text = (_("this spawn is underground (height {z:g} is below the ground at 0): raise it to 0 or above") if spawn
                else _("this portal is underground (height {z:g} is below the ground at 0): raise it to 0 or above"))
        return text.format(z=point[2])
    solid = solid_at(doc.get("objects", []), point)
    if solid is None:
        return None
    text = (_("this spawn is inside the solid {id!r} ({shape}): move it onto open ground") if spawn
            else _("this portal is inside the solid {id!r} ({shape}): move it onto open ground"))
    return text.format(id=solid["id"], shape=_shape(solid))


def errors(doc: dict, file: str) -> list[SceneError]:
    """Spawns a citizen could not stand on and portals a citizen could not reach."""
    found = []
    for i, spawn in enumerate(doc.get("spawns", [])):
        problem = _placement(doc, spawn["position"], spawn=True)
        if problem:
            found.append(SceneError(file, json_path(["spawns", i, "position"]), problem))
    bounds = doc.get("bounds")
    for i, portal in enumerate(doc.get("portals", [])):
        x, y, _z = portal["position"]
        problem = _placement(doc, portal["position"], spawn=False)
        if bounds and not (bounds["min"][0] <= x <= bounds["max"][0] and bounds["min"][1] <= y <= bounds["max"][1]):
            problem = _("this portal lies outside the scene bounds, where no citizen can walk: move it inside them")
        if problem:
            found.append(SceneError(file, json_path(["portals", i, "position"]), problem))
    return found


BODY_HEIGHTS = (STEP_UP + 0.31, 1.3)  # the centres of the walker's two body spheres above its feet (runtime/walker.py)
_JUDGED_EXACTLY = ("box", "cylinder")


def built_errors(doc: dict, file: str, asset: Callable[[str], Path]) -> list[SceneError]:
    """Spawns and portals inside the solids the builders make for the other types (buildings, gates,
    walls, models, rooms); an object its builder cannot make is an error at the object."""
    from metaseoul.scenes.builders.context import BuildError  # Panda3D, only for a scene sound so far
    from metaseoul.scenes.solids import Solids

    solids = Solids(asset)
    for i, obj in enumerate(doc.get("objects", [])):
        if obj["type"] not in _JUDGED_EXACTLY and obj.get("solid", True):
            try:
                solids.add(i, obj)
            except BuildError as exc:
                return [SceneError(file, json_path(["objects", i]), str(exc))]
    found = []
    for section, spawn in (("spawns", True), ("portals", False)):
        for i, item in enumerate(doc.get(section, [])):
            problem = _built_placement(doc, solids, item["position"], spawn)
            if problem:
                found.append(SceneError(file, json_path([section, i, "position"]), problem))
    return found


def _built_placement(doc: dict, solids, point, spawn: bool) -> str | None:
    x, y, z = point
    index = next((found for h in BODY_HEIGHTS if (found := solids.inside((x, y, z + h))) is not None), None)
    if index is None:
        return None
    obj = doc["objects"][index]
    lo, hi = solids.extent(index)
    text = (_("this spawn is inside {id!r} (a {type} whose solid parts fill ({x0:g}, {y0:g}, {z0:g}) to "
              "({x1:g}, {y1:g}, {z1:g})): move it onto open ground") if spawn
            else _("this portal is inside {id!r} (a {type} whose solid parts fill ({x0:g}, {y0:g}, {z0:g}) to "
                   "({x1:g}, {y1:g}, {z1:g})): move it onto open ground"))
    return text.format(id=obj["id"], type=obj["type"], **{k: round(float(v), 1) for k, v in zip(
        ("x0", "y0", "z0", "x1", "y1", "z1"), (*lo, *hi))})
