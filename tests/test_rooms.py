"""Rooms, stairs, ramps, columns and railings: judged from rendered pixels, from a walker's steps and from
the validator's messages, on real built scenes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from panda3d.core import NodePath, PNMImage

from metaseoul.client.headless import render_scene
from metaseoul.runtime.walker import Intent, Walker
from metaseoul.scenes import check_files, load, load_file
from metaseoul.scenes.catalog import Scene, builtin_dir, material_library
from metaseoul.scenes.loader import build
from tests.test_render import is_sky, mean_colour, project

ROOT = Path(__file__).parents[1]
ROOMS = Path(__file__).parent / "fixtures" / "rooms"
SIZE = (200, 120)


def scene_doc(objects: list[dict], view: dict, environment: dict | None = None) -> dict:
    return {"format": 2, "id": "rooms-test", "name": {"ko": "방", "en": "Room"},
            "environment": environment or {"date": "12-21", "time": "12:00"},
            "spawns": [{"name": "s", "position": [0, 0, 0]}], "views": [dict(view, name="v")], "objects": objects}


def render(doc: dict, folder: Path) -> PNMImage:
    path = folder / "scene.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    render_scene(path, folder / "out", size=SIZE, frames=1)
    return PNMImage(str(folder / "out" / "rooms-test-v.png"))


def room(**fields) -> dict:
    return {"id": "hall", "type": "room", "position": [0, 0, 0], "size": [8, 8, 3.5]} | fields


def spot(image: PNMImage, view: dict, point, r: int = 3) -> tuple[float, float, float]:
    px, py = project(view, point, SIZE)
    return mean_colour(image, px - r, py - r, px + r + 1, py + r + 1)


def brightness(colour) -> float:
    return sum(colour) / 3


def test_the_ceiling_hides_the_sky(offscreen_base, tmp_path):
    view = {"position": [0, -1, 1.6], "look_at": [0, 0.2, 5], "fov": 60}
    closed = render(scene_doc([room()], view), tmp_path / "closed")
    open_top = render(scene_doc([room(ceiling=False)], view), tmp_path / "open")
    w, h = SIZE
    with_ceiling = mean_colour(closed, w // 3, h // 3, 2 * w // 3, 2 * h // 3)
    without = mean_colour(open_top, w // 3, h // 3, 2 * w // 3, 2 * h // 3)
    # measured: (0.16, 0.14, 0.11) under the ceiling; the sky without it (0.23, 0.52, 0.80), in every run
    assert not is_sky(with_ceiling), f"the sky shows through the ceiling: {with_ceiling}"
    assert is_sky(without), f"without a ceiling the sky should show: {without}"


def test_a_window_lets_the_sun_in(offscreen_base, tmp_path):
    """Midwinter noon: the sun stands 29 degrees high in the south, so a south window (front wall, the room
    facing south) throws a patch from 1.8 to 4.6 m into the room; elsewhere the floor is in the walls' shade."""
    window = {"wall": "front", "kind": "window", "width": 2.0, "height": 1.5, "sill": 1.0}
    view = {"position": [0, 3.5, 2.5], "look_at": [0, -1, 0], "fov": 70}
    patch, shade = (0, -1.0, 0), (2.8, -1.0, 0)
    lit = render(scene_doc([room(openings=[window])], view), tmp_path / "window")
    dark = render(scene_doc([room()], view), tmp_path / "wall")
    in_patch, beside = brightness(spot(lit, view, patch)), brightness(spot(lit, view, shade))
    no_window = brightness(spot(dark, view, patch))
    # measured: 0.67 in the patch, 0.21 beside it, 0.20 on the same spot with no window, in every run
    assert in_patch > no_window + 0.25, f"no sunlit patch below the window: {in_patch:.2f} vs {no_window:.2f}"
    assert in_patch > beside + 0.25, f"the sun should light only the patch: {in_patch:.2f} vs {beside:.2f}"
    assert abs(beside - brightness(spot(dark, view, shade))) < 0.03, "the window should not light the shade"


def test_the_rooms_ambient_scales_its_sky_light(offscreen_base, tmp_path):
    view = {"position": [0, 2, 1.6], "look_at": [0, -4, 1.5], "fov": 50}
    dim = render(scene_doc([room(ambient=0.2)], view), tmp_path / "dim")
    bright = render(scene_doc([room(ambient=1.5)], view), tmp_path / "bright")
    wall = (0, -4, 1.5)
    low, high = brightness(spot(dim, view, wall)), brightness(spot(bright, view, wall))
    # measured: 0.15 at ambient 0.2, 0.54 at ambient 1.5 (tone mapping compresses the ratio)
    assert high > 2.5 * low and high - low > 0.2, f"ambient 1.5 should be far brighter than 0.2: {high} vs {low}"


def walk_scene(objects: list[dict]):
    doc = scene_doc(objects, {"position": [0, -5, 2], "look_at": [0, 0, 0]})
    built = build(Scene(doc=doc, source=Path("walk.json"), materials=material_library()))
    world = NodePath("world")
    built.collision.reparentTo(world)
    return built, Walker(world)


def walk(walker: Walker, built, start, facing: float, seconds: float) -> None:
    walker.place(start, facing=facing)
    for _ in range(int(seconds * 60)):
        walker.update(1 / 60, Intent(forward=1.0), built.collision)


def landing(x: float, run: float, rise: float) -> dict:
    return {"id": f"landing-{x}", "type": "box", "position": [x, run + 5, 0], "size": [2, 10, rise]}


@pytest.mark.parametrize("kind, rise, run, climbs", [
    ("stairs", 3.0, 5.0, True),
    ("ramp", 1.5, 6.0, True),
    ("ramp", 1.5, 1.0, True),  # grade 1.5: the validator's limit, still climbed
    ("ramp", 1.6, 1.0, False),  # grade 1.6: validate refuses it, and the walker cannot climb it
])
def test_a_walker_climbs_stairs_and_ramps_to_the_top(kind, rise, run, climbs):
    flight = {"id": "flight", "type": kind, "position": [0, 0, 0], "facing": 0, "width": 2, "rise": rise, "run": run}
    built, walker = walk_scene([flight, landing(0, run, rise)])
    walk(walker, built, (0, -2, 0), 0, 4.0)
    on_top = walker.position.z == pytest.approx(rise, abs=1e-3) and walker.position.y > run
    assert on_top == climbs, f"{kind} {rise}/{run}: ended at {walker.position}"


def test_walls_stop_a_walker_and_doors_let_one_through():
    openings = [{"wall": "front", "kind": "door", "width": 1.2, "height": 2.1},
                {"wall": "front", "kind": "window", "offset": 2.5, "width": 1.2, "height": 2.5, "sill": 0}]
    built, walker = walk_scene([room(openings=openings)])
    for x, passes in ((0.0, True), (2.5, False), (-2.5, False)):  # the door, the wall, the floor-to-ceiling window
        walk(walker, built, (x, -8, 0), 0, 5.0)
        inside = walker.position.y > -3.5
        assert inside == passes, f"at x={x} the walker ended at {walker.position}"
        if not passes:
            assert walker.position.y < -4.2, "stopped by the wall's outer face"


def test_a_railing_stops_a_walker():
    built, walker = walk_scene([{"id": "rail", "type": "railing", "position": [0, 0, 0], "points": [[-3, 2], [3, 2]]}])
    walk(walker, built, (0, -2, 0), 0, 4.0)
    assert 1.0 < walker.position.y < 2.0, f"walked through the railing to {walker.position}"


def test_openings_and_rooms_are_in_the_built_scene():
    built = build(load_file(ROOT / "docs" / "examples" / "gallery.json"))
    door = built.objects["gallery-door-1"]
    assert (door.role, door.type, door.name["en"]) == ("door", "door", "To Seoul Plaza")
    windows = [built.objects[f"gallery-window-{n}"] for n in (1, 2)]
    assert [w.role for w in windows] == ["window", "window"]
    # offsets are rightwards seen from inside: -4.5 on the front (south) wall lies east
    assert windows[0].bounds[0].x == pytest.approx(3.3) and windows[1].bounds[1].x == pytest.approx(-3.3)
    assert windows[0].bounds[0].z == pytest.approx(1.0) and windows[0].bounds[1].z == pytest.approx(2.8)
    (gallery,) = built.rooms
    assert (gallery.id, gallery.ambient) == ("gallery", 0.35)
    assert tuple(gallery.lo) == pytest.approx((-7.5, -5, 0)) and tuple(gallery.hi) == pytest.approx((7.5, 5, 5))


def test_a_turned_room_has_its_openings_and_inside_turned_with_it():
    doc = scene_doc([room(facing=90, size=[8, 4, 3], openings=[{"wall": "front", "kind": "door", "width": 1,
                                                              "height": 2, "offset": 1}])],
                    {"position": [0, -5, 2], "look_at": [0, 0, 0]})
    built = build(Scene(doc=doc, source=Path("t.json"), materials=material_library()))
    (hall,) = built.rooms
    assert tuple(hall.lo) == pytest.approx((-2, -4, 0), abs=1e-6)
    assert tuple(hall.hi) == pytest.approx((2, 4, 3), abs=1e-6)
    door = built.objects["hall-door-1"]  # the front faces east; offset 1 is rightwards seen from inside: south
    assert door.bounds[0].x == pytest.approx(2.0, abs=1e-6) and door.position.y == pytest.approx(-1.0, abs=1e-6)


def test_the_gallery_example_validates_and_renders_with_its_ceiling(offscreen_base, tmp_path):
    path = ROOT / "docs" / "examples" / "gallery.json"
    assert check_files([path]) == {path: []}
    render_scene(path, tmp_path, size=SIZE, views=["inside", "outside"], frames=1)
    inside, outside = (PNMImage(str(tmp_path / f"example-gallery-{v}.png")) for v in ("inside", "outside"))
    w, h = SIZE
    assert not is_sky(mean_colour(inside, 0, 0, w, h // 10)), "the gallery's ceiling should be overhead"
    assert is_sky(mean_colour(outside, 0, 0, w, h // 10)), "outside, the sky is overhead"


def test_migrate_upgrades_a_format_1_scene_that_builds_the_same(tmp_path):
    source = tmp_path / "city-hall-copy.json"  # a built-in's copy under its own id (ids are unique)
    source.write_text(json.dumps(json.loads((builtin_dir() / "city-hall.json").read_text()) | {"id": "copy"}))
    (tmp_path / "v2").mkdir()
    out = tmp_path / "v2" / "city-hall-2.json"  # beside its source, two files would share one id
    done = subprocess.run([sys.executable, "-m", "metaseoul", "migrate", str(source), "--out", str(out)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "upgraded to format 2" in done.stderr
    old, new = json.loads(source.read_text()), json.loads(out.read_text("utf-8"))
    assert new["format"] == 2 and list(new) == list(old)
    assert {k: v for k, v in new.items() if k not in ("format", "$schema")} == \
        {k: v for k, v in old.items() if k not in ("format", "$schema")}
    assert check_files([out]) == {out: []}
    before, after = build(load("city-hall")), build(load_file(out))
    assert {i: (o.type, o.bounds) for i, o in after.objects.items()} == \
        {i: (o.type, o.bounds) for i, o in before.objects.items()}
    again = subprocess.run([sys.executable, "-m", "metaseoul", "migrate", str(source), "--out", str(out)],
                           check=False, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already exists" in again.stderr, "an existing file is never overwritten"


def test_migrate_refuses_what_validate_refuses(fixtures, tmp_path):
    broken = fixtures / "invalid" / "bad-id.json"
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "metaseoul", "migrate", str(broken), "--out", str(out)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and f"{broken}: id: expected an id" in done.stderr
    assert not out.exists()


ROOM_ERRORS = {  # fixture → (field path, words of its message)
    "opening-past-wall-end": ("objects[0].openings[1].offset", "runs past the end of the left wall"),
    "opening-above-ceiling": ("objects[0].openings[1].height", "above the ceiling at 3 m"),
    "openings-overlap": ("objects[0].openings[2]", "overlaps opening 1 along the left wall"),
    "opening-to-unknown-portal": ("objects[0].openings[0].to", "no portal 'to-jongmyo' in this scene"),
    "opening-id-taken": ("objects[0].openings[1].id", "id 'flight' is already used"),
    "opening-default-id-taken": ("objects[0].openings[0]", "id 'hall-door-1' is already used"),
    "ramp-too-steep": ("objects[2].rise", "steeper than citizens can walk"),
    "stairs-too-steep": ("objects[1].rise", "steeper than citizens can walk"),
    "stairs-steps-too-high": ("objects[1].steps", "use at least 4 steps"),
    "too-many-rooms": ("objects[18]", "at most 16 rooms"),
}


def test_every_room_fixture_is_listed():
    assert {p.stem for p in ROOMS.glob("*.json")} == set(ROOM_ERRORS) | {"valid"}
    assert check_files([ROOMS / "valid.json"]) == {ROOMS / "valid.json": []}


@pytest.mark.parametrize("name", sorted(ROOM_ERRORS))
def test_a_room_that_does_not_fit_is_refused_with_a_located_message(name):
    path = ROOMS / f"{name}.json"
    field, words = ROOM_ERRORS[name]
    texts = [str(e) for e in check_files([path])[path]]
    assert len(texts) == 1 and f"{path}: {field}: " in texts[0] and words in texts[0], texts
