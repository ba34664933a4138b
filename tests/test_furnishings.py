"""Pictures, screens and furniture, from real built scenes and rendered pixels, and their validation."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from panda3d.core import NodePath, PNMImage, Point2, Point3

from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.walker import Intent, Walker
from metaseoul.runtime.world import World
from metaseoul.scenes import catalog
from metaseoul.scenes.builders import AFFORDANCES
from metaseoul.scenes.builders.furniture import SIZES
from metaseoul.scenes.catalog import Scene, material_library
from metaseoul.scenes.loader import build

SIZE = (192, 144)
QUADRANTS = {"top-left": (1, 0, 0), "top-right": (0, 1, 0), "bottom-left": (0, 0, 1), "bottom-right": (1, 1, 0)}
FURNITURE = ["desk", "chair", "sofa", "counter", "lectern", "stage", "seat-rows", "partition", "plant",
             "display-case", "plinth", "shelf"]


def scene_doc(objects: list[dict], **extra) -> dict:
    return {"format": 2, "id": "furnish-test", "name": {"ko": "가구", "en": "Furniture"}, "objects": objects,
            "spawns": [{"name": "start", "position": [0, -8, 0]}],
            "views": [{"name": "front", "position": [0, -6, 1.5], "look_at": [0, 0, 1.5]}], **extra}


def write_scene(folder: Path, objects: list[dict], **extra) -> Path:
    path = folder / "scene.json"
    path.write_text(json.dumps(scene_doc(objects, **extra)))
    return path


def quadrant_png(path: Path, side: int = 64) -> None:
    image = PNMImage(side, side)
    half = side // 2
    for (name, colour) in QUADRANTS.items():
        x0 = half if "right" in name else 0
        y0 = 0 if "top" in name else half  # PNMImage rows run downwards
        for y in range(y0, y0 + half):
            for x in range(x0, x0 + half):
                image.setXel(x, y, *colour)
    assert image.write(str(path))


@pytest.fixture
def world(offscreen_base):
    world = World(offscreen_base.render)
    view = OffscreenView(offscreen_base, offscreen_base.render, SIZE, name="furnish")
    world.add_camera(view.camera)
    yield world, view
    view.close()
    world.remove_camera(view.camera)
    world.leave()


def shoot(world: World, view: OffscreenView, position, look_at, fov: float = 50.0) -> PNMImage:
    view.aim(position, look_at, fov)
    world.environment.follow(Point3(*look_at))
    for _ in range(2):
        view.render()
    return view.image()


def pixel_at(view: OffscreenView, image: PNMImage, point) -> tuple[float, float, float]:
    """The colour where ``point`` (world space) lands, averaged over 3 × 3 pixels."""
    film = Point2()
    assert view.lens.project(view.camera.getRelativePoint(NodePath(), Point3(*point)), film)
    x, y = int((film.x + 1) / 2 * SIZE[0]), int((1 - film.y) / 2 * SIZE[1])
    samples = [image.getXel(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return tuple(sum(s[i] for s in samples) / 9 for i in range(3))


def dominant(colour) -> str:
    r, g, b = colour
    if r > 2 * b and g > 2 * b and min(r, g) > 0.5 * max(r, g):
        return "yellow"
    ranked = sorted(zip(colour, ("red", "green", "blue")), reverse=True)
    return ranked[0][1] if ranked[0][0] > 1.6 * ranked[1][0] else "grey"


def test_a_pictures_colours_appear_where_it_hangs(world, tmp_path):
    quadrant_png(tmp_path / "poster.png")
    wall = {"id": "wall", "type": "box", "position": [0, 0.5, 0], "size": [6, 1, 4], "material": "plaster"}
    hung = {"id": "poster", "type": "picture", "position": [0, 0, 0.5], "image": "poster.png", "size": [2]}
    world_, view = world
    world_.enter(catalog.load_file(write_scene(tmp_path, [wall, hung])))
    placed = world_.built.objects["poster"]
    assert placed.bounds[1].z - placed.bounds[0].z == pytest.approx(2.1, abs=0.01), "height follows the square image"
    image = shoot(world_, view, (0, -5, 1.55), (0, 0, 1.55))
    names = {"top-left": "red", "top-right": "green", "bottom-left": "blue", "bottom-right": "yellow"}
    for quadrant, expected in names.items():
        x = 0.5 if "right" in quadrant else -0.5
        z = 0.55 + (1.5 if "top" in quadrant else 0.5)
        colour = pixel_at(view, image, (x, -0.04, z))
        assert dominant(colour) == expected, f"{quadrant} should look {expected}, got {colour}"
    assert dominant(pixel_at(view, image, (1.8, -0.01, 1.5))) == "grey", "the plain wall beside it"


def test_a_screen_shows_what_it_is_given_and_glows_at_night(world, tmp_path):
    screen = {"id": "board", "type": "screen", "position": [0, 0, 0.8], "screen": "queue", "size": [1.6, 0.9],
              "background": "#2040C0", "text": {"ko": "대기", "en": "Waiting"}}
    wall = {"id": "wall", "type": "box", "position": [0, 0.5, 0], "size": [6, 1, 4], "material": "plaster"}
    world_, view = world
    world_.enter(catalog.load_file(write_scene(tmp_path, [wall, screen], environment={"time": "23:30"})))
    board = world_.screens["queue"]
    assert board.resolution == (819, 461)
    assert world_.built.objects["board"].affordance == "use"
    corner = (-0.7, -0.05, 0.85)  # near the screen's corner: background, no text
    image = shoot(world_, view, (0, -4, 1.25), (0, 0, 1.25))
    before = pixel_at(view, image, corner)
    assert before == pytest.approx((0x20 / 255, 0x40 / 255, 0xC0 / 255), abs=0.03), "unlit: its colour as given"
    wall_colour = pixel_at(view, image, (1.6, -0.01, 1.2))
    assert sum(wall_colour) < 0.3 * sum(before), f"the wall is dark at night ({wall_colour}), the screen is not"
    green = PNMImage(*board.resolution)
    green.fill(0.1, 0.9, 0.2)
    board.show(green)
    after = pixel_at(view, shoot(world_, view, (0, -4, 1.25), (0, 0, 1.25)), corner)
    assert after == pytest.approx((0.1, 0.9, 0.2), abs=0.03)
    board.show_text("A-023", background="#000000", color="#FFFFFF")
    lines = shoot(world_, view, (0, -4, 1.25), (0, 0, 1.25))
    cx, cy = SIZE[0] // 2, SIZE[1] // 2
    middle = [sum(lines.getXel(x, y)) for x in range(cx - 30, cx + 30) for y in range(cy - 10, cy + 10)]
    assert max(middle) > 2.0 and min(middle) < 0.3, "white text on black across the screen's middle"


def test_every_furniture_type_builds_with_its_affordance():
    rows = {"rows": 3, "seats": 6}
    objects = [{"id": kind, "type": kind, "position": [i * 8.0, 0, 0], **(rows if kind == "seat-rows" else {})}
               for i, kind in enumerate(FURNITURE)]
    objects.append({"id": "desk-used", "type": "desk", "position": [0, 20, 0], "affordance": "use"})
    objects.append({"id": "counter-1", "type": "counter", "position": [0, 30, 0], "number": "counter-1"})
    built = build(Scene(doc=scene_doc(objects), source=Path("f.json"), materials=material_library()))
    expected = {"chair": "sit", "sofa": "sit", "seat-rows": "sit", "counter": "use", "lectern": "use",
                "display-case": "use"}
    assert expected == {k: v for k, v in AFFORDANCES.items() if k != "screen"}
    for kind in FURNITURE:
        placed = built.objects[kind]
        assert placed.affordance == expected.get(kind), kind
        lo, hi = placed.bounds
        if kind in SIZES:
            w, _d, h = SIZES[kind]
            assert hi.x - lo.x == pytest.approx(w, rel=0.15), f"{kind} width"
            assert hi.z - lo.z >= h * 0.95 and lo.z == pytest.approx(0, abs=0.01), f"{kind} stands on the floor"
    assert built.objects["desk-used"].affordance == "use"
    number = built.screens["counter-1"]
    assert number.findTexture("*").getXSize() == 256 and number.getPos(built.root).z > SIZES["counter"][2]


def walk_to(holder: NodePath, start, seconds: float, facing: float = 0.0) -> list:
    """Walk forward from ``start`` for ``seconds`` in the built scene under ``holder``; the track."""
    collision = holder.find("collision:*")
    walker = Walker(holder)
    walker.place(start, facing=facing)
    track = []
    for _ in range(int(seconds * 60)):
        walker.update(1 / 60, Intent(forward=1.0), collision)
        track.append(Point3(walker.position))
    walker.body.removeNode()
    return track


def built_alone(objects: list[dict]) -> NodePath:
    built = build(Scene(doc=scene_doc(objects), source=Path("f.json"), materials=material_library()))
    holder = NodePath("world")
    built.collision.reparentTo(holder)
    return holder


@pytest.mark.parametrize("kind", ["desk", "counter", "lectern", "partition", "plant", "display-case", "plinth",
                                  "shelf"])
def test_a_walker_bumps_into_solid_furniture(kind):
    holder = built_alone([{"id": kind, "type": kind, "position": [0, 3, 0], "facing": 180}])
    track = walk_to(holder, (0, 0, 0), 3.0)
    depth = SIZES[kind][1]
    assert track[-1].y < 3 - depth / 2, f"walked through the {kind}: {track[-1]}"
    assert track[-1].y > 3 - depth / 2 - 0.6 and track[-1].z < 0.05, f"stopped by the {kind} on the floor"


def test_a_walker_climbs_the_stage_steps_and_stands_on_it():
    holder = built_alone([{"id": "stage", "type": "stage", "position": [0, 5, 0], "size": [6, 4, 0.8]}])
    track = walk_to(holder, (0, 0, 0), 2.4)
    assert track[-1].y > 4 and track[-1].z == pytest.approx(0.8, abs=0.01), f"on the stage: {track[-1]}"
    bare = built_alone([{"id": "stage", "type": "stage", "position": [0, 5, 0], "size": [6, 4, 0.8], "steps": False}])
    assert walk_to(bare, (0, 0, 0), 4.0)[-1].y < 3, "without steps 0.8 m is too high to walk onto"


@pytest.mark.parametrize("kind", ["chair", "sofa", "seat-rows"])
def test_seats_never_trap_a_walker(kind):
    extra = {"rows": 4, "seats": 5, "rise": 0.3} if kind == "seat-rows" else {}
    holder = built_alone([{"id": kind, "type": kind, "position": [0, 2, 0], "facing": 180, **extra}])
    track = walk_to(holder, (0, 0, 0), 8.0)
    assert track[-1].y > 6, f"a citizen walks over the {kind} rather than being stuck: {track[-1]}"


def hostile(tmp_path: Path, name: str) -> Path:
    """Each unsafe picture, built at test time."""
    path = tmp_path / name
    if name == "pipe.png":
        os.mkfifo(path)
    elif name == "huge.png":  # a valid header claiming 5000 × 5000 pixels
        header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
        header += struct.pack(">IIBBBBB", 5000, 5000, 8, 2, 0, 0, 0)
        path.write_bytes(header + struct.pack(">I", zlib.crc32(header[12:])))
    elif name == "big.png":  # 17 MiB on paper, sparse on disk
        with path.open("wb") as f:
            f.truncate(17 * 1024 * 1024)
    elif name == "text.png":
        path.write_text("not a picture")
    elif name == "folder.png":
        path.mkdir()
    return path


@pytest.mark.parametrize("image, message", [
    ("../outside.png", "inside the scene's folder"),
    ("/etc/passwd.png", "not an absolute path"),
    ("missing.png", "missing asset 'missing.png'"),
    ("pipe.png", "'pipe.png': expected a regular file, found a pipe (FIFO)"),
    ("folder.png", "'folder.png': expected a regular file, found a folder"),
    ("big.png", "'big.png': the file is larger than the limit of 16 MiB"),
    ("huge.png", "'huge.png': an image of 5000 × 5000 pixels; at most 4096 pixels a side"),
    ("text.png", "'text.png': expected a PNG or JPEG image"),
])
def test_unsafe_pictures_are_refused_at_their_field(tmp_path, image, message):
    hostile(tmp_path, image)
    path = write_scene(tmp_path, [{"id": "p", "type": "picture", "position": [0, 0, 1], "image": image, "size": [1]}])
    errors = catalog.check_files([path])[path]
    assert [(e.path, message in e.message) for e in errors] == [("objects[0].image", True)], errors


def test_screen_names_are_unique_in_a_scene(tmp_path):
    objects = [{"id": "a", "type": "screen", "position": [0, 0, 1], "screen": "queue", "size": [1, 0.5]},
               {"id": "b", "type": "counter", "position": [3, 0, 0], "number": "queue"}]
    path = write_scene(tmp_path, objects)
    errors = catalog.check_files([path])[path]
    assert [(e.path, e.message) for e in errors] == [
        ("objects[1].number", "duplicate screen name 'queue' (first used at objects[0].screen)")]


def test_a_glass_partition_is_see_through(world, tmp_path):
    red = {"id": "red", "type": "box", "position": [0, 2, 0], "size": [4, 0.5, 3], "material": "vermilion"}
    glass = {"id": "glass", "type": "partition", "position": [0, 0, 0], "size": [3, 0.05, 2.5],
             "materials": {"main": "glass-partition"}}
    world_, view = world
    world_.enter(catalog.load_file(write_scene(tmp_path, [red, glass])))
    image = shoot(world_, view, (0, -4, 1.2), (0, 0, 1.2))
    behind = pixel_at(view, image, (0, -0.03, 1.2))
    assert dominant(behind) == "red", f"the red wall shows through the glass: {behind}"


def test_interior_materials_are_in_the_library():
    from metaseoul.scenes.builders.mesh import PATTERNS, Material

    library = material_library()
    made = {name: Material.from_spec(library[name])
            for name in ("wood-floor", "carpet", "plaster", "marble", "glass-partition", "fabric")}
    assert [PATTERNS[made[n].pattern] for n in ("wood-floor", "marble", "carpet")] == ["planks", "marble", "carpet"]
    assert made["glass-partition"].opacity < 0.5 and all(m.opacity == 1.0 for n, m in made.items()
                                                          if n != "glass-partition")
