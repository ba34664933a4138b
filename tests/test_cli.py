"""The metaseoul command as a user runs it: real processes, exit codes and outputs; and what its
command line parses to, for the cases a display would be needed to run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import httpx
import pytest

from metaseoul import cli
from metaseoul.backend import CONTRACT_VERSION
from metaseoul.backend.db import Database
from metaseoul.backend.moderation import Moderation
from metaseoul.errors import BackendUnreachable, NoDisplay, NoOpenGL, NotInstalled
from metaseoul.scenes import SceneInvalid
from metaseoul.scenes.errors import UnknownName
from metaseoul.xr.runtime import NoRuntime

ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")} | {
    "METASEOUL_LANG": "en", "METASEOUL_DATA_DIR": tempfile.mkdtemp(prefix="metaseoul-test-data-")}


def metaseoul(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metaseoul", *args], capture_output=True, text=True,
                          env=ENV, cwd=cwd, timeout=300)


def test_scenes_lists_city_hall_with_its_views():
    result = metaseoul("scenes")
    assert result.returncode == 0, result.stderr
    assert "city-hall" in result.stdout
    for view in ("plaza", "daehanmun", "aerial", "city-hall"):
        assert f"    {view}" in result.stdout
    listing = json.loads(metaseoul("scenes", "--json").stdout)
    assert {s["id"] for s in listing} >= {"city-hall", "gwanghwamun"}


def test_scenes_in_korean():
    result = metaseoul("--lang", "ko", "scenes")
    assert "서울시청과 서울광장" in result.stdout


def test_validate_exit_codes(fixtures):
    good = metaseoul("validate", str(fixtures / "valid" / "fixture.json"))
    assert good.returncode == 0 and "valid" in good.stdout
    bad = metaseoul("validate", str(fixtures / "invalid" / "negative-size.json"), str(fixtures / "valid" / "fixture.json"))
    assert bad.returncode == 1
    assert "negative-size.json: objects[1].size[1]:" in bad.stderr
    missing = metaseoul("validate", "no-such-scene.json")
    assert missing.returncode == 1 and "no-such-scene.json: file not found" in missing.stderr


@pytest.mark.parametrize("args, words", [
    (["render", "jongmyo", "--out", "x"], "no built-in scene 'jongmyo'"),
    (["render", "city-hall", "--out", "x", "--size", "big"], "expected a size like 1280x720"),
    (["render", "city-hall", "--out", "x", "--frames", "0"], "expected a whole number of 1 or more"),
    (["render", "city-hall", "--out", "x", "--views", "rooftop"], "no view 'rooftop'"),
    (["teleport"], "invalid choice"),
    (["play", "--vr=steam"], "argument --vr-runtime: invalid choice: 'steam'"),
    (["play", "city-hall", "--vr", "openxr"], "unrecognized arguments: openxr"),  # the runtime is --vr=openxr
    (["moderator", "kim", "--data", "no-such-folder"], "no backend data in no-such-folder"),
])
def test_bad_arguments_exit_2_with_a_reason(args, words, tmp_path):
    result = metaseoul(*args, cwd=tmp_path)
    assert result.returncode == 2, result
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_render_writes_images_and_stats(tmp_path):
    result = metaseoul("render", "city-hall", "--out", str(tmp_path), "--size", "320x180", "--views", "plaza",
                       "aerial", "--frames", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city-hall-aerial.png", "city-hall-plaza.png", "stats.json"]
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["size"] == [320, 180] and stats["frame_ms_median"] > 0 and stats["draw_calls"] > 0
    assert "stats.json" in result.stdout


def test_render_of_a_broken_scene_file_names_the_problem(fixtures, tmp_path):
    result = metaseoul("render", str(fixtures / "invalid" / "unknown-field.json"), "--out", str(tmp_path))
    assert result.returncode == 1
    assert "objects[1].colour: unknown field" in result.stderr


def test_main_job_without_display_renders_every_built_in_scene(tmp_path):
    result = metaseoul("--out", str(tmp_path / "shots"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No display found" in result.stdout
    assert f"City backend: metaseoul reference backend, contract {CONTRACT_VERSION}" in result.stdout  # built-in
    for scene in ("city-hall", "gwanghwamun"):
        assert (tmp_path / "shots" / scene / "stats.json").is_file()
        assert list((tmp_path / "shots" / scene).glob("*.png"))
    assert str((tmp_path / "shots").resolve()) in result.stdout


def test_play_without_display_says_so():
    result = metaseoul("play")
    assert result.returncode == 3
    assert "no display" in result.stderr and "metaseoul render" in result.stderr


def test_a_reader_that_stops_early_is_no_error():
    """As with ``metaseoul describe city-hall | head -1``: the pipe is closed before the output comes."""
    process = subprocess.Popen([sys.executable, "-m", "metaseoul", "describe", "city-hall", "--lang", "en"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _out, errors = process.communicate(timeout=120)
    assert process.returncode == 0 and b"Broken pipe" not in errors, errors


@pytest.mark.parametrize("argv, scene, vr", [
    (["play", "--vr", "gwanghwamun"], "gwanghwamun", "auto"),
    (["play", "gwanghwamun", "--vr"], "gwanghwamun", "auto"),
    (["play", "gwanghwamun", "--vr=openxr"], "gwanghwamun", "openxr"),
    (["play", "--vr=openvr", "gwanghwamun"], "gwanghwamun", "openvr"),
    (["play", "--vr-runtime", "auto", "gwanghwamun"], "gwanghwamun", "auto"),
    (["play", "--vr"], "city-hall", "auto"),
    (["play"], "city-hall", None),
])
def test_vr_is_a_flag_and_vr_equals_picks_the_runtime(argv, scene, vr):
    args = cli.parse(argv)
    assert (args.scene, args.vr, args.touch, args.handler) == (scene, vr, False, cli._play)


def test_touch_controls_are_asked_for_with_a_flag():
    args = cli.parse(["play", "gwanghwamun", "--touch", "--fullscreen", "--idle-exit", "120"])
    assert (args.scene, args.touch, args.fullscreen, args.idle_exit) == ("gwanghwamun", True, True, 120)


def test_every_command_has_its_handler():
    commands = cli.parser()._subparsers._group_actions[0].choices
    assert {name: parser.get_default("handler").__name__ for name, parser in commands.items()} == {
        "scenes": "_scenes", "validate": "_validate", "render": "_render", "play": "_play", "launcher": "_launcher",
        "describe": "_describe", "migrate": "_migrate", "sign": "_sign", "xr-info": "_xr_info", "check-backend": "_check_backend",
        "serve": "_serve", "moderator": "_moderator", "kiosk": "_kiosk"}
    assert cli.parse([]).handler is cli._main_job


@pytest.mark.parametrize("error, code", [
    (SceneInvalid([]), 1), (UnknownName("no view 'rooftop'"), 2), (NoDisplay("no display"), 3),
    (NoOpenGL("no OpenGL"), 3), (NotInstalled("no espeak-ng"), 3), (BackendUnreachable("no answer"), 3),
    (NoRuntime("no VR"), 3),
])
def test_each_kind_of_error_has_the_exit_code_the_readme_gives(error, code):
    assert cli.exit_code(error) == code


@pytest.mark.parametrize("argv", [["play", "--vr", "gwanghwamun"], ["play", "gwanghwamun", "--vr=openxr"],
                                  ["play", "--touch"]])
def test_play_is_dispatched_to_the_window_which_needs_a_display(argv):
    result = metaseoul(*argv)
    assert result.returncode == 3, result.stderr
    assert "metaseoul: no display" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_kiosk_configuration_exits_3_naming_it(tmp_path):
    config = tmp_path / "kiosk.json"
    config.write_text('{"idle_reset_seconds": 3}')
    result = metaseoul("kiosk", "--config", str(config))
    assert result.returncode == 3
    assert result.stderr.strip() == (f"metaseoul: kiosk configuration {config}: idle_reset_seconds must be a whole "
                                     "number of seconds, at least 10")


def test_moderator_grants_and_revokes_and_names_an_unknown_user(server):
    assert httpx.post(server.url + "/auth/register", json={"name": "kim", "password": "correct horse"}).status_code == 201
    db = Database(server.data)
    try:
        granted = metaseoul("moderator", "kim", "--data", str(server.data))
        assert granted.returncode == 0 and "kim is now a moderator" in granted.stdout
        assert Moderation(db).is_moderator("kim")
        revoked = metaseoul("moderator", "kim", "--data", str(server.data), "--revoke")
        assert revoked.returncode == 0 and "kim is no longer a moderator" in revoked.stdout
        assert not Moderation(db).is_moderator("kim")
        staff = metaseoul("moderator", "kim", "--data", str(server.data), "--staff")
        assert staff.returncode == 0 and "kim is now verified city staff" in staff.stdout
        assert Moderation(db).role("kim") == "staff" and not Moderation(db).is_moderator("kim")
        unknown = metaseoul("moderator", "lee", "--data", str(server.data))
        assert unknown.returncode == 2
        assert unknown.stderr.startswith("metaseoul: no registered user 'lee': register first")
        assert not Moderation(db).is_moderator("lee")
    finally:
        db.close()
