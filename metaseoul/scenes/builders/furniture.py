"""Furniture for interiors, at real-world sizes a scene may override with ``size`` [w, d, h].

Every piece stands on ``position`` with its front towards -y (where a citizen sits or stands to
use it). Colliders are whole boxes where a citizen would bump into the piece; seats collide only
up to SEAT_COLLIDER, below the walker's step (0.45 m), so a citizen steps over a seat and is never
trapped among chairs.
"""

from __future__ import annotations

import math
from itertools import pairwise

from metaseoul.scenes.builders.context import BuildContext
from metaseoul.scenes.builders.mesh import MeshBuilder
from metaseoul.scenes.builders.pictures import screen_surface

SIZES = {  # [width, depth, height] in metres
    "desk": (1.4, 0.7, 0.75), "chair": (0.46, 0.5, 0.85), "sofa": (1.9, 0.85, 0.8),
    "counter": (1.8, 0.7, 1.05), "lectern": (0.6, 0.5, 1.15), "stage": (6.0, 4.0, 0.6),
    "partition": (1.6, 0.06, 1.6), "plant": (0.5, 0.5, 1.3), "display-case": (1.0, 0.6, 1.2),
    "plinth": (0.5, 0.5, 1.0), "shelf": (1.0, 0.35, 1.9),
}
SEAT_HEIGHT = 0.45
SEAT_COLLIDER = 0.4  # below the walker's STEP_UP (0.45 m)
STEP_RISE = 0.18  # a stage's front steps: at most this high each
NUMBER_DISPLAY = (0.7, 0.3)  # a counter's number screen, metres


def _size(obj: dict) -> tuple[float, float, float]:
    return tuple(obj.get("size", SIZES[obj["type"]]))


def _solid(mb: MeshBuilder, w: float, d: float, h: float) -> None:
    """A box collider, sides and top, whatever the height: the walker steps onto what is low enough and
    is held off the sides of the rest."""
    mb.collide_box((-w / 2, -d / 2, 0), (w / 2, d / 2, h))


def _legs(mb: MeshBuilder, w: float, d: float, h: float, material: str, inset: float = 0.03,
          thick: float = 0.04) -> None:
    for x in (-w / 2 + inset, w / 2 - inset):
        for y in (-d / 2 + inset, d / 2 - inset):
            mb.box((x, y, 0), (thick, thick, h), material, solid=False)


def desk(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    mb.box((0, 0, h - 0.04), (w, d, 0.04), ctx.material("main", "gate-wood"), solid=False)
    legs = ctx.material("legs", "dark-steel")
    _legs(mb, w, d, h - 0.04, legs)
    mb.box((0, d / 2 - 0.05, h * 0.35), (w - 0.1, 0.02, h * 0.6), legs, solid=False)  # modesty panel
    _solid(mb, w, d, h)


def _seat(mb: MeshBuilder, w: float, d: float, h: float, cushion: str, frame: str) -> None:
    """A chair's seat, back and legs (no collider: callers add one at seat level)."""
    seat = min(SEAT_HEIGHT, h * 0.55)
    mb.box((0, 0, seat - 0.06), (w, d, 0.06), cushion, solid=False)
    mb.box((0, d / 2 - 0.04, seat), (w, 0.06, h - seat), cushion, solid=False)
    _legs(mb, w, d, seat - 0.06, frame)


def chair(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    _seat(mb, w, d, h, ctx.material("main", "fabric"), ctx.material("frame", "dark-steel"))
    _solid(mb, w, d, min(SEAT_COLLIDER, h))


def sofa(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    cover = ctx.material("main", "fabric")
    seat = min(0.42, h * 0.55)
    mb.box((0, 0, 0.08), (w, d, seat - 0.08), cover, solid=False)
    mb.box((0, d / 2 - 0.1, seat), (w, 0.2, h - seat), cover, solid=False)
    for x in (-w / 2 + 0.09, w / 2 - 0.09):
        mb.box((x, 0, seat), (0.18, d, min(0.2, h - seat)), cover, solid=False)
    _legs(mb, w, d, 0.08, ctx.material("legs", "dark-steel"), inset=0.06)
    _solid(mb, w, d, min(SEAT_COLLIDER, seat))


def counter(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A service counter; with ``number`` a number display (a named screen) stands above it."""
    w, d, h = _size(obj)
    mb.box((0, 0, 0), (w, d, h - 0.04), ctx.material("main", "plaster"), solid=False)
    mb.box((0, -0.04, h - 0.04), (w + 0.04, d + 0.08, 0.04), ctx.material("top", "marble"), solid=False)
    _solid(mb, w, d, h)
    if "number" in obj:
        sw, sh = NUMBER_DISPLAY
        post = ctx.material("post", "dark-steel")
        mb.box((0, 0, h), (0.05, 0.05, 0.45), post, solid=False)
        mb.box((0, 0, h + 0.45), (sw + 0.06, 0.06, sh + 0.06), post, solid=False)
        with mb.local((0, -0.032, h + 0.48)):
            screen_surface(mb, obj["number"], (sw, sh), (256, 110), "#111111", (), "#FF5A36")


def lectern(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    wood = ctx.material("main", "gate-wood")
    mb.box((0, 0.05, 0), (w * 0.7, d * 0.6, h - 0.1), wood, solid=False)
    with mb.local((0, 0, h - 0.1), pitch=15):  # the reading top slopes down towards the speaker
        mb.box((0, 0, 0), (w, d, 0.04), ctx.material("top", "gate-wood"), solid=False)
    _solid(mb, w, d, h)


def stage(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A raised platform whose top is walked on; with ``steps`` (default) a flight up its front."""
    w, d, h = _size(obj)
    floor, edge = ctx.material("main", "wood-floor"), ctx.material("edge", "signboard-black")
    mb.box((0, 0, 0), (w, d, h), edge, top_material=floor)
    if not obj.get("steps", True) or h <= STEP_RISE:
        return
    count = math.ceil(h / STEP_RISE)
    width = min(1.6, w / 3)
    for i in range(1, count):
        depth = (count - i) * 0.3
        mb.box((0, -d / 2 - depth / 2, 0), (width, depth, h * i / count), edge, top_material=floor)


def seat_rows(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Rows of theatre seats from the front row (at ``position``) back, each row ``rise`` higher,
    with aisles left after the seat counts listed in ``aisles``."""
    rows, seats = obj["rows"], obj["seats"]
    seat_w, pitch, rise = obj.get("seat_width", 0.55), obj.get("spacing", 0.95), obj.get("rise", 0.0)
    aisles, aisle_w = sorted(obj.get("aisles", [])), obj.get("aisle_width", 1.2)
    total = seats * seat_w + len(aisles) * aisle_w
    xs = [-total / 2 + (j + 0.5) * seat_w + aisle_w * sum(1 for a in aisles if a <= j) for j in range(seats)]
    blocks = _blocks(xs, seat_w, aisles)
    cushion, frame = ctx.material("main", "fabric"), ctx.material("frame", "dark-steel")
    tiers = ctx.material("tiers", "carpet")
    for r in range(rows):
        y, z = r * pitch + pitch / 2, r * rise
        if z > 0:
            mb.box((0, y, 0), (total, pitch, z), tiers)
        for x in xs:
            with mb.local((x, y - pitch * 0.15, z)):
                _seat(mb, seat_w - 0.04, 0.5, 0.85, cushion, frame)
        for lo, hi in blocks:
            mb.collide_box((lo, y - pitch * 0.15 - 0.25, z), (hi, y - pitch * 0.15 + 0.25, z + SEAT_COLLIDER))


def _blocks(xs: list[float], seat_w: float, aisles: list[int]) -> list[tuple[float, float]]:
    """The x extents of the runs of seats between aisles."""
    cuts = [0, *[a for a in aisles if 0 < a < len(xs)], len(xs)]
    return [(xs[a] - seat_w / 2, xs[b - 1] + seat_w / 2) for a, b in pairwise(cuts) if b > a]


def partition(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    frame = ctx.material("frame", "dark-steel")
    mb.box((0, 0, 0.05), (w - 0.08, d * 0.6, h - 0.09), ctx.material("main", "fabric"), solid=False)
    for x in (-w / 2 + 0.02, w / 2 - 0.02):
        mb.box((x, 0, 0), (0.04, max(d, 0.04), h), frame, solid=False)
        mb.box((x, 0, 0), (0.06, 0.4, 0.03), frame, solid=False)  # feet
    mb.box((0, 0, h - 0.04), (w, max(d, 0.04), 0.04), frame, solid=False)
    _solid(mb, w, max(d, 0.06), h)


def plant(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    pot_r, pot_h = min(w, d) * 0.35, min(0.45, h * 0.35)
    mb.cylinder((0, 0, 0), pot_r, pot_h, ctx.material("pot", "signboard-black"), segments=12, solid=False,
                radius_top=pot_r * 1.15)
    crown = (h - pot_h) / 2
    mb.ellipsoid((0, 0, pot_h + crown), (w / 2, d / 2, crown), ctx.material("main", "leaves"), rings=5, segments=9,
                 lumpiness=0.3, seed=len(obj["id"]))
    mb.collide_box((-pot_r, -pot_r, 0), (pot_r, pot_r, h))


def display_case(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A cabinet with a glass box on top for an exhibit."""
    w, d, h = _size(obj)
    base = h * 0.7
    mb.box((0, 0, 0), (w, d, base), ctx.material("main", "hobun"), solid=False)
    mb.box((0, 0, base), (w - 0.02, d - 0.02, h - base), ctx.material("glass", "glass-partition"), solid=False)
    _solid(mb, w, d, h)


def plinth(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    mb.box((0, 0, 0), (w, d, h), ctx.material("main", "marble"), solid=False)
    _solid(mb, w, d, h)


def shelf(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d, h = _size(obj)
    wood = ctx.material("main", "gate-wood")
    for x in (-w / 2 + 0.01, w / 2 - 0.01):
        mb.box((x, 0, 0), (0.02, d, h), wood, solid=False)
    mb.box((0, d / 2 - 0.01, 0), (w, 0.02, h), wood, solid=False)
    boards = obj.get("shelves", 5)
    for i in range(boards):
        mb.box((0, 0, 0.05 + (h - 0.07) * i / max(1, boards - 1)), (w - 0.04, d - 0.02, 0.02), wood, solid=False)
    _solid(mb, w, d, h)
