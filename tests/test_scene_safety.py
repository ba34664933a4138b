"""Files that would hang, eat memory or reach outside the scene's folder are refused, fast and located.

FIFOs, device links and links leading out are made at test time (they cannot be committed). The CLI
is run as a real process with a timeout that must not trigger: a FIFO used to block it forever.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from metaseoul.scenes import SceneInvalid, check_files, load, load_file
from metaseoul.scenes.catalog import builtin_dir
from metaseoul.scenes.gltf_check import MODEL_TRIANGLE_LIMIT
from metaseoul.scenes.safe_read import ASSET_FILE_LIMIT, SCENE_FILE_LIMIT
from metaseoul.scenes.validate import MAX_OBJECTS, MAX_TEXT

REPO = Path(__file__).parents[1]
ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")} | {"METASEOUL_LANG": "en"}
HANG_GUARD_S = 20  # a blocked read would exceed it; a refusal takes well under a second


def validate_cli(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metaseoul", "validate", *map(str, paths)], check=False,
                          capture_output=True, text=True, env=ENV, timeout=HANG_GUARD_S)


@pytest.fixture
def folder(tmp_path, fixtures) -> Path:
    """A folder holding the valid fixture scene and the model it names."""
    shutil.copy(fixtures / "valid" / "fixture.json", tmp_path / "scene.json")
    (tmp_path / "models").mkdir()
    shutil.copy(REPO / "assets" / "models" / "bench.gltf", tmp_path / "models" / "bench.gltf")
    return tmp_path


def with_model(folder: Path, model: str) -> tuple[Path, str]:
    """The fixture scene with its model object pointing at ``model``; returns the file and the field path."""
    doc = json.loads((folder / "scene.json").read_text())
    index = next(i for i, obj in enumerate(doc["objects"]) if obj["type"] == "model")
    doc["objects"][index]["model"] = model
    doc["id"] = "model-elsewhere"  # a scene file of its own beside scene.json: one id a folder
    path = folder / "model-elsewhere.json"
    path.write_text(json.dumps(doc))
    return path, f"objects[{index}].model"


def test_the_copied_fixture_is_valid(folder):
    assert check_files([folder / "scene.json"]) == {folder / "scene.json": []}


def test_validate_refuses_a_fifo_at_once(folder):
    fifo = folder / "pipe.json"
    os.mkfifo(fifo)
    result = validate_cli(fifo)
    assert result.returncode == 1
    assert f"{fifo}: expected a regular file, found a pipe (FIFO)" in result.stderr


def test_validate_refuses_a_link_to_dev_zero(folder):
    zero = folder / "zero.json"
    zero.symlink_to("/dev/zero")
    result = validate_cli(zero)
    assert result.returncode == 1
    assert f"{zero}: expected a regular file, found a device" in result.stderr
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


def test_validate_refuses_a_duplicate_key_with_its_field_path(folder):
    text = (folder / "scene.json").read_text()
    path = folder / "twice.json"
    path.write_text(text.replace('"objects": [', '"objects": [], "objects": [', 1))
    result = validate_cli(path)
    assert result.returncode == 1
    assert f"{path}: objects: this field is given twice" in result.stderr


def test_duplicate_key_deep_inside_names_its_path(folder):
    doc = json.loads((folder / "scene.json").read_text())
    first = f'"id": "{doc["objects"][1]["id"]}"'
    text = json.dumps(doc).replace(first, f'{first}, "id": "other"', 1)
    path = folder / "twice.json"
    path.write_text(text)
    assert [e.path for e in check_files([path])[path]] == ["objects[1].id"]


@pytest.mark.parametrize("model", ["/etc/bench.gltf", "../bench.gltf", "models/../../bench.gltf", "C:\\bench.gltf"])
def test_validate_refuses_a_model_path_outside_the_folder(folder, model):
    path, field = with_model(folder, model)
    result = validate_cli(path)
    assert result.returncode == 1
    assert f"{path}: {field}: expected a path inside the scene's folder" in result.stderr


def test_validate_refuses_a_model_link_leading_out(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "bench.gltf"
    shutil.copy(REPO / "assets" / "models" / "bench.gltf", outside)
    (folder / "models" / "out.gltf").symlink_to(outside)
    path, field = with_model(folder, "models/out.gltf")
    result = validate_cli(path)
    assert result.returncode == 1
    assert f"{path}: {field}: 'models/out.gltf' is a link that leads outside the scene's folder" in result.stderr


def test_a_link_inside_the_folder_is_fine(folder):
    (folder / "models" / "alias.gltf").symlink_to("bench.gltf")
    path, _field = with_model(folder, "models/alias.gltf")
    assert check_files([path]) == {path: []}


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_model_that_is_not_a_regular_file_is_refused(folder, kind):
    target = folder / "models" / "odd.gltf"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    path, field = with_model(folder, "models/odd.gltf")
    result = validate_cli(path)
    assert result.returncode == 1
    assert f"{path}: {field}: 'models/odd.gltf': expected a regular file" in result.stderr


def test_a_scene_file_over_the_limit_is_refused_before_reading(folder):
    big = folder / "big.json"
    with big.open("wb") as out:
        out.truncate(SCENE_FILE_LIMIT + 1)  # sparse: costs no disk, would cost memory if read
    assert [str(e) for e in check_files([big])[big]] == [f"{big}: the file is larger than the limit of 4 MiB"]


def test_not_utf8_says_how_to_fix_it(folder):
    path = folder / "latin1.json"
    path.write_bytes('{"id": "café"}'.encode("latin-1"))
    (error,) = check_files([path])[path]
    assert "save the file as UTF-8" in error.message


def test_a_confusable_id_is_refused(folder):
    doc = json.loads((folder / "scene.json").read_text())
    doc["id"] = "pl\u0430za"  # Cyrillic а
    path = folder / "confusable.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    assert [e.path for e in check_files([path])[path]] == ["id"]


def test_loading_refuses_what_validate_refuses_with_the_same_message(folder):
    fifo = folder / "pipe.json"
    os.mkfifo(fifo)
    path, _field = with_model(folder, "../bench.gltf")
    for bad in (fifo, path):
        with pytest.raises(SceneInvalid) as caught:
            load_file(bad)
        assert caught.value.errors == check_files([bad])[bad]
    with pytest.raises(SceneInvalid):
        load(str(fifo))


def test_a_fifo_beside_a_scene_does_not_stop_its_validation(folder):
    os.mkfifo(folder / "pipe.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    result = validate_cli(folder / "scene.json")
    assert result.returncode == 0, result.stderr


def gltf(folder: Path, name: str, change) -> tuple[Path, str]:
    """The bench model with ``change(doc)`` applied, saved as ``models/NAME``; the scene naming it."""
    doc = json.loads((folder / "models" / "bench.gltf").read_text())
    change(doc)
    (folder / "models" / name).write_text(json.dumps(doc))
    return with_model(folder, f"models/{name}")


def external_buffer(folder: Path, size: int, uri: str = "bench.bin"):
    """A change pointing buffer 0 at a sparse file of ``size`` bytes beside the model."""
    if "/" not in uri:
        with (folder / "models" / uri).open("wb") as out:
            out.truncate(size)

    def change(doc):
        doc["buffers"][0] = {"byteLength": size, "uri": uri}
    return change


@pytest.mark.parametrize(("name", "change", "words"), [
    ("huge-buffer", lambda doc: doc["buffers"][0].update(byteLength=2 ** 31),
     "buffers[0].byteLength: declares 2147483648 bytes but the data holds only 7920"),
    ("view-past-end", lambda doc: doc["bufferViews"][5].update(byteLength=10_000),
     "bufferViews[5]: reaches byte 17344, past the end of its buffer (7920 bytes)"),
    ("accessor-past-view", lambda doc: doc["accessors"][2].update(count=10_000),
     "accessors[2]: reaches byte 40000, past the end of its buffer view (1008 bytes)"),
    ("no-such-view", lambda doc: doc["accessors"][0].update(bufferView=99), "bufferViews[99]: no such entry"),
    ("odd-type", lambda doc: doc["accessors"][0].update(type=["VEC3"]), "accessors[0]: expected a glTF componentType and type"),
])
def test_a_model_whose_data_does_not_add_up_is_refused_before_loading(folder, name, change, words):
    path, field = gltf(folder, f"{name}.gltf", change)
    (error,) = check_files([path])[path]
    assert (error.path, f"'models/{name}.gltf': {words}") == (field, error.message)


def test_a_model_buffer_outside_the_folder_is_refused(folder):
    path, field = gltf(folder, "escape.gltf", external_buffer(folder, 7920, "../../bench.bin"))
    (error,) = check_files([path])[path]
    assert error.path == field and "buffers[0].uri: expected a path inside the scene's folder" in error.message


def test_a_model_buffer_on_a_fifo_is_refused(folder):
    os.mkfifo(folder / "models" / "pipe.bin")
    path, field = gltf(folder, "pipe.gltf", lambda doc: doc["buffers"][0].update(uri="pipe.bin"))
    result = validate_cli(path)
    assert f"{path}: {field}: 'models/pipe.gltf': buffers[0].uri: 'pipe.bin': expected a regular file" in result.stderr


def test_a_model_with_too_many_triangles_is_refused(folder):
    indices = (MODEL_TRIANGLE_LIMIT + 1) * 3

    def change(doc):
        external_buffer(folder, indices * 4)(doc)
        doc["bufferViews"][2] = {"buffer": 0, "byteLength": indices * 4}
        doc["accessors"][2]["count"] = indices
    path, _field = gltf(folder, "dense.gltf", change)
    (error,) = check_files([path])[path]
    assert f"{MODEL_TRIANGLE_LIMIT + 1 + 48} triangles; a model may have at most {MODEL_TRIANGLE_LIMIT}" in error.message


def test_a_model_with_its_buffer_in_a_file_beside_it_is_fine(folder):
    doc = json.loads((folder / "models" / "bench.gltf").read_text())
    (folder / "models" / "bench.bin").write_bytes(base64.b64decode(doc["buffers"][0]["uri"].split(",", 1)[1]))
    doc["buffers"][0]["uri"] = "bench.bin"
    (folder / "models" / "split.gltf").write_text(json.dumps(doc))
    path, _field = with_model(folder, "models/split.gltf")
    assert check_files([path]) == {path: []}


def test_a_glb_that_is_not_one_is_refused(folder):
    (folder / "models" / "fake.glb").write_bytes(b"not a glb at all, just words")
    path, field = with_model(folder, "models/fake.glb")
    (error,) = check_files([path])[path]
    assert error.path == field and "not a GLB file" in error.message


def test_a_view_looking_at_its_own_position_is_refused(folder):
    doc = json.loads((folder / "scene.json").read_text())
    doc["views"][0]["look_at"] = doc["views"][0]["position"]
    path = folder / "blind.json"
    path.write_text(json.dumps(doc))
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("views[0].look_at", "expected a point to look at away from the camera's position")]


def test_a_coordinate_beyond_the_documented_range_is_refused(folder):
    doc = json.loads((folder / "scene.json").read_text())
    doc["views"][0]["position"][0] = 100_001
    path = folder / "far.json"
    path.write_text(json.dumps(doc))
    assert [e.path for e in check_files([path])[path]] == ["views[0].position[0]"]


def changed(folder: Path, name: str, change) -> Path:
    """The fixture scene after ``change(doc)``, written beside it as ``name`` (with the id ``name`` gives)."""
    doc = json.loads((folder / "scene.json").read_text())
    doc["id"] = Path(name).stem
    change(doc)
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def test_a_spawn_inside_a_solid_names_the_solid_and_its_extent(folder):
    path = changed(folder, "stuck.json", lambda doc: doc["spawns"][0].update(position=[0, 10, 0]))
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("spawns[0].position", ("this spawn is inside the solid 'hall' (a box from (-10, 6, 0) to (10, 14, 10)): "
                                "move it onto open ground"))]


def test_a_spawn_on_top_of_a_solid_or_in_a_non_solid_is_fine(folder):
    def change(doc):
        doc["spawns"][0]["position"] = [0, 10, 10]  # on the hall's roof
        doc["spawns"].append({"name": "lawn", "position": [0, 0, 0]})  # inside the non-solid ground box
    path = changed(folder, "roof.json", change)
    assert check_files([path])[path] == []


def test_a_spawn_in_a_turned_solid_is_found(folder):
    def change(doc):
        hall = next(o for o in doc["objects"] if o["id"] == "hall")
        hall["facing"] = 90  # now 8 m east-west and 20 m north-south
        doc["spawns"][0]["position"] = [0, 18, 0]
    path = changed(folder, "turned.json", change)
    assert [e.path for e in check_files([path])[path]] == ["spawns[0].position"]


def test_an_underground_spawn_is_refused(folder):
    path = changed(folder, "deep.json", lambda doc: doc["spawns"][0].update(position=[0, -20, -3]))
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("spawns[0].position", "this spawn is underground (height -3 is below the ground at 0): raise it to 0 or above")]


def test_a_portal_outside_the_bounds_or_inside_a_solid_is_unreachable(folder):
    def change(doc):
        doc["portals"].append(dict(doc["portals"][0], id="walled-in", position=[0, 10, 0]))
        doc["portals"].append(dict(doc["portals"][0], id="far-away", position=[0, 80, 0]))
    path = changed(folder, "unreachable.json", change)
    errors = check_files([path])[path]
    assert [e.path for e in errors] == ["portals[1].position", "portals[2].position"]
    assert "inside the solid 'hall'" in errors[0].message
    assert "outside the scene bounds" in errors[1].message


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG: the signature and an IHDR chunk (enough for a header reader; no pixels)."""
    ihdr = struct.pack(">II", width, height) + bytes([8, 6, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's start: SOI, an APP0 segment and a baseline frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"


@pytest.mark.parametrize(("name", "data", "words"), [
    ("wide.png", png_header(100_000, 100_000), "an image of 100000 × 100000 pixels"),
    ("tall.jpg", jpeg_header(1000, 60_000), "an image of 1000 × 60000 pixels"),
    ("text.png", b"hello", "expected a PNG or JPEG image"),
])
def test_a_model_image_is_measured_by_its_header_and_refused_when_too_large(folder, name, data, words):
    (folder / "models" / name).write_bytes(data)
    path, field = gltf(folder, "textured.gltf", lambda doc: doc.update(images=[{"uri": name}]))
    (error,) = check_files([path])[path]
    assert error.path == field
    assert f"images[0].uri: {words}" in error.message


@pytest.mark.parametrize("data", [png_header(2048, 2048), jpeg_header(4096, 2048)])
def test_a_model_image_within_the_limits_is_fine(folder, data):
    (folder / "models" / "fine.img").write_bytes(data)
    path, _field = gltf(folder, "textured.gltf", lambda doc: doc.update(images=[{"uri": "fine.img"}]))
    assert check_files([path])[path] == []


def test_too_many_objects_or_too_long_a_text_is_refused_before_the_schema(folder):
    def change(doc):
        doc["objects"] += [dict(doc["objects"][0], id=f"tile-{i}") for i in range(MAX_OBJECTS)]
        doc["name"]["en"] = "x" * (MAX_TEXT + 1)
    path = changed(folder, "crowded.json", change)
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("name.en", f"{MAX_TEXT + 1} characters; a text may have at most {MAX_TEXT}"),
        ("objects", f"{MAX_OBJECTS + 4} items; this list may have at most {MAX_OBJECTS}")]


def test_a_portal_to_a_broken_neighbour_says_what_is_wrong_there(folder):
    def broken(doc):
        doc["id"] = "annex"
        doc["views"][0]["look_at"] = doc["views"][0]["position"]
    neighbour = changed(folder, "annex.json", broken)
    path = changed(folder, "lobby.json", lambda doc: doc["portals"].append(
        dict(doc["portals"][0], id="to-annex", to="annex", spawn="start", position=[-30, 30, 0])))
    (error,) = check_files([path])[path]
    assert error.path == "portals[1].to"
    assert error.message == (f"the portal 'to-annex' leads to 'annex', which is not valid: {neighbour}: views[0].look_at: "
                             "expected a point to look at away from the camera's position")


def test_two_files_with_one_id_in_a_folder_name_each_other(folder):
    shutil.copy(folder / "scene.json", folder / "twin.json")
    results = check_files([folder / "scene.json", folder / "twin.json"])
    assert [(e.path, e.message) for e in results[folder / "scene.json"]] == [
        ("id", "twin.json in the same folder has the id 'fixture' too: give each scene an id of its own")]
    assert [e.message.split(" ")[0] for e in results[folder / "twin.json"]] == ["scene.json"]


def test_a_broken_file_with_the_same_id_still_clashes(folder):
    """Neighbours are not checked, only their ids read: a broken twin is still a twin."""
    text = (folder / "scene.json").read_text()
    (folder / "broken-twin.json").write_text(text.replace('"objects": [', '"objects": [], "objects": [', 1))
    (error,) = check_files([folder / "scene.json"])[folder / "scene.json"]
    assert (error.path, error.message.split(" ")[0]) == ("id", "broken-twin.json")


def test_a_file_reusing_a_built_in_id_is_refused_and_does_not_stand_in_for_it(folder):
    path = changed(folder, "mine.json", lambda doc: doc.update(id="city-hall"))
    assert [(e.path, e.message) for e in check_files([path])[path]] == [
        ("id", "'city-hall' is the id of the built-in scene city-hall.json: give this scene an id of its own")]
    assert load("city-hall", near=folder).source == builtin_dir() / "city-hall.json"


def test_validate_says_the_same_from_the_command_line(folder):
    path = changed(folder, "mine.json", lambda doc: doc.update(id="gwanghwamun"))
    result = validate_cli(path)
    assert result.returncode == 1
    assert f"{path}: id: 'gwanghwamun' is the id of the built-in scene gwanghwamun.json" in result.stderr


WALL = {"id": "wall", "type": "wall", "position": [0, 0, 0], "points": [[-40, -10], [-40, 20]], "height": 3}
HALL = {"id": "library", "type": "heritage-hall", "position": [-25, 35, 0], "size": [20, 8, 10]}
WAVE = {"id": "tower", "type": "glass-wave-building", "position": [30, -35, 0], "size": [20, 12, 20]}


@pytest.mark.parametrize(("spot", "extra", "words"), [
    ([15, 10, 0], None, "inside 'gate' (a korean-gate whose solid parts fill (14, 6, 0) to (26, 14, "),
    ([-5, -5, 0], None, "inside 'bench' (a model whose solid parts fill ("),
    ([-40, 5, 0], WALL, "inside 'wall' (a wall whose solid parts fill (-40.5, -10, 0) to (-39.5, 20, 3))"),
    ([-25, 35, 0], HALL, "inside 'library' (a heritage-hall"),
    ([30, -33, 0], WAVE, "inside 'tower' (a glass-wave-building"),
])
def test_a_spawn_inside_what_a_builder_makes_names_the_object(folder, spot, extra, words):
    def change(doc):
        doc["objects"] += [extra] if extra else []
        doc["spawns"].append({"name": "stuck", "position": spot})
    path = changed(folder, "built.json", change)
    (error,) = check_files([path])[path]
    assert error.path == "spawns[1].position" and words in error.message, error.message
    assert error.message.startswith("this spawn is inside") and error.message.endswith("move it onto open ground")


def test_the_open_parts_of_what_builders_make_are_fine(folder):
    def change(doc):
        doc["objects"] += [WALL, WAVE]
        doc["spawns"] += [{"name": "passage", "position": [20, 10, 0]},  # under the gate's arch
                          {"name": "beside-wall", "position": [-38, 5, 0]},
                          {"name": "under-the-overhang", "position": [30, -41, 0]}]  # the glass leans out above
        doc["portals"].append(dict(doc["portals"][0], id="through-the-gate", position=[20, 12, 0]))
    path = changed(folder, "open.json", change)
    assert check_files([path])[path] == []


def test_a_portal_inside_a_gate_pier_is_unreachable(folder):
    path = changed(folder, "walled.json", lambda doc: doc["portals"].append(
        dict(doc["portals"][0], id="in-the-pier", position=[24.5, 10, 0])))
    (error,) = check_files([path])[path]
    assert error.path == "portals[1].position" and error.message.startswith("this portal is inside 'gate'")


def test_a_built_in_scene_validates_in_about_a_second():
    import time

    for path in sorted(builtin_dir().glob("*.json")):
        started = time.perf_counter()
        assert check_files([path]) == {path: []}
        assert time.perf_counter() - started < 1.0, path.name


def test_a_portal_to_an_unreadable_neighbour_quotes_why(folder):
    (folder / "annex.json").write_text('{"id": "annex", "id": "annex"}')
    path = changed(folder, "lobby.json", lambda doc: doc["portals"].append(
        dict(doc["portals"][0], id="to-annex", to="annex", spawn="start", position=[-30, 30, 0])))
    (error,) = check_files([path])[path]
    assert error.path == "portals[1].to"
    assert error.message == (f"the portal 'to-annex' leads to 'annex', which is not valid: {folder / 'annex.json'}: "
                             "id: this field is given twice; keep only one")


def glb(doc: dict, chunk: bytes) -> bytes:
    """A GLB file: the header, the JSON chunk and the binary chunk (each padded to four bytes)."""
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    chunk += b"\0" * (-len(chunk) % 4)
    body = struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(chunk), b"BIN\0") + chunk
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


@pytest.mark.parametrize(("data", "words"), [
    (png_header(100_000, 100_000), "an image of 100000 × 100000 pixels"),
    (jpeg_header(1000, 60_000), "an image of 1000 × 60000 pixels"),
    (b"GIF89a", "expected a PNG or JPEG image"),
])
def test_an_image_inside_a_glb_is_measured_before_loading(folder, data, words):
    doc = json.loads((folder / "models" / "bench.gltf").read_text())
    buffer = base64.b64decode(doc["buffers"][0]["uri"].split(",", 1)[1])
    offset = len(buffer) + (-len(buffer) % 4)
    doc["buffers"] = [{"byteLength": offset + len(data)}]
    doc["bufferViews"].append({"buffer": 0, "byteOffset": offset, "byteLength": len(data)})
    doc["images"] = [{"bufferView": len(doc["bufferViews"]) - 1, "mimeType": "image/png"}]
    (folder / "models" / "packed.glb").write_bytes(glb(doc, buffer + b"\0" * (offset - len(buffer)) + data))
    path, field = with_model(folder, "models/packed.glb")
    (error,) = check_files([path])[path]
    assert error.path == field and error.message.startswith(f"'models/packed.glb': images[0].bufferView: {words}")


def test_a_glb_with_a_small_embedded_image_is_fine(folder):
    doc = json.loads((folder / "models" / "bench.gltf").read_text())
    buffer = base64.b64decode(doc["buffers"][0]["uri"].split(",", 1)[1])
    data = png_header(512, 256)
    doc["buffers"] = [{"byteLength": len(buffer) + len(data)}]
    doc["bufferViews"].append({"buffer": 0, "byteOffset": len(buffer), "byteLength": len(data)})
    doc["images"] = [{"bufferView": len(doc["bufferViews"]) - 1, "mimeType": "image/png"}]
    (folder / "models" / "packed.glb").write_bytes(glb(doc, buffer + data))
    path, _field = with_model(folder, "models/packed.glb")
    assert check_files([path])[path] == []


@pytest.mark.parametrize(("uri", "words"), [
    ("data:image/png;base64," + base64.b64encode(png_header(9000, 10)).decode(), "an image of 9000 × 10 pixels"),
    ("data:image/png;base64,not base64!", "expected base64 data after the comma"),
])
def test_an_image_in_a_data_uri_is_measured_before_loading(folder, uri, words):
    path, field = gltf(folder, "inline.gltf", lambda doc: doc.update(images=[{"uri": uri}]))
    (error,) = check_files([path])[path]
    assert error.path == field and error.message.startswith(f"'models/inline.gltf': images[0].uri: {words}")


MEMORY_LIMIT = 1536 * 1024 * 1024  # address space for one validation: Panda3D and numpy import well inside it


def _bounded() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def bounded_cli(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """``metaseoul ARGS`` in a process that may use at most MEMORY_LIMIT; its result and seconds taken."""
    import time

    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "metaseoul", *args], check=False, capture_output=True, text=True,
                            env=env or ENV, timeout=HANG_GUARD_S, preexec_fn=_bounded)
    return result, time.perf_counter() - started


def test_the_memory_limit_really_bites():
    result = subprocess.run([sys.executable, "-c", "bytearray(2 ** 31)"], check=False, capture_output=True, text=True,
                            timeout=HANG_GUARD_S, preexec_fn=_bounded)
    assert result.returncode != 0 and "MemoryError" in result.stderr


def made_at_test_time(folder: Path) -> list[Path]:
    """What cannot be committed: a FIFO, a link to /dev/zero, sparse files over the limits (no disk used)."""
    os.mkfifo(folder / "pipe.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    with (folder / "big.json").open("wb") as out:
        out.truncate(SCENE_FILE_LIMIT + 1)
    with (folder / "models" / "zeros.gltf").open("wb") as out:
        out.truncate(ASSET_FILE_LIMIT)  # at the limit: read, and refused as no glTF
    zeros, _field = with_model(folder, "models/zeros.gltf")
    return [folder / "pipe.json", folder / "zero.json", folder / "big.json", zeros]


def unsafe_files(fixtures: Path) -> list[Path]:
    return sorted([*(fixtures / "invalid").glob("*.json"), *(fixtures / "unsafe").glob("*.json")])


def test_every_unsafe_file_is_refused_in_bounded_memory_and_time(fixtures, folder):
    """Each file on its own, as a citizen would try it: a located message and exit code 1, never a traceback."""
    files = unsafe_files(fixtures) + made_at_test_time(folder)
    assert len(files) >= 40
    slow = {}
    for path in files:
        result, seconds = bounded_cli("validate", str(path))
        assert result.returncode == 1, (path, result.stderr[-2000:])
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith(f"{path}:") for line in lines), (path, result.stderr[-2000:])
        assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr[-2000:]
        slow.update({path.name: seconds} if seconds > 5 else {})
    assert not slow, f"refusals take well under a second beside the start of Python: {slow}"


@pytest.mark.parametrize("name", ["duplicate-key", "spawn-in-gate", "huge-buffer"])
def test_render_refuses_what_validate_refuses_with_the_same_message(fixtures, tmp_path, name):
    path = fixtures / "unsafe" / f"{name}.json"
    validated, _seconds = bounded_cli("validate", str(path))
    rendered, _seconds = bounded_cli("render", str(path), "--out", str(tmp_path), "--size", "64x36", "--frames", "1")
    assert rendered.returncode == validated.returncode == 1
    assert rendered.stderr.splitlines() == [f"metaseoul: {line}" for line in validated.stderr.splitlines()]
    assert not list(tmp_path.iterdir()), "nothing rendered"


def test_play_refuses_what_validate_refuses_with_the_same_message(fixtures, x_display, tmp_path):
    path = fixtures / "unsafe" / "spawn-in-gate.json"
    validated = validate_cli(path)
    env = ENV | {"DISPLAY": x_display, "METASEOUL_DATA_DIR": str(tmp_path)}
    played = subprocess.run([sys.executable, "-m", "metaseoul", "play", str(path), "--quality", "low", "--idle-exit", "2"],
                            check=False, capture_output=True, text=True, env=env, timeout=120)
    assert played.returncode == validated.returncode == 1, played.stderr[-2000:]
    refusal = [line for line in played.stderr.splitlines() if line.startswith("metaseoul: ")]
    assert refusal == [f"metaseoul: {line}" for line in validated.stderr.splitlines()], played.stderr[-2000:]
