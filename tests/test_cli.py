"""The metaseoul command as a user runs it: real processes, exit codes and outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from metaseoul.backend import CONTRACT_VERSION

ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")} | {"METASEOUL_LANG": "en"}


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
