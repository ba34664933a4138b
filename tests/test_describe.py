"""Audio description: clock directions and distances on a fixture scene, both languages, and
speech that is really audible, in a WAV file and through a real (file-backed) ALSA device."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from panda3d.core import Point3

from metaseoul import i18n
from metaseoul.accessibility.describe import Describer, Pose, clock
from metaseoul.scenes.catalog import Scene, material_library
from metaseoul.scenes.loader import build


def thing(ident: str, x: float, y: float, role: str = "building", size=(2, 2, 4)) -> dict:
    return {"id": ident, "type": "box", "role": role, "position": [x, y, 0], "size": list(size),
            "name": {"ko": f"{ident} 건물", "en": f"{ident} building"}}


@pytest.fixture(scope="module")
def describer():
    objects = [
        thing("north", 0, 41),  # its near edge is 40 m straight north
        thing("east", 21, 0),  # near edge 20 m east
        thing("southwest", -20 - 1, -34.64),  # about 210 degrees: 7 o'clock
        {"id": "square", "type": "box", "role": "plaza", "position": [0, 0, -0.1], "size": [20, 20, 0.1],
         "solid": False, "name": {"ko": "광장", "en": "Square"}},
        thing("far", 0, 500),
        {"id": "lamp", "type": "box", "role": "lamp", "position": [0, 0, 0], "size": [30, 30, 0.1], "solid": False,
         "name": {"ko": "조명", "en": "Lights"}},
    ]
    doc = {"format": 1, "id": "describe-test", "name": {"ko": "시험 광장", "en": "Test square"}, "objects": objects,
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 5, 0]}]}
    return Describer(build(Scene(doc=doc, source=Path("describe-test.json"), materials=material_library())))


@pytest.mark.parametrize("relative, hour", [(0, 12), (14, 12), (16, 1), (45, 2), (75, 3), (105, 4), (90, 3),
                                            (-90, 9), (180, 6), (-150, 7), (345, 12), (344, 11)])
def test_clock_positions(relative, hour):
    assert clock(relative) == hour


def test_directions_and_distances_facing_north(describer):
    seen = {s.object.id: s for s in describer.around(Pose(0, 0, 0), radius=100, limit=10)}
    assert (seen["north"].clock, round(seen["north"].distance)) == (12, 40)
    assert (seen["east"].clock, round(seen["east"].distance)) == (3, 20)
    assert seen["southwest"].clock == 7
    assert "far" not in seen, "beyond the radius"
    assert "lamp" not in [s.object.id for s in describer.around(Pose(0, 0, 0), limit=3)], "lamps matter least"


def test_a_long_building_straight_ahead_is_at_twelve(describer):
    from metaseoul.scenes.loader import PlacedObject

    wide = PlacedObject("wall", "box", "building", {"ko": "벽", "en": "wall"}, None, False, Point3(40, 10, 0),
                        (Point3(-10, 10, 0), Point3(90, 12, 10)))
    seen = describer.sight(Pose(0, 0, 0), wide)
    assert (seen.clock, round(seen.distance)) == (12, 10), "its nearest part is straight ahead"


def test_turning_moves_the_clock(describer):
    seen = {s.object.id: s for s in describer.around(Pose(0, 0, 90), radius=100, limit=10)}
    assert seen["north"].clock == 9 and seen["east"].clock == 12


def test_sentences_in_both_languages(describer):
    north = next(s for s in describer.around(Pose(0, 0, 0), limit=10) if s.object.id == "north")
    try:
        i18n.set_language("en")
        assert north.phrase() == "north building, 12 o'clock, 40 metres"
        assert describer.where(Pose(0, 0, 0)) == "You are in Test square, at Square, facing north."
        i18n.set_language("ko")
        assert north.phrase() == "north 건물, 12시 방향, 40미터"
        assert "광장" in describer.where(Pose(0, 0, 90)) and "동쪽" in describer.where(Pose(0, 0, 90))
    finally:
        i18n.set_language("en")


def test_ahead_lists_only_what_is_in_front(describer):
    assert [s.object.id for s in describer.ahead(Pose(0, 0, 0))] == ["north"], "far is beyond 300 m"
    assert [s.object.id for s in describer.ahead(Pose(0, 0, 90))] == ["east"]


def run(*args, home=None):
    env = dict(os.environ, METASEOUL_LANG="en")
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "metaseoul", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_describe_city_hall_in_korean_names_city_hall_with_direction_and_distance():
    result = run("describe", "city-hall", "--lang", "ko")
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if "시청" in ln and "방향" in ln)
    assert "시 방향" in line and "미터" in line


def test_speech_to_wav_is_audible_and_of_plausible_length(tmp_path):
    out = tmp_path / "out.wav"
    result = run("describe", "city-hall", "--lang", "en", "--wav", str(out))
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        seconds = wav.getnframes() / wav.getframerate()
    words = len(result.stdout.split())
    assert 0.15 * words < seconds < 1.0 * words, (seconds, words)
    assert np.abs(samples).max() > 3000 and np.sqrt(np.mean(samples.astype(float) ** 2)) > 300


def test_speaking_plays_through_the_audio_device(tmp_path):
    captured = tmp_path / "out.raw"
    (tmp_path / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "{captured}" format "raw" }}\n')
    result = run("describe", "city-hall", "--lang", "ko", "--speak", home=tmp_path)
    assert result.returncode == 0, result.stderr
    data = np.frombuffer(captured.read_bytes(), dtype="<i2")
    assert len(data) > 22050, "at least a second of sound"
    assert np.abs(data).max() > 3000


def test_portals_are_named_with_where_they_lead():
    portals = [{"id": "to-gwanghwamun", "to": "gwanghwamun", "position": [0, 30, 0], "size": [16, 4, 5], "facing": 90,
                "name": {"ko": "광화문광장", "en": "To Gwanghwamun Square"}},
               {"id": "unnamed", "to": "gwanghwamun", "position": [-40, 0, 0], "size": [4, 4, 5]}]
    doc = {"format": 1, "id": "portal-test", "name": {"ko": "시험", "en": "Test"}, "objects": [], "portals": portals,
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 5, 0]}]}
    describer = Describer(build(Scene(doc=doc, source=Path("portal-test.json"), materials=material_library())))
    seen = {s.object.id: s for s in describer.around(Pose(0, 0, 0))}
    # turned to face east, the 16 m wide gateway is 16 m deep: its near edge is 30 - 8 m away (said as 20)
    assert (seen["to-gwanghwamun"].clock, round(seen["to-gwanghwamun"].distance)) == (12, 22)
    assert seen["unnamed"].clock == 9
    try:
        i18n.set_language("ko")
        assert seen["to-gwanghwamun"].phrase() == "광화문광장으로 가는 출구, 12시 방향, 20미터"
        assert describer.ahead(Pose(0, 0, 0))[0].phrase().startswith("광화문광장으로 가는 출구")
        assert seen["unnamed"].phrase().startswith("다른 곳으로 가는 출구, 9시 방향")
        i18n.set_language("en")
        assert seen["to-gwanghwamun"].phrase() == "the exit to Gwanghwamun Square, 12 o'clock, 20 metres"
        assert seen["unnamed"].phrase().startswith("an exit to another place, 9 o'clock")
    finally:
        i18n.set_language("en")


def door_scene(portal_name: dict | None, door_name: dict | None = None) -> Describer:
    """A hall with a door in its south wall (a format-1 box with role door) and a portal standing in it."""
    door = {"id": "front-door", "type": "box", "role": "door", "position": [0, -12, 0], "size": [2, 0.3, 2.4],
            "solid": False}
    door.update({"name": door_name} if door_name else {})
    portal = {"id": "out", "to": "city-hall", "position": [0, -12, 0], "size": [2, 1, 2.4]}
    portal.update({"name": portal_name} if portal_name else {})
    doc = {"format": 1, "id": "door-test", "name": {"ko": "시험 회관", "en": "Test hall"}, "objects": [door],
           "portals": [portal, {"id": "stairs-out", "to": "city-hall", "position": [9, 0, 0], "size": [2, 2, 3],
                                "name": {"ko": "제3 열람실", "en": "To Reading Room 3"}}],
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 5, 0]}]}
    return Describer(build(Scene(doc=doc, source=Path("door-test.json"), materials=material_library())))


def test_a_door_through_a_portal_is_the_door_to_where_it_leads():
    describer = door_scene({"ko": "서울광장", "en": "To Seoul Plaza"})
    seen = {s.object.id: s for s in describer.around(Pose(0, 0, 0))}
    assert "out" not in seen, "the door and its portal are one thing to the citizen"
    door, exit_ = seen["front-door"], seen["stairs-out"]
    try:
        i18n.set_language("en")
        assert door.phrase() == "the door to Seoul Plaza, 6 o'clock, 12 metres"
        assert exit_.phrase() == "the exit to Reading Room 3, 3 o'clock, 8 metres"
        i18n.set_language("ko")
        assert door.phrase() == "서울광장으로 가는 문, 6시 방향, 12미터"
        assert exit_.phrase() == "제3 열람실로 가는 출구, 3시 방향, 8미터", "실 ends in ㄹ: 로, not 으로"
    finally:
        i18n.set_language("en")


def test_a_door_through_an_unnamed_portal_keeps_its_own_name_or_says_where_it_goes():
    named = door_scene(None, {"ko": "정문", "en": "main door"})
    assert {s.object.id: s for s in named.around(Pose(0, 0, 0))}["front-door"].phrase().startswith("main door, 6")
    unnamed = door_scene(None)
    phrase = {s.object.id: s for s in unnamed.around(Pose(0, 0, 0))}["front-door"].phrase()
    assert phrase.startswith("a door to another place, 6 o'clock")


def test_where_names_the_room_one_stands_in():
    """Format 2's rooms (BuiltScene.rooms) name where one stands."""
    room = {"id": "gallery", "type": "room", "position": [0, 0, 0], "size": [15, 10, 4],
            "name": {"ko": "전시실", "en": "Gallery"}}
    doc = {"format": 2, "id": "room-test", "name": {"ko": "시험 회관", "en": "Test hall"}, "objects": [room],
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -4, 1.6], "look_at": [0, 4, 1.6]}]}
    describer = Describer(build(Scene(doc=doc, source=Path("room-test.json"), materials=material_library())))
    try:
        i18n.set_language("en")
        assert describer.where(Pose(0, 0, 0, 0.0)) == "You are in Gallery, in Test hall, facing north."
        assert describer.where(Pose(30, 0, 0, 0.0)) == "You are in Test hall, facing north."
        i18n.set_language("ko")
        assert describer.where(Pose(0, 0, 90, 0.0)) == "지금 시험 회관의 전시실에 있고, 동쪽을 보고 있습니다."
    finally:
        i18n.set_language("en")
