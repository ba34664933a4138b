"""Small builders: boxes, discs, roads, walls, trees, lamps, fountains, signs and glTF models."""

from __future__ import annotations

import math
import zlib

import numpy as np
from panda3d.core import NodePath

from metaseoul.scenes.builders.context import BuildContext, BuildError
from metaseoul.scenes.builders.mesh import MeshBuilder


def box(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    mb.box((0, 0, 0), obj["size"], ctx.material("main", "concrete"))


def cylinder(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    mb.cylinder((0, 0, 0), obj["radius"], obj["height"], ctx.material("main", "concrete"),
                segments=obj.get("segments", 16))


def ellipse(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    w, d = obj["size"]
    mb.ellipse((0, 0, 0), (w / 2, d / 2), obj.get("height", 0.05), ctx.material("main", "granite"),
               segments=96, side_material=ctx.material("edge", "granite-dark"))


def road(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Asphalt with granite kerbs, marked with dashed lanes or as a zebra crossing."""
    pts, width = obj["points"], obj["width"]
    mb.strip(pts, width, 0.0, ctx.material("main", "asphalt"))
    marking = ctx.material("marking", "road-marking")
    markings = obj.get("markings", "lanes")
    if markings == "zebra":
        for a, b in _dashes(pts, 0.5, 0.5):
            mb.strip([a, b], width * 0.9, 0.01, marking)
    elif markings == "lanes":
        lanes = obj.get("lanes", max(1, round(width / 3.3)))
        for lane in range(1, lanes):
            offset = -width / 2 + lane * width / lanes
            centre = lane * 2 == lanes  # the centre line is solid and wider
            for a, b in _dashes(pts, 1e9 if centre else 3.0, 0.0 if centre else 6.0):
                mb.strip([a, b], 0.3 if centre else 0.15, 0.01, marking, offset=offset)
    for side in (-1, 1):
        mb.strip(pts, 0.3, 0.02, ctx.material("kerb", "granite-dark"), offset=side * (width / 2 + 0.15))


def _dashes(points, dash: float, gap: float):
    """Segments of ``dash`` metres every ``dash + gap`` along a path."""
    pts = np.asarray(points, float)
    for a, b in zip(pts, pts[1:]):
        length = float(np.linalg.norm(b - a))
        direction = (b - a) / length
        t = 0.0
        while t < length:
            yield a + direction * t, a + direction * min(t + dash, length)
            t += dash + gap


def wall(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A stone wall along a path, with an optional tiled coping like Deoksugung's."""
    pts = np.asarray(obj["points"], float)
    height, thick = obj["height"], obj.get("thickness", 1.0)
    stone = ctx.material("main", "stone-grey")
    for a, b in zip(pts, pts[1:]):
        d = b - a
        length = float(np.linalg.norm(d))
        heading = math.degrees(math.atan2(d[1], d[0])) - 90
        mid = (a + b) / 2
        with mb.local((mid[0], mid[1], 0), heading=heading):
            # local frame: the wall runs along y
            mb.box((0, 0, 0), (thick, length, height), stone)
            if obj.get("tiled_cap", False):
                roof, ridge = ctx.material("roof", "giwa"), ctx.material("ridge", "giwa-ridge")
                w = thick / 2 + 0.35
                mb.quad((-w, length / 2, height - 0.1), (-w, -length / 2, height - 0.1),
                        (0, -length / 2, height + 0.45), (0, length / 2, height + 0.45), roof)
                mb.quad((w, -length / 2, height - 0.1), (w, length / 2, height - 0.1),
                        (0, length / 2, height + 0.45), (0, -length / 2, height + 0.45), roof)
                mb.box((0, 0, height + 0.4), (0.25, length, 0.15), ridge, solid=False)


def trees(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Trees every ``spacing`` metres along a path, each a little different."""
    height, crown = obj.get("height", 9.0), obj.get("crown", 3.0)
    spacing = obj.get("spacing", 8.0)
    rng = np.random.default_rng(zlib.crc32(obj["id"].encode()))  # the same trees on every run
    pts = np.asarray(obj["points"], float)
    places = []
    for a, b in zip(pts, pts[1:]):
        length = float(np.linalg.norm(b - a))
        count = max(1, int(length // spacing))
        places += [a + (b - a) * (i + 0.5) / count for i in range(count)]
    bark, leaves = ctx.material("trunk", "bark"), ctx.material("main", "leaves")
    for i, (x, y) in enumerate(places):
        h = height * rng.uniform(0.85, 1.15)
        r = crown * rng.uniform(0.85, 1.15)
        mb.cylinder((x, y, 0), 0.22, h * 0.55, bark, segments=6, radius_top=0.14)
        mb.ellipsoid((x, y, h * 0.62), (r, r, h * 0.4), leaves, rings=5, segments=8,
                     lumpiness=0.35, seed=i + int(rng.integers(1 << 16)))


def lamp_ring(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Lamp posts evenly spaced on an ellipse (Seoul Plaza has 48 around its lawn)."""
    w, d = obj["size"]
    height = obj.get("height", 4.5)
    post, glow = ctx.material("post", "dark-steel"), ctx.material("lamp", "lamp-glow")
    for i in range(obj["count"]):
        a = 2 * math.pi * i / obj["count"]
        x, y = w / 2 * math.cos(a), d / 2 * math.sin(a)
        mb.cylinder((x, y, 0), 0.08, height, post, segments=6)
        mb.box((x, y, height), (0.35, 0.35, 0.45), glow, solid=False)


def floor_fountain(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A walkable granite grate with rows of water jets (Seoul Plaza: 121 nozzles, 0.7–2.5 m)."""
    w, d = obj["size"]
    cols, rows = obj.get("jets", [11, 11])
    top = obj.get("jet_height", 2.5)
    mb.box((0, 0, 0), (w, d, 0.06), ctx.material("main", "granite-dark"), solid=False)
    water = ctx.material("water", "water")
    for i in range(cols):
        for j in range(rows):
            x = -w / 2 + w * (i + 0.5) / cols
            y = -d / 2 + d * (j + 0.5) / rows
            # a travelling wave of heights, like one of the fountain's 35 patterns
            h = 0.7 + (top - 0.7) * 0.5 * (1 + math.sin(i * 0.9 + j * 0.6))
            mb.cylinder((x, y, 0.06), 0.07, h, water, segments=5, solid=False, radius_top=0.03)


def hill(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A wooded hill on the skyline (Bugaksan, Namsan): half an irregular ellipsoid."""
    w, d, h = obj["size"]
    mb.ellipsoid((0, 0, 0), (w / 2, d / 2, h), ctx.material("main", "leaves"), rings=10, segments=28,
                 lumpiness=0.12, seed=len(obj["id"]), upper_only=True)


def sign(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A panel with Korean above English, on posts when ``post`` is given."""
    w, h = obj["size"]
    post = obj.get("post", 0.0)
    panel = ctx.material("main", "sign-navy")
    if post:
        for x in (-w / 2 + 0.1, w / 2 - 0.1):
            mb.cylinder((x, 0.05, 0), 0.05, post, ctx.material("post", "dark-steel"), segments=6)
    mb.box((0, 0, post), (w, 0.1, h), panel)
    color = obj.get("text_color", "#FFFFFF")
    for side, heading in ((-0.06, 0.0), (0.06, 180.0)):  # the same text front and back
        with mb.local((0, side, 0), heading=heading):
            with mb.local((0, 0, post + h * 0.45)):
                mb.attach(ctx.text(obj["text"]["ko"], height=h * 0.42, color=color, max_width=w * 0.92))
            with mb.local((0, 0, post + h * 0.1)):
                mb.attach(ctx.text(obj["text"]["en"], height=h * 0.24, color=color, max_width=w * 0.92))


def model(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A glTF 2.0 model from the scene's folder or the assets folder; its bounding box collides."""
    import gltf

    path = ctx.asset(obj["model"])
    try:
        loaded = NodePath(gltf.load_model(str(path)))
    except Exception as exc:  # the glTF loader raises many kinds; all mean an unusable file  # noqa: BLE001
        raise BuildError(f"cannot load the model {obj['model']!r}: {exc}") from None
    holder = NodePath(obj["id"])
    loaded.reparentTo(holder)
    loaded.setScale(obj.get("scale", 1.0))
    bounds = holder.getTightBounds()
    if bounds is None:
        raise BuildError(f"the model {obj['model']!r} has no geometry")
    mb.collide_box(*bounds)
    holder.setShaderInput("texture_mode", 2.0)
    mb.attach(holder)
