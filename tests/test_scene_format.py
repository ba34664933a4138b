"""The scene format: built-in scenes are valid; broken files get located, specific errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metaseoul.scenes import SceneInvalid, builtin_ids, check_files, load, load_file
from metaseoul.scenes.catalog import builtin_dir
from metaseoul.scenes.errors import UnknownName

# file → (path to the field, words the message must contain)
MALFORMED = {
    "syntax-error": (":3:3", "invalid JSON"),
    "unknown-field": ("objects[1].colour", "unknown field"),
    "wrong-type": ("objects[1].size", "expected [width, depth, height]"),
    "negative-size": ("objects[1].size[1]", "more than 0"),
    "missing-asset": ("objects[3].model", "missing asset 'models/haechi.gltf'"),
    "duplicate-id": ("objects[2].id", "duplicate id 'hall'"),
    "portal-unknown-scene": ("portals[0].to", "unknown scene 'jongmyo'"),
    "portal-unknown-spawn": ("portals[0].spawn", "no spawn 'rooftop'"),
    "unknown-type": ("objects[1].type", "unknown object type \"pagoda\""),
    "missing-views": ("views", "missing required field"),
    "bad-colour": ("materials.red-brick.color", "colour like"),
    "facing-out-of-range": ("objects[2].facing", "≤ 360"),
    "unknown-material": ("objects[1].material", "unknown material 'gold'"),
    "wrong-format": ("format", "scene format version: 2, or 1"),
    "arch-too-wide": ("objects[2].base.arches[0]", "does not fit"),
    "spawn-outside-bounds": ("spawns[0].position", "outside the scene bounds"),
    "duplicate-view": ("views[1].name", "duplicate name 'front'"),
    "bad-time": ("environment.time", "a local time like 15:30"),
    "bad-id": ("id", "lowercase letters"),
    "missing-size": ("objects[1].size", "missing required field"),
    "missing-korean-name": ("objects[1].name.ko", "missing required field"),
    "repeated-point": ("objects[4].points[1]", "repeats the point before it"),
    "path-turns-back": ("objects[4].points[2]", "turns back on itself"),
    "spawn-in-portal": ("spawns[1].position", "inside portal 'to-city-hall'"),
    "unknown-material-slot": ("objects[2].materials", "expected one of base, parapet"),
    "not-a-number": ("not-a-number.json", "NaN is not a number"),
}


@pytest.mark.parametrize("scene_id", builtin_ids())
def test_builtin_scenes_validate(scene_id):
    path = next(p for p in builtin_dir().glob("*.json") if json.loads(p.read_text())["id"] == scene_id)
    assert check_files([path]) == {path: []}


def test_builtin_scenes_are_city_hall_and_gwanghwamun():
    assert {"city-hall", "gwanghwamun"} <= set(builtin_ids())


def test_fixture_scene_is_valid(fixtures):
    path = fixtures / "valid" / "fixture.json"
    assert check_files([path]) == {path: []}


def test_every_malformed_fixture_is_listed(fixtures):
    assert {p.stem for p in (fixtures / "invalid").glob("*.json")} == set(MALFORMED)
    assert len(MALFORMED) >= 12


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_scene_is_rejected_with_located_error(fixtures, name):
    path = fixtures / "invalid" / f"{name}.json"
    field, words = MALFORMED[name]
    errors = check_files([path])[path]
    assert errors, f"{name} was accepted"
    texts = [str(e) for e in errors]
    assert any(str(path) in t and field in t and words in t for t in texts), texts
    assert len(errors) == 1, f"one problem should give one message: {texts}"


def test_load_file_raises_with_every_problem(tmp_path, fixtures):
    doc = json.loads((fixtures / "valid" / "fixture.json").read_text())
    doc["objects"][1]["size"] = [1, -1, 2]
    doc["objects"][2]["facing"] = -5
    path = tmp_path / "two-problems.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SceneInvalid) as caught:
        load_file(path)
    assert [e.path for e in caught.value.errors] == ["objects[1].size[1]", "objects[2].facing"]


def test_portal_may_lead_to_a_scene_in_the_same_folder(tmp_path, fixtures):
    doc = json.loads((fixtures / "valid" / "fixture.json").read_text())
    other = dict(doc, id="annex", portals=[])
    doc["portals"][0].update({"to": "annex", "spawn": "start"})
    (tmp_path / "main.json").write_text(json.dumps(doc))
    (tmp_path / "annex.json").write_text(json.dumps(other))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bench.gltf").write_bytes((Path(__file__).parents[1] / "assets" / "models" / "bench.gltf").read_bytes())
    assert check_files([tmp_path / "main.json"]) == {tmp_path / "main.json": []}
    assert load("annex", near=tmp_path).id == "annex"


def test_unknown_scene_id_names_the_built_in_scenes():
    with pytest.raises(UnknownName, match="city-hall"):
        load("jongmyo")


def test_scene_metadata_is_bilingual():
    scene = load("city-hall")
    hall = next(o for o in scene.objects if o["id"] == "new-city-hall")
    assert hall["role"] == "building"
    assert "시청" in hall["name"]["ko"] and "City Hall" in hall["name"]["en"]
    for obj in scene.objects:
        if "name" in obj:
            assert obj["name"]["ko"] and obj["name"]["en"]
