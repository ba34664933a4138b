"""Lamps, checked from rendered pixels: they light the floor near them, switch off, light only their
cone, show their colour and (with shadows) leave a box's shadow; and the validator's light errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from panda3d.core import PNMImage

from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.world import World
from metaseoul.scenes import SceneInvalid, check_files, load_file

SIZE = (160, 120)
CAMERA = ((0.0, -0.01, 12.0), (0.0, 0.0, 0.0), 60.0)  # straight down on the floor's centre


def scene_doc(lights: list[dict], objects: tuple[dict, ...] = ()) -> dict:
    """A grey floor at 23:00 (night: almost no sky light) with the given lamps."""
    return {
        "format": 2, "id": "lamp-test", "name": {"ko": "조명 시험", "en": "Lamp test"},
        "environment": {"date": "05-15", "time": "23:00"},
        "bounds": {"min": [-20, -20], "max": [20, 20]},
        "materials": {"matte": {"color": "#B4B4B4", "variation": 0}},
        "spawns": [{"name": "start", "position": [0, -10, 0]}],
        "views": [{"name": "down", "position": list(CAMERA[0]), "look_at": list(CAMERA[1])}],
        "objects": [{"id": "floor", "type": "box", "position": [0, 0, -0.2], "size": [40, 40, 0.2],
                     "material": "matte", "solid": False}, *objects],
        "lights": lights,
    }


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "lamp-test.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return path


@pytest.fixture
def shoot(offscreen_base, tmp_path):
    """shoot(doc) -> (world, take): the scene entered; take() renders the floor from above and returns the image."""
    world = World(offscreen_base.render)
    view = OffscreenView(offscreen_base, offscreen_base.render, SIZE, name="lamps")
    view.aim(*CAMERA)

    def enter(doc: dict):
        world.enter(load_file(write(tmp_path, doc)))
        world.add_camera(view.camera)

        def take() -> PNMImage:
            for _i in range(2):
                view.render()
            return view.image()
        return world, take

    yield enter
    view.close()
    world.leave()


def brightness(image: PNMImage, x: float, y: float, r: int = 4) -> tuple[float, float, float]:
    """Mean colour in a small square around the point at fractions (x, y) of the image."""
    cx, cy = int(x * SIZE[0]), int(y * SIZE[1])
    pixels = [image.getXel(i, j) for i in range(cx - r, cx + r) for j in range(cy - r, cy + r)]
    return tuple(sum(p[k] for p in pixels) / len(pixels) for k in range(3))


def grey(colour) -> float:
    return sum(colour) / 3


def where(point) -> tuple[float, float]:
    """Image fractions of a floor point seen by CAMERA (60° wide from 12 m: half-width 6.93 m)."""
    half_w = 12.0 * 0.57735
    half_h = half_w * SIZE[1] / SIZE[0]
    return 0.5 + point[0] / (2 * half_w), 0.5 - point[1] / (2 * half_h)


LAMP = {"id": "lamp", "kind": "point", "position": [0, 0, 2], "lumens": 800, "range": 8}


def test_point_light_brightens_the_floor_and_switching_it_off_darkens_it(shoot):
    world, take = shoot(scene_doc([LAMP]))
    lit = take()
    under, far = grey(brightness(lit, *where((0, 0)))), grey(brightness(lit, *where((5.5, 4))))
    world.lights.switch("lamp", False)
    dark = take()
    off = grey(brightness(dark, *where((0, 0))))
    assert world.lights.ids == ["lamp"]
    # 800 lm 2 m above: 16 lux under the bulb, about 0.19 here; 2 lux at the far point, 0.02 (the night's ambient)
    assert under > 0.15 and under > far + 0.1, (under, far)
    assert off < under - 0.1, (off, under)
    world.lights.switch("lamp", True)
    assert grey(brightness(take(), *where((0, 0)))) == pytest.approx(under, abs=0.02)


def test_a_lamp_that_starts_off_gives_no_light(shoot):
    _world, take = shoot(scene_doc([LAMP | {"on": False}]))
    image = take()
    assert grey(brightness(image, *where((1, 1)))) < 0.1


def test_spot_light_lights_its_cone_and_not_behind_it(shoot):
    spot = {"id": "spot", "kind": "spot", "position": [-3, 0, 3], "aim": [-3, 0, 0], "angle": 40,
            "lumens": 2000, "range": 10}
    _world, take = shoot(scene_doc([spot]))
    image = take()
    inside, outside = grey(brightness(image, *where((-3, 0)))), grey(brightness(image, *where((1, 0))))
    assert inside > 0.3 and outside < inside - 0.25, (inside, outside)


def test_a_red_light_reddens_the_floor(shoot):
    _world, take = shoot(scene_doc([LAMP | {"color": "#FF2010"}]))
    r, g, b = brightness(take(), *where((0, 0)))
    assert r > 0.2 and r > g + 0.15 and r > b + 0.15, (r, g, b)


def test_area_light_lights_below_its_panel(shoot):
    panel = {"id": "panel", "kind": "area", "position": [2, 0, 2.5], "size": [1.2, 0.6], "lumens": 3000, "range": 8}
    _world, take = shoot(scene_doc([panel]))
    image = take()
    below, aside = grey(brightness(image, *where((2, 0)))), grey(brightness(image, *where((-5, 3))))
    assert below > 0.25 and below > aside + 0.15, (below, aside)


BLOCK = {"id": "block", "type": "box", "position": [0, 0, 0], "size": [1, 1, 1], "material": "matte"}


@pytest.mark.parametrize("shadows", [True, False])
def test_a_shadowed_spot_leaves_a_box_shadow_on_the_floor(shoot, shadows):
    spot = {"id": "spot", "kind": "spot", "position": [-3, 0, 3], "aim": [1, 0, 0], "angle": 90, "lumens": 3000,
            "range": 12, "shadows": shadows}
    _world, take = shoot(scene_doc([spot], (BLOCK,)))
    image = take()
    # behind the box as seen from the lamp (the lamp is west and above: the shadow falls east of the box)
    behind, beside = grey(brightness(image, *where((1.2, 0), ), 3)), grey(brightness(image, *where((1.2, -1.6)), 3))
    if shadows:
        assert behind < beside - 0.1, (behind, beside)
    else:
        assert behind > beside - 0.05, (behind, beside)


# light → (path to the field, words the message must contain)
BROKEN = {
    "duplicate-with-object": ({**LAMP, "id": "floor"}, "lights[0].id", "duplicate id 'floor'"),
    "aim-at-itself": ({"id": "s", "kind": "spot", "position": [0, 0, 2], "aim": [0, 0, 2], "lumens": 500, "range": 5},
                      "lights[0].aim", "away from the light's position"),
    "outside-bounds": ({**LAMP, "position": [30, 0, 2]}, "lights[0].position", "outside the scene bounds"),
    "angle-on-point": ({**LAMP, "angle": 30}, "lights[0].angle", "a point light has no angle; only spot lights"),
    "size-on-spot": ({"id": "s", "kind": "spot", "position": [0, 0, 2], "size": [1, 1], "lumens": 500, "range": 5},
                     "lights[0].size", "only area lights"),
    "no-lumens": ({"id": "s", "kind": "point", "position": [0, 0, 2], "range": 5}, "lights[0].lumens",
                  "missing required field"),
    "negative-range": ({**LAMP, "range": -1}, "lights[0].range", "beyond which the light gives nothing"),
    "unknown-kind": ({**LAMP, "kind": "laser"}, "lights[0].kind", "expected one of point, spot, area"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_lights_get_located_errors(tmp_path, case):
    light, where_, words = BROKEN[case]
    path = write(tmp_path, scene_doc([light]))
    errors = check_files([path])[path]
    assert any(e.path == where_ and words in e.message for e in errors), errors


def test_shadow_budget_is_named_at_the_first_light_over_it(tmp_path):
    lamps = [{**LAMP, "id": f"lamp-{i}", "position": [i, 0, 2], "shadows": i % 2 == 0} for i in range(12)]
    path = write(tmp_path, scene_doc(lamps))
    errors = check_files([path])[path]
    assert [(e.path, e.message) for e in errors] == [
        ("lights[8].shadows", "at most 4 lights may cast shadows in one scene; this one has 6")]
    with pytest.raises(SceneInvalid):
        load_file(path)


def test_at_most_64_lights(tmp_path):
    lamps = [{**LAMP, "id": f"lamp-{i}", "position": [i % 8, i // 8, 2]} for i in range(65)]
    path = write(tmp_path, scene_doc(lamps))
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("lights", "65 lights; a scene may have at most 64")]


def test_a_scene_with_lights_validates_and_format_1_has_none(tmp_path):
    path = write(tmp_path, scene_doc([LAMP]))
    assert check_files([path]) == {path: []}
    doc = scene_doc([LAMP]) | {"format": 1}
    path = write(tmp_path, doc)
    assert any(e.path == "lights" and "unknown field" in e.message for e in check_files([path])[path])


def test_with_more_than_16_lamps_the_nearest_light_the_frame(shoot):
    far = [{**LAMP, "id": f"far-{i}", "position": [-15 + i, 15, 2]} for i in range(20)]
    world, take = shoot(scene_doc([*far, LAMP]))  # the lamp under the camera comes 21st
    assert grey(brightness(take(), *where((0, 0)))) > 0.15
    assert "lamp" in world.lights.chosen and len(world.lights.chosen) == 16


def test_a_rooms_ceiling_panels_light_it_evenly_and_switch_off(shoot):
    """Shadowless area lamps inside a room light it by the lumen method (lights.py): the whole floor alike."""
    room = {"id": "office", "type": "room", "position": [0, 0, 0], "size": [10, 8, 3], "ceiling": False,
            "ambient": 0.1, "materials": {"floor": "matte"}}
    panels = [{"id": f"panel-{x}", "kind": "area", "position": [x, 0, 2.9], "size": [1.2, 0.6],
               "lumens": 4000, "range": 6} for x in (-3, 3)]
    world, take = shoot(scene_doc(panels, (room,)))
    lit = take()
    middle, corner = grey(brightness(lit, *where((0, -2)))), grey(brightness(lit, *where((-4, 3))))
    outside = grey(brightness(lit, *where((6.5, 0))))
    # 8000 lm x 0.6 over 80 m²: 60 lux everywhere on the floor, none outside the walls
    assert middle > 0.3 and abs(middle - corner) < 0.03 and outside < middle - 0.1, (middle, corner, outside)
    for panel in panels:
        world.lights.switch(panel["id"], False)
    assert grey(brightness(take(), *where((0, -2)))) < middle - 0.15
