"""Modern and heritage buildings: the new City Hall's glass wave and the 1926 stone hall."""

from __future__ import annotations

import math

import numpy as np

from metaseoul.scenes.builders.context import BuildContext
from metaseoul.scenes.builders.mesh import MeshBuilder


def wave_profile(depth: float, height: float, overhang: float, steps: int = 14) -> list[tuple[float, float]]:
    """The side section (y, z) of the glass wave: back wall, rising roof, leaning front.

    The roof climbs from the lower back to a crest that hangs ``overhang`` metres beyond the front
    line; the front face then falls back in a concave sweep to a foot recessed under the building.
    """
    half, front = depth / 2, -depth / 2
    pts = [(half, 0.0), (half, 0.7 * height)]
    crest = front - 0.55 * overhang
    for t in np.linspace(0, 1, steps // 2 + 1)[1:]:
        pts.append((half - t * (half - crest), height * (0.7 + 0.3 * math.sin(t * math.pi / 2))))
    for t in np.linspace(0, 1, steps + 1):
        y = front - overhang * (1 - t) ** 1.6 + 0.1 * depth * t * t
        pts.append((y, 0.95 * height * (1 - t) ** 1.1))
    return pts


def glass_wave_building(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Seoul's new City Hall: a glass skin that leans forward like the eaves of a hanok roof."""
    width, depth, height = obj["size"]
    profile = wave_profile(depth, height, obj.get("overhang", 0.25 * depth))
    glass, frame = ctx.material("main", "glass-blue"), ctx.material("frame", "steel")
    w = width / 2
    # the skin: each profile segment swept across the width
    for (ya, za), (yb, zb) in zip(profile, profile[1:]):
        mb.quad((w, ya, za), (-w, ya, za), (-w, yb, zb), (w, yb, zb), glass)
    mb.quad((w, profile[-1][0], 0), (-w, profile[-1][0], 0), (-w, profile[0][0], 0), (w, profile[0][0], 0), frame)
    # side walls: the profile as a flat (concave) polygon at each end
    mb.polygon([(w, y, z) for y, z in profile], glass, normal=(1, 0, 0))
    mb.polygon([(-w, y, z) for y, z in profile], glass, normal=(-1, 0, 0))
    # floor slabs show through the glass as thin bright bands on the sides
    floors = obj.get("floors", 13)
    for i in range(1, floors):
        z = height * 0.95 * i / floors
        y0, y1 = _span_at(profile, z)
        for x in (w + 0.05, -w - 0.05):
            mb.box((x, (y0 + y1) / 2, z), (0.1, y1 - y0 - 1.0, 0.35), frame, solid=False)
    mb.collide_box((-w, profile[-1][0], 0), (w, depth / 2, height * 0.7))
    # a ground-floor entrance canopy on the plaza side
    mb.box((0, profile[-1][0] - 3.5, 4.2), (18, 7, 0.4), frame, solid=False)


def _span_at(profile: list[tuple[float, float]], z: float) -> tuple[float, float]:
    """The front-most and back-most y where the closed profile crosses height ``z``."""
    ys = [ya + (yb - ya) * (z - za) / (zb - za)
          for (ya, za), (yb, zb) in zip(profile, profile[1:] + profile[:1])
          if za != zb and min(za, zb) <= z <= max(za, zb)]
    return min(ys), max(ys)


def heritage_hall(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """The 1926 City Hall (now Seoul Library): symmetric stone block, rows of windows, a clock tower."""
    width, depth, height = obj["size"]
    storeys = obj.get("storeys", 4)
    stone, upper = ctx.material("base", "granite-block"), ctx.material("main", "mortar-stone")
    window, trim = ctx.material("windows", "dark-steel"), ctx.material("trim", "concrete")
    plinth = height / storeys * 0.9
    w, d = width / 2, depth / 2
    mb.box((0, 0, 0), (width, depth, plinth), stone)
    mb.box((0, 0, plinth), (width, depth, height - plinth), upper)
    mb.box((0, 0, height), (width + 0.8, depth + 0.8, 0.6), trim, solid=False)  # cornice
    # projecting central bay and end pavilions
    for cx, bw in ((0.0, width * 0.22), (-w + width * 0.07, width * 0.14), (w - width * 0.07, width * 0.14)):
        mb.box((cx, -d - 0.6, 0), (bw, 1.2, height + (1.5 if cx == 0 else 0.8)), upper)
        mb.box((cx, -d - 0.6, 0), (bw + 0.2, 1.4, plinth), stone)
    # windows: one per bay per storey on the front and sides; the central bay has the doors
    bays = max(5, int(width // 3.4))
    storey_h = height / storeys
    for s in range(storeys):
        z0 = s * storey_h + storey_h * 0.28
        for b in range(bays):
            x = -w + width * (b + 0.5) / bays
            central = abs(x) < width * 0.11
            wy = -d - (1.26 if central or abs(abs(x) - (w - width * 0.07)) < width * 0.07 else 0.06)
            if s == 0 and central:
                mb.quad((x - 1.4, wy, 0.05), (x + 1.4, wy, 0.05), (x + 1.4, wy, storey_h * 0.85),
                        (x - 1.4, wy, storey_h * 0.85), window)
                continue
            mb.quad((x - 0.75, wy, z0), (x + 0.75, wy, z0), (x + 0.75, wy, z0 + storey_h * 0.5),
                    (x - 0.75, wy, z0 + storey_h * 0.5), window)
        for side in (-1, 1):
            for b in range(max(2, int(depth // 3.4))):
                y = -d + depth * (b + 0.5) / max(2, int(depth // 3.4))
                x = side * (w + 0.06)
                quad = [(x, y - 0.75, z0), (x, y + 0.75, z0), (x, y + 0.75, z0 + storey_h * 0.5),
                        (x, y - 0.75, z0 + storey_h * 0.5)]
                mb.quad(*(quad if side > 0 else quad[::-1]), window)
    if "tower" in obj:
        _clock_tower(mb, obj["tower"], height, d, ctx, upper, trim)
    if "banner" in obj:
        banner = ctx.material("banner", "banner-white")
        bw, bh = width * 0.2, storey_h * 1.3
        y = -d - 1.25
        mb.box((0, y, height - bh - 0.4), (bw, 0.1, bh), banner, solid=False)
        for line, (text, size) in enumerate(((obj["banner"]["ko"], 0.42), (obj["banner"]["en"], 0.22))):
            letters = ctx.text(text, height=bh * size, color="#1F3A5F", max_width=bw * 0.9)
            with mb.local((0, y - 0.07, height - 0.4 - bh * (0.45 if line == 0 else 0.8))):
                mb.attach(letters)


def _clock_tower(mb: MeshBuilder, tower: dict, roof_z: float, half_depth: float, ctx: BuildContext,
                 wall: str, trim: str) -> None:
    tw, th = tower["width"], tower["height"]
    y = -half_depth * 0.35
    mb.box((0, y, roof_z), (tw, tw, th - roof_z - tw * 0.5), wall, solid=False)
    top = th - tw * 0.5
    mb.box((0, y, top), (tw + 0.6, tw + 0.6, 0.5), trim, solid=False)
    mb.ellipsoid((0, y, top + 0.5), (tw * 0.42, tw * 0.42, tw * 0.5), ctx.material("dome", "noerok"),
                 rings=6, segments=16, upper_only=True)
    if tower.get("clock", True):
        face, hands = ctx.material("clock", "clock-face"), ctx.material("hands", "dark-steel")
        r = tw * 0.32
        cz = top - tw * 0.45
        with mb.local((0, y - tw / 2 - 0.05, cz), pitch=90):
            mb.cylinder((0, 0, 0), r, 0.08, face, segments=24, solid=False)
        mb.beam((0, y - tw / 2 - 0.2, cz), (0, y - tw / 2 - 0.2, cz + r * 0.8), 0.12, 0.05, hands)
        mb.beam((0, y - tw / 2 - 0.2, cz), (r * 0.45, y - tw / 2 - 0.2, cz - r * 0.2), 0.14, 0.05, hands)
