"""Builders of indoor shells: rooms with openings, stairs, ramps, columns and railings.

Walls and ceilings are closed slabs, so they hide the sky and cast the sun's shadow from any side;
everything citizens should stand on collides (the walker's floor rays find it), and windows carry an
invisible pane so that a citizen cannot climb out through one.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from metaseoul.scenes import shell
from metaseoul.scenes.builders.context import BuildContext
from metaseoul.scenes.builders.mesh import MeshBuilder

FRAME = 0.06  # width of a door or window frame, metres
RAIL = 0.05  # thickness of a handrail
RISER = 0.18  # the highest riser a default flight of stairs gets


def room(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Floor, ceiling and four walls around a clear inner space of ``size``, openings cut into the walls."""
    w, d, h = obj["size"]
    t = obj.get("wall", shell.DEFAULT_WALL)
    if obj.get("floor", True):
        mb.box((0, 0, -t), (w + 2 * t, d + 2 * t, t), ctx.material("floor", "granite"))
    if obj.get("ceiling", True):
        mb.box((0, 0, h), (w + 2 * t, d + 2 * t, t), ctx.material("ceiling", "hobun"))
    by_wall: dict[str, list[dict]] = {name: [] for name in shell.WALLS}
    for opening in obj.get("openings", []):
        by_wall[opening["wall"]].append(opening)
    for name, frame in shell.wall_frames(obj).items():
        with mb.local((*frame.center, 0), heading=frame.heading):
            _wall(mb, frame.length, t, h, by_wall[name], ctx)


def _wall(mb: MeshBuilder, length: float, t: float, h: float, openings: list[dict], ctx: BuildContext) -> None:
    """One wall in its own frame (x along it, y outwards from 0 to ``t``), with its openings left open."""
    material, trim = ctx.material("walls", "concrete"), ctx.material("trim", "dark-steel")
    cursor = -length / 2
    for opening in sorted(openings, key=lambda o: o.get("offset", 0.0) - o["width"] / 2):
        offset = opening.get("offset", 0.0)
        u0, u1 = offset - opening["width"] / 2, offset + opening["width"] / 2
        z0 = shell.sill(opening)
        z1 = min(h, z0 + opening["height"])
        _piece(mb, cursor, u0, 0.0, h, t, material)
        _piece(mb, u0, u1, 0.0, z0, t, material)
        _piece(mb, u0, u1, z1, h, t, material)
        if opening["kind"] != "arch":
            _frame(mb, u0, u1, z0, z1, t, trim, sill=opening["kind"] == "window")
        if opening["kind"] == "window":  # an invisible pane as thick as the wall: light and eyes pass, citizens do not
            mb.collide_box((u0, 0, z0), (u1, t, z1))
        cursor = max(cursor, u1)
    _piece(mb, cursor, length / 2, 0.0, h, t, material)


def _piece(mb: MeshBuilder, u0: float, u1: float, z0: float, z1: float, t: float, material: str) -> None:
    if u1 - u0 > 1e-4 and z1 - z0 > 1e-4:
        mb.box(((u0 + u1) / 2, t / 2, z0), (u1 - u0, t, z1 - z0), material)


def _frame(mb: MeshBuilder, u0: float, u1: float, z0: float, z1: float, t: float, trim: str, sill: bool) -> None:
    """Jambs and a head lining the opening's reveal (and a sill under a window), a little proud of the wall."""
    depth = t + 0.04
    for u in (u0 + FRAME / 2, u1 - FRAME / 2):
        mb.box((u, t / 2, z0), (FRAME, depth, z1 - z0), trim, solid=False)
    mb.box(((u0 + u1) / 2, t / 2, z1 - FRAME), (u1 - u0, depth, FRAME), trim, solid=False)
    if sill:
        mb.box(((u0 + u1) / 2, t / 2, z0), (u1 - u0, depth, FRAME), trim, solid=False)


def _barrier(mb: MeshBuilder, a, b, height: float, thick: float = 0.2) -> None:
    """An invisible slab from ``a`` to ``b`` (x, y, z of its foot), ``height`` tall and ``thick`` across.
    It has a thickness because a collision surface stops the walker's body by as much as the two faces
    it touches differ: a pane with no thickness would let citizens through."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    along = (b - a)[:2] / np.linalg.norm((b - a)[:2])
    side = np.array([-along[1], along[0], 0.0]) * thick / 2
    up = np.array([0.0, 0.0, height])
    centre = (a + b) / 2 + up / 2
    for quad in ([a - side, b - side, b - side + up, a - side + up], [a + side, b + side, b + side + up, a + side + up],
                 [a - side, a + side, a + side + up, a - side + up], [b - side, b + side, b + side + up, b - side + up]):
        normal = np.cross(quad[1] - quad[0], quad[2] - quad[1])
        mb.collide(quad if np.dot(normal, np.mean(quad, axis=0) - centre) > 0 else quad[::-1])


def stairs(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A straight flight climbing towards the front (local -y) from its bottom step's front edge."""
    width, rise, run = obj["width"], obj["rise"], obj["run"]
    steps = obj.get("steps", max(1, math.ceil(rise / RISER - 1e-9)))
    tread, riser = run / steps, rise / steps
    material = ctx.material("main", "granite")
    for i in range(steps):
        mb.box((0, -(i + 0.5) * tread, 0), (width, tread, (i + 1) * riser), material)
    if obj.get("railings", True):
        _slope_railings(mb, width, rise, run, ctx, lift=riser)


def ramp(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A walkable slope climbing towards the front (local -y), ``rise`` over ``run``."""
    w, rise, run = obj["width"] / 2, obj["rise"], obj["run"]
    material = ctx.material("main", "granite")
    mb.polygon([(-w, 0, 0), (w, 0, 0), (w, -run, rise), (-w, -run, rise)], material, solid=True,
               normal=(0, rise, run))
    for x in (-w, w):
        mb.polygon([(x, 0, 0), (x, -run, 0), (x, -run, rise)], material, solid=True, normal=(x, 0, 0))
    mb.polygon([(-w, -run, 0), (w, -run, 0), (w, -run, rise), (-w, -run, rise)], material, solid=True,
               normal=(0, -1, 0))
    mb.polygon([(-w, 0, 0), (w, 0, 0), (w, -run, 0), (-w, -run, 0)], material, normal=(0, 0, -1))
    if obj.get("railings", True):
        _slope_railings(mb, obj["width"], rise, run, ctx, lift=0.0)


def _slope_railings(mb: MeshBuilder, width: float, rise: float, run: float, ctx: BuildContext,
                    lift: float, height: float = 0.9) -> None:
    """Handrails on both sides of a flight or ramp, with an invisible barrier under each rail."""
    steel = ctx.material("railings", "steel")
    for x in (-width / 2, width / 2):
        start, end = np.array([x, 0.0, lift]), np.array([x, -run, rise])
        mb.beam(start + [0, 0, height], end + [0, 0, height], RAIL, RAIL, steel)
        posts = max(2, math.ceil(run / 1.5) + 1)
        for k in range(posts):
            p = start + (end - start) * k / (posts - 1)
            mb.box((p[0], p[1], p[2]), (RAIL, RAIL, height), steel, solid=False)
        _barrier(mb, (x, 0, 0), (x, -run, rise), height + lift)


def column(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    material = ctx.material("main", "concrete")
    if obj.get("shape", "round") == "round":
        mb.cylinder((0, 0, 0), obj.get("radius", 0.3), obj["height"], material, segments=24)
    else:
        w, d = obj.get("size", [0.6, 0.6])
        mb.box((0, 0, 0), (w, d, obj["height"]), material)


def railing(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """Posts and a top and middle rail along a path; citizens cannot pass through it."""
    height = obj.get("height", 1.1)
    steel = ctx.material("main", "steel")
    pts = np.asarray(obj["points"], float)
    for (ax, ay), (bx, by) in pairwise(pts):
        for z in (height, height / 2):
            mb.beam((ax, ay, z), (bx, by, z), RAIL, RAIL, steel)
        _barrier(mb, (ax, ay, 0), (bx, by, 0), height)
    for x, y in pts:
        mb.box((x, y, 0), (RAIL, RAIL, height), steel, solid=False)
