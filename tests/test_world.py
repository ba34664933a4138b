"""Walking and portals, simulated in fixed steps on the real built scenes (no window needed)."""

from __future__ import annotations

import math

import pytest
from panda3d.core import NodePath

from metaseoul.runtime.walker import Intent, Walker
from metaseoul.runtime.world import World


@pytest.fixture
def world():
    world = World(NodePath("render"))
    world.enter("city-hall")
    yield world
    world.leave()


def walk(world: World, walker: Walker, seconds: float, **intent) -> list:
    track = []
    for _ in range(int(seconds * 60)):
        walker.update(1 / 60, Intent(**intent), world.built.collision)
        track.append(walker.position)
    return track


def distance_to_front(world: World, point) -> float:
    """Signed distance from the old City Hall's front plane (positive: in front, on the plaza side)."""
    hall = next(o for o in world.scene.objects if o["id"] == "old-city-hall")
    facing = math.radians(hall["facing"])
    normal = (math.sin(facing), math.cos(facing))
    cx, cy, _ = hall["position"]
    front = hall["size"][1] / 2 + 1.2  # the projecting central bay
    return (point.x - cx) * normal[0] + (point.y - cy) * normal[1] - front


def test_walking_into_city_hall_facade_stops_at_the_wall(world):
    hall = next(o for o in world.scene.objects if o["id"] == "old-city-hall")
    toward = math.radians(hall["facing"])
    cx, cy, _ = hall["position"]
    walker = Walker(world.render)
    # 34 m out from the hall's middle, on the plaza side, walking straight at the entrance
    walker.place((cx + 34 * math.sin(toward), cy + 34 * math.cos(toward), 0), facing=(hall["facing"] + 180) % 360)
    start = distance_to_front(world, walker.position)
    track = walk(world, walker, 5.0, forward=1.0, run=True)
    assert start > 15
    assert min(distance_to_front(world, p) for p in track) > 0.1, "walked into the building"
    end = distance_to_front(world, walker.position)
    assert end < 0.6, f"should be stopped against the wall, {end:.2f} m short of it"
    assert track[-1] == track[-30], "should stand still once against the wall"


def test_walks_through_daehanmun_and_steps_onto_lawn(world):
    walker = Walker(world.render)
    walker.place((-120, 8, 0), facing=270)
    walk(world, walker, 10.0, forward=1.0)
    assert walker.position.x < -140, "the gate's middle passage should be open"
    walker.place((3, -45, 0), facing=0)  # between two of the lamps that ring the lawn
    walk(world, walker, 3.0, forward=1.0)
    assert walker.position.z == pytest.approx(0.11, abs=1e-3), "should step up onto the lawn"


def test_jump_goes_up_and_lands(world):
    walker = Walker(world.render)
    walker.place((0, -70, 0), facing=0)
    walker.update(1 / 60, Intent(jump=True), world.built.collision)
    heights = [p.z for p in walk(world, walker, 1.5)]
    assert 0.6 < max(heights) < 1.2
    assert heights[-1] == pytest.approx(0.0, abs=1e-3)


def test_cannot_leave_the_scene_bounds(world):
    walker = Walker(world.render)
    world.spawn(walker, "plaza")
    walker.place((160, -140, 0), facing=135, bounds=walker.bounds)
    walk(world, walker, 5.0, forward=1.0, run=True)
    (x0, y0), (x1, y1) = world.scene.doc["bounds"]["min"], world.scene.doc["bounds"]["max"]
    assert x0 <= walker.position.x <= x1 and y0 <= walker.position.y <= y1
    assert walker.position.z > -1


def test_falling_out_of_the_world_returns_to_spawn(world):
    walker = Walker(world.render)
    world.spawn(walker, "plaza")
    spawn = walker.position
    walker.body.setZ(-60)
    walk(world, walker, 0.1)
    assert (walker.position - spawn).length() < 0.5


def test_portal_changes_scene(world):
    walker = Walker(world.render)
    portal = world.scene.portals[0]
    x, y, z = portal["position"]
    walker.place((x, y - 6, z), facing=0)
    changed = None
    for _ in range(5 * 60):
        walker.update(1 / 60, Intent(forward=1.0), world.built.collision)
        changed = world.use_portal(walker)
        if changed:
            break
    assert changed is not None and changed.to == "gwanghwamun"
    assert world.scene.id == "gwanghwamun"
    spawn = world.scene.spawn("from-city-hall")["position"]
    assert (walker.position - type(walker.position)(*spawn)).length() < 0.01
    assert world.render.find("scene:city-hall").isEmpty(), "the old scene should be gone"
    assert not world.render.find("scene:gwanghwamun").isEmpty()


def test_knee_high_obstacles_stop_and_steps_are_climbed():
    from pathlib import Path

    from metaseoul.scenes.catalog import Scene, material_library
    from metaseoul.scenes.loader import build

    objects = [{"id": f"block-{h}", "type": "box", "position": [x, 5, 0], "size": [2, 2, h]}
               for x, h in ((0, 0.3), (10, 0.45), (20, 0.5), (30, 0.55), (40, 1.0))]
    doc = {"format": 1, "id": "steps", "name": {"ko": "계단", "en": "Steps"}, "objects": objects,
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 5, 0]}]}
    built = build(Scene(doc=doc, source=Path("steps.json"), materials=material_library()))
    world = NodePath("world")
    built.collision.reparentTo(world)
    walker = Walker(world)
    for x, height, climbable in ((0, 0.3, True), (10, 0.45, True), (20, 0.5, False), (30, 0.55, False),
                                 (40, 1.0, False)):
        walker.place((x, 0, 0), facing=0)
        highest = 0.0
        for _ in range(4 * 60):
            walker.update(1 / 60, Intent(forward=1.0), built.collision)
            highest = max(highest, walker.position.z)
        on_top = highest == pytest.approx(height, abs=1e-3)
        assert on_top == climbable, f"a {height} m block should {'' if climbable else 'not '}be climbed"
        if not climbable:
            assert walker.position.y < 4, f"a {height} m block should stop the walker"


def test_arriving_in_a_portal_does_not_bounce_back(world):
    walker = Walker(world.render)
    x, y, z = world.scene.portals[0]["position"]
    walker.place((x, y, z), facing=0)
    assert world.use_portal(walker) is not None and world.scene.id == "gwanghwamun"
    target = world.scene.portals[0]  # gwanghwamun's way back; stand in it as if we had spawned there
    walker.place(tuple(target["position"]), facing=0)
    world._arrived_in = world.portal_at(walker.position)
    for _ in range(10):
        assert world.use_portal(walker) is None, "standing still in the arrival portal must not travel"
    walker.place((0, 0, 0), facing=0)
    assert world.use_portal(walker) is None
    walker.place(tuple(target["position"]), facing=0)
    assert world.use_portal(walker) is not None, "stepping out and back in travels"
