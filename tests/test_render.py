"""Headless rendering, checked from the pixels: sky above, ground below, buildings where the view
expects them (found by projecting the object's own position, not by comparing to a saved image)."""

from __future__ import annotations

import json
import math

import pytest
from panda3d.core import Camera, NodePath, PerspectiveLens, PNMImage, Point2, Point3

from metaseoul.client.headless import render_scene
from metaseoul.scenes import load
from metaseoul.scenes.builders.text import font

SIZE = (640, 360)


@pytest.fixture(scope="module")
def city_hall(offscreen_base, tmp_path_factory):
    out = tmp_path_factory.mktemp("city-hall")
    stats = render_scene("city-hall", out, size=SIZE, frames=2)
    return out, stats


def mean_colour(image: PNMImage, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float, float]:
    total, count = [0.0, 0.0, 0.0], 0
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = image.getXel(x, y)
            total = [total[0] + c[0], total[1] + c[1], total[2] + c[2]]
            count += 1
    return tuple(v / count for v in total)


def project(view: dict, point, size) -> tuple[int, int] | None:
    """Where ``point`` lands in a picture taken from ``view``; computed apart from the renderer."""
    fov = view.get("fov", 60.0)
    lens = PerspectiveLens()
    lens.setFov(fov, 2 * math.degrees(math.atan(math.tan(math.radians(fov / 2)) * size[1] / size[0])))
    cam = NodePath(Camera("probe", lens))
    cam.setPos(Point3(*view["position"]))
    cam.lookAt(Point3(*view["look_at"]))
    film = Point2()
    if not lens.project(cam.getRelativePoint(NodePath(), Point3(*point)), film):
        return None
    return int((film.x + 1) / 2 * size[0]), int((1 - film.y) / 2 * size[1])


def is_sky(colour) -> bool:
    """Light and blue. The plaza view's corners measure blue - red 0.25 and 0.29, brightness 0.64 and 0.69; its
    ground blue - red -0.02 (the same in every run: the scene sets its own time of day); no sky is about 0."""
    r, g, b = colour
    return b > r + 0.08 and (r + g + b) / 3 > 0.5


def test_render_writes_png_per_view_and_stats(city_hall):
    out, stats = city_hall
    scene = load("city-hall")
    for view in scene.views:
        image = PNMImage(str(out / f"city-hall-{view['name']}.png"))
        assert (image.getXSize(), image.getYSize()) == SIZE
    written = json.loads((out / "stats.json").read_text())
    assert written == stats
    for key in ("load_seconds", "frame_ms_median", "frame_ms_p95", "draw_calls", "triangles", "nodes", "renderer",
                "gl_version"):
        assert key in stats
    assert stats["frame_ms_median"] > 0 and stats["frame_ms_p95"] >= stats["frame_ms_median"]
    assert stats["draw_calls"] > 0 and stats["triangles"] > 10_000
    assert len(stats["renderer"]) > 3 and stats["gl_version"][0].isdigit() and float(stats["gl_version"][:3]) >= 3.3


def test_plaza_view_has_sky_above_and_ground_below(city_hall):
    out, _stats = city_hall
    image = PNMImage(str(out / "city-hall-plaza.png"))
    w, h = SIZE
    assert is_sky(mean_colour(image, 0, 0, w // 5, h // 12)), "top-left corner should be sky"
    assert is_sky(mean_colour(image, w - w // 8, 0, w, h // 12)), "top-right corner should be sky"
    ground = mean_colour(image, 0, h - h // 10, w, h)
    assert not is_sky(ground), f"bottom rows should be ground, got {ground}"


@pytest.mark.parametrize("view_name, object_id, height", [
    ("plaza", "old-city-hall", 8.0),
    ("city-hall", "old-city-hall", 8.0),
    ("daehanmun", "daehanmun", 5.0),
    ("aerial", "plaza-lawn", 0.0),
])
def test_building_is_where_the_view_expects_it(offscreen_base, tmp_path, view_name, object_id, height):
    """Render the view with and without the object: the spot it projects to must change."""
    scene = load("city-hall")
    view = scene.view(view_name)
    obj = next(o for o in scene.objects if o["id"] == object_id)
    x, y, z = obj["position"]
    spot = project(view, (x, y, z + height), SIZE)
    assert spot is not None, "the object should be in front of the camera"
    px, py = spot
    assert 3 <= px < SIZE[0] - 4 and 3 <= py < SIZE[1] - 4
    (tmp_path / "models").symlink_to(scene.source.parents[3] / "assets" / "models")
    colours = []
    for keep in (True, False):
        ident = "with-it" if keep else "without-it"  # ids of their own: a built-in's id is refused
        doc = dict(scene.doc, id=ident, views=[view], portals=[])
        doc["objects"] = [o for o in scene.objects if keep or o["id"] != object_id]
        path = tmp_path / f"{keep}.json"
        path.write_text(json.dumps(doc))
        render_scene(path, tmp_path / str(keep), size=SIZE, frames=1)
        image = PNMImage(str(tmp_path / str(keep) / f"{ident}-{view_name}.png"))
        colours.append(mean_colour(image, px - 3, py - 3, px + 4, py + 4))
    with_it, without = colours
    change = sum(abs(a - b) for a, b in zip(with_it, without))
    # 0.29 (plaza), 0.37 (city-hall), 1.04 (aerial), 1.89 (daehanmun), the same in every run; the object
    # missing from the spot, or projected to the wrong one, changes it by about 0
    assert change > 0.15, f"{object_id} should show at ({px}, {py}) in {view_name}: {with_it} vs {without}"


def test_views_differ(city_hall):
    out, _stats = city_hall
    a = PNMImage(str(out / "city-hall-plaza.png"))
    b = PNMImage(str(out / "city-hall-daehanmun.png"))
    diff = sum(abs(a.getGray(x, y) - b.getGray(x, y)) for x in range(0, SIZE[0], 8) for y in range(0, SIZE[1], 8))
    assert diff / ((SIZE[0] // 8) * (SIZE[1] // 8)) > 0.05  # 0.18 in every run; one view drawn twice: 0


def test_korean_sign_renders_its_letters(offscreen_base, fixtures, tmp_path):
    doc = json.loads((fixtures / "valid" / "fixture.json").read_text())
    doc["objects"].append({"id": "sign", "type": "sign", "position": [0, 0, 0], "facing": 180, "size": [4, 1.5],
                           "text": {"ko": "서울광장", "en": "Seoul Plaza"}})
    doc["views"] = [{"name": "sign", "position": [0, -3.2, 0.75], "look_at": [0, 0, 0.75], "fov": 70}]
    doc["environment"] = {"time": "12:00"}
    path = tmp_path / "sign.json"
    path.write_text(json.dumps(doc))
    (tmp_path / "models").symlink_to(fixtures.parents[1] / "assets" / "models")
    render_scene(path, tmp_path / "out", size=(320, 180), frames=1)
    image = PNMImage(str(tmp_path / "out" / "fixture-sign.png"))
    bright = sum(1 for x in range(60, 260) for y in range(40, 140) if image.getBright(x, y) > 0.75)
    navy = sum(1 for x in range(60, 260) for y in range(40, 140) if image.getBlue(x, y) > image.getRed(x, y) + 0.1
               and image.getBright(x, y) < 0.45)
    share = bright / (200 * 100)
    # letters 12.9% and navy 16,663 pixels of 20,000 in every run; no letters 0%, the sign missing no navy
    assert 0.04 < share < 0.5, f"white letters should cover part of the navy sign, covered {share:.2%}"
    assert navy > 2000


def test_signs_keep_their_letters_on_the_panel():
    """Both faces' letters sit within the sign's own size, wherever the sign stands."""
    from metaseoul.scenes.loader import build

    built = build(load("city-hall"))
    for obj in load("city-hall").objects:
        if obj["type"] != "sign":
            continue
        lo, hi = built.objects[obj["id"]].bounds
        reach = max(obj["size"][0], obj["size"][1] + obj.get("post", 0)) / 2 + 0.5
        x, y, _z = obj["position"]
        assert max(abs(lo.x - x), abs(hi.x - x), abs(lo.y - y), abs(hi.y - y)) <= reach, obj["id"]


def test_font_has_every_korean_letter_the_scenes_use():
    text = "".join(json.dumps(load(s).doc, ensure_ascii=False) for s in ("city-hall", "gwanghwamun"))
    hangul = {ch for ch in text if "\uac00" <= ch <= "\ud7a3"}
    assert len(hangul) > 50
    missing = [ch for ch in hangul if not font().getGlyph(ord(ch))]
    assert not missing, f"font lacks {''.join(missing)}"
