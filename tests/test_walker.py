"""A walker against boxes of every height: stepped onto up to STEP_UP, walked around (never through) above it.

Boxes between about 1.05 and 1.3 m used to let a body through: their walkable top met the upper body sphere.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from panda3d.core import NodePath, Point3

from metaseoul.runtime.walker import Intent, Walker
from metaseoul.scenes.catalog import Scene, material_library
from metaseoul.scenes.loader import build

BOX = ((-1.0, 1.0), (1.0, 3.0))  # a 2 x 2 m box's footprint, (x0, y0), (x1, y1)
# (run, compass facing, start x): head-on, and slanting in at the front and the corner, where it used to fail
APPROACHES = [(False, 0, 0.0), (True, 0, -0.6), (False, 10, -1.6), (True, 15, -2.0), (False, 30, -2.0)]


def box_world(height: float):
    (x0, y0), (x1, y1) = BOX
    box = {"id": "box", "type": "box", "position": [(x0 + x1) / 2, (y0 + y1) / 2, 0], "size": [x1 - x0, y1 - y0, height]}
    doc = {"format": 1, "id": "boxes", "name": {"ko": "상자", "en": "Boxes"}, "objects": [box],
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 2, 0]}]}
    built = build(Scene(doc=doc, source=Path("boxes.json"), materials=material_library()))
    world = NodePath("world")
    built.collision.reparentTo(world)
    return world, built.collision


def walk(height: float, run: bool, facing: float, x: float, seconds: float = 3.0) -> list[Point3]:
    """Walk from 3 m in front of the box's near face; the track."""
    world, collision = box_world(height)
    walker = Walker(world)
    walker.place((x, -3.0, 0), facing=facing)
    track = []
    for _ in range(int(seconds * 60)):
        walker.update(1 / 60, Intent(forward=1.0, run=run), collision)
        track.append(Point3(walker.position))
    return track


def clearance(p: Point3) -> float:
    """How far the body's axis is from the box's footprint (0 inside it)."""
    (x0, y0), (x1, y1) = BOX
    return math.hypot(max(x0 - p.x, 0.0, p.x - x1), max(y0 - p.y, 0.0, p.y - y1))


@pytest.mark.parametrize("height", [1.0, 1.1, 1.2, 1.3, 1.5, 2.5])
@pytest.mark.parametrize("run, facing, x", APPROACHES)
def test_a_box_too_tall_to_step_on_is_never_walked_into(height, run, facing, x):
    track = walk(height, run, facing, x)
    closest = min(clearance(p) for p in track)
    assert closest > Walker.RADIUS - 0.05, f"a {height} m box let the body in: {closest:.2f} m from it"
    assert max(p.z for p in track) < 0.01, f"a {height} m box lifted the body: {max(p.z for p in track):.2f} m"


@pytest.mark.parametrize("height", [1.0, 1.2, 1.5, 2.5])
def test_walking_straight_at_a_tall_box_stops_in_front_of_it(height):
    track = walk(height, False, 0, 0.0)
    assert track[-1].y == pytest.approx(BOX[0][1] - Walker.RADIUS, abs=0.05), f"stopped at {track[-1]}"
    assert (track[-1] - track[-30]).length() < 1e-3, "should stand still against it"


@pytest.mark.parametrize("run, facing, x", APPROACHES[:3])
def test_a_box_of_step_height_is_stepped_onto_and_crossed(run, facing, x):
    track = walk(0.4, run, facing, x)
    assert max(p.z for p in track) == pytest.approx(0.4, abs=1e-3), "should step up onto a 0.4 m box"
    assert track[-1].y > BOX[1][1], f"should have crossed it: {track[-1]}"
