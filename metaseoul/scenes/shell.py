"""The layout of a room's shell: where its walls run, where each opening sits, and whether it all fits.

Pure arithmetic on the scene document, shared by the builder (which makes the walls), the validator
(which checks that openings fit) and the loader (which names each opening), so the three agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metaseoul.i18n import N_, _
from metaseoul.scenes.errors import SceneError, json_path
from metaseoul.scenes.footing import STEP_UP

WALLS = ("front", "back", "left", "right")
DEFAULT_WALL = 0.2
DEFAULT_AMBIENT = 0.3
DEFAULT_SILL = {"window": 0.9, "door": 0.0, "arch": 0.0}
ROLE_OF_KIND = {"door": "door", "window": "window", "arch": "door"}
WALKER_RADIUS = 0.3  # the walker's body (runtime/walker.py): its edge rays look this far ahead for a step
MAX_RAMP_GRADE = STEP_UP / WALKER_RADIUS  # rise per metre of run the walker still climbs: 1.5 (tests/test_rooms.py)
WORDS = {"door": N_("door"), "window": N_("window"), "arch": N_("arch"), "front": N_("front"),
         "back": N_("back"), "left": N_("left"), "right": N_("right")}  # kinds and walls, in messages
MAX_ROOMS = 16  # rooms a scene may have: the world shader takes this many room volumes


@dataclass(frozen=True)
class WallFrame:
    """One wall in the room's frame: its inner face's centre, its heading and how long it runs.

    In the wall's own frame x runs along the wall (towards positive ``offset``: rightwards as seen
    from inside), y points out of the room, and the wall fills y from 0 to its thickness.
    """

    center: tuple[float, float]
    heading: float
    length: float  # the whole wall, corners included
    clear: float  # the inner span an opening must fit in


def wall_frames(obj: dict) -> dict[str, WallFrame]:
    w, d, _h = obj["size"]
    t = obj.get("wall", DEFAULT_WALL)
    return {
        "front": WallFrame((0.0, -d / 2), 180.0, w + 2 * t, w),
        "back": WallFrame((0.0, d / 2), 0.0, w + 2 * t, w),
        "left": WallFrame((-w / 2, 0.0), 90.0, d, d),
        "right": WallFrame((w / 2, 0.0), -90.0, d, d),
    }


def sill(opening: dict) -> float:
    return opening.get("sill", DEFAULT_SILL[opening["kind"]])


def opening_ids(obj: dict) -> list[str]:
    """Each opening's id: its own, or ``<room id>-<kind>-<n>`` counting that kind from 1."""
    counts: dict[str, int] = {}
    ids = []
    for opening in obj.get("openings", []):
        counts[opening["kind"]] = counts.get(opening["kind"], 0) + 1
        ids.append(opening.get("id", f"{obj['id']}-{opening['kind']}-{counts[opening['kind']]}"))
    return ids


def ramp_grade(obj: dict) -> float:
    return obj["rise"] / obj["run"]


def errors(doc: dict, file: str) -> list[SceneError]:
    """Rooms whose openings do not fit, overlap, lead nowhere or reuse an id; ramps and stairs too steep."""
    found: list[SceneError] = []
    taken = {item["id"] for section in ("objects", "portals") for item in doc.get(section, [])}
    portals = {p["id"] for p in doc.get("portals", [])}
    rooms = 0
    for i, obj in enumerate(doc.get("objects", [])):
        at = ["objects", i]
        if obj["type"] == "room":
            rooms += 1
            if rooms == MAX_ROOMS + 1:
                found.append(SceneError(file, json_path(at), _(
                    "a scene may have at most {limit} rooms (the lighting follows that many); split it into "
                    "scenes joined by portals").format(limit=MAX_ROOMS)))
            found += _opening_errors(obj, file, at, taken, portals)
        elif obj["type"] == "stairs" and "steps" in obj and obj["rise"] / obj["steps"] > STEP_UP:
            found.append(SceneError(file, json_path(at + ["steps"]), _(
                "these steps are {riser:.2f} m high; citizens can climb at most {step:g} m: use at least "
                "{least} steps").format(riser=obj["rise"] / obj["steps"], step=STEP_UP,
                                         least=math.ceil(obj["rise"] / STEP_UP))))
        elif obj["type"] in ("ramp", "stairs") and ramp_grade(obj) > MAX_RAMP_GRADE:
            found.append(SceneError(file, json_path(at + ["rise"]), _(
                "this climbs {rise:g} m over a run of {run:g} m, steeper than citizens can walk "
                "(at most {grade:g} m up per metre): make its run at least {least:g} m").format(
                rise=obj["rise"], run=obj["run"], grade=round(MAX_RAMP_GRADE, 2),
                least=round(obj["rise"] / MAX_RAMP_GRADE, 2))))
    return found


def _opening_errors(obj: dict, file: str, at: list, taken: set[str], portals: set[str]) -> list[SceneError]:
    found = []
    frames, height = wall_frames(obj), obj["size"][2]
    spans: dict[str, list[tuple[float, float, int]]] = {}
    for j, (opening, ident) in enumerate(zip(obj.get("openings", []), opening_ids(obj))):
        here = at + ["openings", j]
        kind, wall = _(WORDS[opening["kind"]]), _(WORDS[opening["wall"]])
        half, offset = frames[opening["wall"]].clear / 2, opening.get("offset", 0.0)
        u0, u1 = offset - opening["width"] / 2, offset + opening["width"] / 2
        if u0 < -half - 1e-9 or u1 > half + 1e-9:
            found.append(SceneError(file, json_path(here + ["offset"]), _(
                "this {kind} runs past the end of the {wall} wall: the wall is {clear:g} m long inside, so "
                "offset ± width/2 must stay between -{half:g} and {half:g} m (it spans {u0:g} to {u1:g})").format(
                kind=kind, wall=wall, clear=2 * half, half=half, u0=u0, u1=u1)))
        top = sill(opening) + opening["height"]
        if top > height + 1e-9:
            found.append(SceneError(file, json_path(here + ["height"]), _(
                "this {kind}'s top is {top:g} m above the floor, above the ceiling at {height:g} m: lower its "
                "sill or its height").format(kind=kind, top=top, height=height)))
        for k0, k1, k in spans.get(opening["wall"], []):
            if u0 < k1 - 1e-9 and k0 < u1 - 1e-9:
                found.append(SceneError(file, json_path(here), _(
                    "this {kind} overlaps opening {other} along the {wall} wall: openings on one wall may not "
                    "overlap (nor stand one above another)").format(
                    kind=kind, other=k, wall=wall)))
        spans.setdefault(opening["wall"], []).append((u0, u1, j))
        if "to" in opening and opening["to"] not in portals:
            found.append(SceneError(file, json_path(here + ["to"]), _(
                "no portal {id!r} in this scene; name one of its portals: {known}").format(
                id=opening["to"], known=", ".join(sorted(portals)) or _("(none)"))))
        if ident in taken:
            found.append(SceneError(file, json_path(here + (["id"] if "id" in opening else [])), _(
                "this opening's id {id!r} is already used in this scene: give it another \"id\"").format(id=ident)))
        taken.add(ident)
    return found
