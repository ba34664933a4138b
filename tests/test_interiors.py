"""City Hall's interiors: they validate, render as rooms (a ceiling, lit inside), join up through their
doors, and a citizen walks into them from Seoul Plaza through City Hall's front doors."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from panda3d.core import NodePath, PNMImage

from metaseoul.runtime.walker import Intent, Walker
from metaseoul.runtime.world import World
from metaseoul.scenes import builtin_ids, check_files, load
from metaseoul.scenes.catalog import builtin_dir

INTERIORS = ["city-hall-lobby", "city-hall-120-centre", "city-hall-mayors-office", "city-hall-conference-hall",
             "city-hall-gallery", "city-hall-classroom", "city-hall-staff-office"]
SIZE = (320, 180)


@pytest.mark.parametrize("scene_id", INTERIORS)
def test_interior_validates_and_says_what_it_is(scene_id):
    path = builtin_dir() / f"{scene_id}.json"
    assert check_files([path])[path] == []
    scene = load(scene_id)
    assert scene.doc["format"] == 2
    for text in (scene.name, scene.doc["description"]):
        assert text["ko"] and text["en"] and text["ko"] != text["en"]
    assert len(scene.views) >= 2
    spawns = {s["name"] for s in scene.doc["spawns"]}
    assert len(spawns) >= len(scene.portals) + 1, "a spawn inside each door and a default"
    rooms = [o for o in scene.objects if o["type"] == "room"]
    assert rooms and all(o.get("name") and o.get("description") for o in rooms)
    assert any(o.get("interactive") for o in scene.objects), "its interactive objects are marked"
    assert any(o["type"] == "sign" for o in scene.objects), "a wayfinding sign"


def test_every_door_leads_somewhere_and_back():
    """From the plaza every interior is reached through doors, and each door has its way back."""
    leads = {sid: [(p["to"], p.get("spawn")) for p in load(sid).portals] for sid in ["city-hall", *INTERIORS]}
    reached, todo = {"city-hall"}, ["city-hall"]
    while todo:
        for to, _spawn in leads[todo.pop()]:
            if to in leads and to not in reached:
                reached.add(to)
                todo.append(to)
    assert reached == {"city-hall", *INTERIORS}
    for sid in INTERIORS:
        for to, _spawn in leads[sid]:
            assert any(back == sid for back, _ in leads[to]), f"{to} has no door back to {sid}"


def brightness(image: PNMImage, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float]:
    """Mean brightness and how much blue outweighs red over a block of pixels."""
    total, blue = 0.0, 0.0
    for y in range(y0, y1):
        for x in range(x0, x1):
            r, g, b = image.getXel(x, y)
            total += (r + g + b) / 3
            blue += b - r
    count = (x1 - x0) * (y1 - y0)
    return total / count, blue / count


@pytest.fixture(scope="module")
def renders(offscreen_base, tmp_path_factory):
    from metaseoul.client.headless import render_scene

    out = tmp_path_factory.mktemp("interiors")
    for scene_id in INTERIORS:
        render_scene(scene_id, out, size=SIZE, views=[load(scene_id).views[0]["name"]], frames=1)
    return out


@pytest.mark.parametrize("scene_id", INTERIORS)
def test_first_view_shows_a_lit_room_under_a_ceiling(renders, scene_id):
    image = PNMImage(str(renders / f"{scene_id}-{load(scene_id).views[0]['name']}.png"))
    w, h = SIZE
    top, top_blue = brightness(image, 0, 0, w, h // 10)
    assert not (top_blue > 0.08 and top > 0.5), f"the top rows look like sky ({top:.2f}, blue +{top_blue:.2f})"
    whole, _ = brightness(image, 0, 0, w, h)
    # measured at 640 x 360: 0.20-0.67 with the scenes' lamps; 0.07-0.10 for the hall and the classroom without them
    assert whole > 0.17, f"the room is dark ({whole:.2f}): it should be lit from inside"
    rows = [brightness(image, 0, y, w, y + h // 6)[0] for y in range(0, h - h // 6 + 1, h // 6)]
    assert max(rows) - min(rows) > 0.03, "the picture should not be one flat colour"


def local_to_world(obj: dict, x: float, y: float) -> tuple[float, float]:
    """A point given in an object's own frame (front towards -y) in scene coordinates."""
    h = math.radians(180 - obj.get("facing", 180))
    cx, cy, _ = obj["position"]
    return cx + x * math.cos(h) - y * math.sin(h), cy + x * math.sin(h) + y * math.cos(h)


def walk_to(world: World, walker: Walker, target: tuple[float, float], seconds: float = 60.0):
    """Steer towards ``target``; the portal passed through on the way, None, or False if never reached."""
    for _ in range(int(seconds * 60)):
        p = walker.position
        dx, dy = target[0] - p.x, target[1] - p.y
        if math.hypot(dx, dy) < 0.5:
            return None
        turn = ((math.degrees(math.atan2(dx, dy)) - walker.facing + 180) % 360) - 180
        walker.update(1 / 60, Intent(forward=1.0, turn=turn, run=True), world.built.collision)
        portal = world.use_portal(walker)
        if portal is not None:
            return portal
    return False


def test_walk_from_the_plaza_through_the_front_doors_to_the_120_centre():
    world = World(NodePath("render"))
    world.enter("city-hall")
    walker = Walker(world.render)
    world.spawn(walker, "plaza")
    objects = {o["id"]: o for o in world.scene.objects}
    old, new = objects["old-city-hall"], objects["new-city-hall"]
    # across the lawn between two lamps, round the old hall's east end, behind it to the canopy, in
    route = [(3, -30), (3, 45), local_to_world(old, 34, -14), local_to_world(old, 34, 16),
             local_to_world(new, 0, -28.5), local_to_world(new, 0, -15)]
    for point in route[:-1]:
        assert walk_to(world, walker, point) is None, f"stopped before {point} at {walker.position}"
    through = walk_to(world, walker, route[-1], seconds=10)
    assert through and through.id == "city-hall-doors", "the glass front stops the walker inside the door portal"
    assert world.scene.id == "city-hall-lobby"
    assert world.portal_at(walker.position) is None, "arriving does not stand in a portal"
    door = next(p for p in world.scene.portals if p["id"] == "to-120-centre")
    x, y, _ = door["position"]
    assert walk_to(world, walker, (x - 2.5, y)) is None
    through = walk_to(world, walker, (x + 2, y), seconds=10)
    assert through and through.to == "city-hall-120-centre"
    assert world.scene.id == "city-hall-120-centre"
    lo, hi = world.built.objects["counter-hall"].bounds
    assert lo.x < walker.position.x < hi.x and lo.y < walker.position.y < hi.y, "standing inside the counter hall"
    world.leave()


def test_scenes_lists_the_interiors():
    result = subprocess.run([sys.executable, "-m", "metaseoul", "scenes", "--json"], capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    listed = {scene["id"]: scene for scene in json.loads(result.stdout)}
    assert set(INTERIORS) <= set(listed) and set(INTERIORS) <= set(builtin_ids())
    assert listed["city-hall-lobby"]["name"]["en"].startswith("Seoul City Hall lobby")


@pytest.mark.parametrize("scene_id", INTERIORS)
def test_every_way_in_arrives_inside_a_room_and_out_of_every_portal(scene_id):
    """Each door leading into ``scene_id`` spawns the citizen inside one of its rooms, clear of its portals."""
    world = World(NodePath("render"))
    world.enter(scene_id)
    walker = Walker(world.render)
    arrivals = {p.get("spawn") for sid in ["city-hall", *INTERIORS] for p in load(sid).portals if p["to"] == scene_id}
    assert arrivals, f"no door leads into {scene_id}"
    for spawn in sorted(arrivals) + [None]:
        world.spawn(walker, spawn)
        p = walker.position
        assert world.portal_at(p) is None, f"{spawn} stands in a portal"
        assert any(r.lo.x < p.x < r.hi.x and r.lo.y < p.y < r.hi.y and r.lo.z <= p.z < r.hi.z
                   for r in world.built.rooms), f"{spawn} at {p} is outside every room"
    world.leave()
