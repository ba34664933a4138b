"""Korean Sign Language: the lexicon format and its checks, text into signs, fingerspelling timing,
the avatar following its keyframes, and rendered frames whose hands move."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys

import pytest
from panda3d.core import PNMImage, Point2, Point3

from metaseoul.accessibility import handmodel, lexicon
from metaseoul.accessibility.hangul import CONSONANT_SIGNS, VOWEL_SIGNS
from metaseoul.accessibility.signing import LETTER_TRANSITION, TRANSITION, perform, plan
from metaseoul.scenes.errors import SceneInvalid

REQUIRED = {"FIRE", "EVACUATE", "EARTHQUAKE", "DANGER", "EXIT", "HELP", "POLICE", "HOSPITAL", "TOILET", "HELLO",
            "THANK-YOU", "COMPLAINT", "RESERVATION", "CITY-HALL", "SEOUL"}


@pytest.fixture(scope="module")
def ksl() -> lexicon.Lexicon:
    return lexicon.load()


@pytest.fixture
def seed_doc() -> dict:
    return json.loads(lexicon.default_path().read_text("utf-8"))


def problems(doc: dict, tmp_path) -> list[str]:
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    with pytest.raises(SceneInvalid) as invalid:
        lexicon.load(path)
    return [str(e).split(": ", 1)[1] for e in invalid.value.errors]


def test_the_seed_lexicon_covers_emergencies_and_city_services(ksl):
    assert len(ksl.signs) >= 40 and REQUIRED <= set(ksl.signs)
    assert all(sign.provisional for sign in ksl.signs.values()), "nothing is reviewed by Deaf signers yet"
    assert "reviewed by Deaf signers" in ksl.status
    assert set(CONSONANT_SIGNS) | set(VOWEL_SIGNS) | set("0123456789") == set(ksl.letters)
    assert ksl.language == "kvk"  # ISO 639-3: Korean Sign Language


def zero_rotation(hand: dict) -> None:
    del hand["fingers"], hand["palm"]
    hand["rotation"] = [0, 0, 0, 0]


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["signs"][0]["keyframes"][0]["right"].update(shape="fisst"),
     "signs[0].keyframes[0].right.shape: unknown handshape 'fisst'"),
    (lambda d: d["signs"][1]["keyframes"][1].update(t=0),
     "signs[1].keyframes[1].t: keyframe times must increase"),
    (lambda d: d["signs"][2]["keyframes"][0]["right"].update(fingers="up", palm="down"),
     "signs[2].keyframes[0].right: fingers up and palm down cannot point that way together"),
    (lambda d: d["signs"][3]["keyframes"][0].update(mouth=2),
     "signs[3].keyframes[0].mouth: expected"),
    (lambda d: d["signs"][4]["keyframes"][0]["right"].pop("fingers") and d["signs"][4]["keyframes"][0]["right"].pop("palm"),
     "signs[4].keyframes[0].right: the hand's first keyframe needs an orientation"),
    (lambda d: d["signs"][5]["keyframes"][0]["right"].update(at="elbow"),
     "signs[5].keyframes[0].right.at: unknown place 'elbow'"),
    (lambda d: d["letters"].update({"A": d["letters"]["ㄱ"]}),
     "letters.A: not a letter with a sign of its own"),
    (lambda d: d["signs"][6].update(colour="red"), "signs[6].colour: unknown field"),
    (lambda d: d["signs"].append(copy.deepcopy(d["signs"][0])), "duplicate gloss 'HELLO'"),
    (lambda d: d["letters"].update({"ㄱㄲ": d["letters"]["ㄱ"]}), "letters.ㄱㄲ: not a letter with a sign of its own"),
    (lambda d: d["letters"]["ㄴ"]["keyframes"][0].pop("right"), "letters.ㄴ.keyframes[0]: a letter's first keyframe needs a hand"),
    (lambda d: zero_rotation(d["signs"][7]["keyframes"][0]["right"]), "signs[7].keyframes[0].right.rotation: not a rotation"),
])
def test_malformed_lexicons_are_refused_with_located_errors(seed_doc, tmp_path, change, expected):
    change(seed_doc)
    found = problems(seed_doc, tmp_path)
    assert any(expected in problem for problem in found), found


def test_recorded_joint_rotations_are_taken_unchanged(seed_doc, tmp_path):
    """A recording from hand tracking: all 26 joints and the wrist as quaternions, every frame."""
    curl = handmodel.quat_axis_angle((-1.0, 0.0, 0.0), 30.0)
    joints = {name: list(curl if name.endswith("proximal") else handmodel.IDENTITY) for name in handmodel.JOINTS}
    wrist = list(handmodel.orientation("up", "forward"))
    seed_doc["signs"].append({"gloss": "RECORDED", "ko": ["녹화"], "en": ["recorded"], "status": "reviewed", "keyframes": [
        {"t": 0, "left": {"joints": joints, "at": [-0.1, 0.3, -0.2], "rotation": wrist}},
        {"t": 0.5, "left": {"joints": joints, "at": [-0.1, 0.3, -0.1], "rotation": wrist}}]})
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(seed_doc, ensure_ascii=False))
    sign = lexicon.load(path).signs["RECORDED"]
    assert not sign.provisional
    pose = sign.frames[0].left
    assert pose.joints["index_proximal"] == pytest.approx(curl)  # not mirrored, unlike authored handshapes
    assert pose.rotation == pytest.approx(tuple(wrist))


def test_text_becomes_signs_with_particles_and_endings_stripped(ksl):
    assert [(k, s.gloss) for k, _w, s in plan("불이야 대피하세요", ksl)] == [("sign", "FIRE"), ("sign", "EVACUATE")]
    assert [s.gloss for _k, _w, s in plan("서울시청에서 지진!", ksl)] == ["CITY-HALL", "EARTHQUAKE"]
    spelled = plan("민지는 화장실을", ksl)
    assert [s.gloss for _k, _w, s in spelled] == ["ㅁ", "ㅣ", "ㄴ", "ㅈ", "ㅣ", "ㄴ", "ㅡ", "ㄴ", "TOILET"]  # 는 kept
    assert [(k, s.gloss) for k, _w, s in plan("119", ksl)] == [("number", "1"), ("number", "1"), ("number", "9")]
    assert [s.gloss for _k, _w, s in plan("서울광장에서 불이 났어요", ksl)][:3] == ["SEOUL", "PARK", "FIRE"]
    for word in ("문화재", "불고기", "나무"):  # they start with a one-syllable sign's word, but are other words
        assert {k for k, _w, _s in plan(word, ksl)} == {"letter"}, word
    english = perform("Fire! Please go to the exit", ksl, "en")
    assert [i.label for i in english.items] == ["FIRE", "PLEASE", "GO", "EXIT"]
    assert english.unsigned == ("to", "the")


@pytest.mark.parametrize("word, letters", [
    ("쌍둥이", "ㅆㅏㅇㄷㅜㅇㅇㅣ"), ("함께", "ㅎㅏㅁㄲㅔ"), ("고양이", "ㄱㅗㅇㅑㅇㅇㅣ"),  # 이 and 께 are not particles here
    ("ㅋㅋ", "ㅋㅋ"),  # NFKC makes them conjoining jamo: signed all the same
])
def test_fingerspelled_words_keep_every_syllable(ksl, word, letters):
    assert [(k, s.gloss) for k, _w, s in plan(word, ksl)] == [("letter", letter) for letter in letters]


def test_a_particle_is_split_off_only_after_lexicon_words(ksl):
    assert [s.gloss for _k, _w, s in plan("서울광장에서", ksl)] == ["SEOUL", "PARK"]  # 서울 + 광장 + 에서
    assert [s.gloss for _k, _w, s in plan("불이", ksl)] == ["FIRE"]  # 불 + 이


def test_what_cannot_be_signed_is_listed_once_in_text_order(ksl):
    performance = perform("김서울 님 🙂 漢字 hello 안녕 🙂 hello", ksl)
    assert performance.unsigned == ("🙂", "漢字", "hello")
    assert performance.timeline()["unsigned"] == ["🙂", "漢字", "hello"]
    assert "".join(i.label for i in performance.items) == "ㄱㅣㅁㅅㅓㅇㅜㄹㄴㅣㅁHELLO"  # 안녕 is HELLO
    english = perform("Fire 🔥 불 Fire", ksl, "en")
    assert [i.label for i in english.items] == ["FIRE", "FIRE"] and english.unsigned == ("🔥", "불")


def test_sign_command_tells_what_it_left_out(tmp_path):
    out = tmp_path / "signed"
    result = subprocess.run([sys.executable, "-m", "metaseoul", "sign", "김서울 님 🙂 漢字 hello 안녕", "--lang", "ko",
                             "--out", str(out), "--size", "40x40", "--fps", "2"],
                            check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "timeline.json").read_text("utf-8"))["unsigned"] == ["🙂", "漢字", "hello"]
    assert "수어로 옮길 수 없어 빠진 부분: 🙂, 漢字, hello" in result.stdout


@pytest.mark.parametrize("text", ["", "   ", " ?! … "])
def test_sign_command_refuses_a_text_with_nothing_to_sign(tmp_path, text):
    result = subprocess.run([sys.executable, "-m", "metaseoul", "sign", text, "--out", str(tmp_path / "signed")],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "nothing to sign: the text is empty or only spaces and punctuation" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "signed").exists()


def test_fingerspelling_timing_and_transitions(ksl):
    performance = perform("강 아", ksl)
    items = performance.items
    assert [i.label for i in items] == ["ㄱ", "ㅏ", "ㅇ", "ㅇ", "ㅏ"]
    gaps = [round(b.start - a.end, 3) for a, b in zip(items, items[1:])]
    assert gaps == [LETTER_TRANSITION, LETTER_TRANSITION, TRANSITION, LETTER_TRANSITION]  # a word break between
    step = 1 / 60
    positions = [performance.pose(i * step).right for i in range(int(performance.duration / step))]
    moves = [math.dist(a.position, b.position) for a, b in zip(positions, positions[1:]) if a and b]
    assert max(moves) < 0.05, "the hand jumps between two frames"


def test_the_avatar_follows_the_keyframes(ksl, offscreen_base):
    from metaseoul.accessibility.sign_frames import SigningStage

    performance = perform("감사합니다", ksl)
    sign = ksl.signs["THANK-YOU"]
    stage = SigningStage(offscreen_base, (160, 160))
    try:
        for key in sign.frames:
            at = performance.items[0].start + key.t
            stage.avatar.apply(performance.pose(at))
            hand = stage.avatar.hands["right"]
            for name in ("index_proximal", "thumb_metacarpal", "little_distal"):
                got = hand.joints[name].getQuat()
                want = key.right.joints[name]
                assert abs(sum(g * w for g, w in zip((got[0], got[1], got[2], got[3]), want))) == pytest.approx(1, abs=1e-4)
            assert tuple(hand.wrist.getPos()) == pytest.approx(key.right.position, abs=1e-4)
            elbow = stage.avatar.elbows["right"]
            assert (Point3(*key.right.position) - elbow).length() == pytest.approx(0.255, abs=1e-3)  # the forearm reaches
    finally:
        stage.close()


def hand_region(stage, side: str, image: PNMImage, half: int = 28) -> list[float]:
    """Brightness of the pixels around where the hand is drawn."""
    wrist = stage.avatar.hands[side].wrist
    point = stage.view.camera.getRelativePoint(wrist, Point3(0, 0, -0.06))
    screen = Point2()
    assert stage.view.lens.project(point, screen)
    w, h = image.getXSize(), image.getYSize()
    cx, cy = int((screen.x + 1) / 2 * w), int((1 - screen.y) / 2 * h)
    return [image.getBright(x, y) for x in range(max(0, cx - half), min(w, cx + half))
            for y in range(max(0, cy - half), min(h, cy + half))]


def test_two_different_signs_look_different_where_the_hand_is(ksl, offscreen_base):
    from metaseoul.accessibility.sign_frames import SigningStage

    stage = SigningStage(offscreen_base, (320, 320))
    try:
        regions = []
        for word in ("물", "괜찮아요"):  # WATER (three fingers at the mouth), OK (little finger at the chin)
            performance = perform(word, ksl)
            first = performance.items[0]
            image = stage.frame(performance, first.start + 0.01)
            regions.append(hand_region(stage, "right", image))
        difference = sum(abs(a - b) for a, b in zip(*regions)) / len(regions[0])
        # 0.13 in every run (the frames are drawn at a set time of each sign); one handshape for both: 0
        assert difference > 0.02, "the two handshapes render alike"
    finally:
        stage.close()


def test_sign_command_writes_frames_whose_hands_move(tmp_path):
    out = tmp_path / "signed"
    result = subprocess.run([sys.executable, "-m", "metaseoul", "sign", "불이야 대피하세요", "--out", str(out),
                             "--size", "200x200", "--fps", "8"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    timeline = json.loads((out / "timeline.json").read_text("utf-8"))
    assert [i["label"] for i in timeline["items"]] == ["FIRE", "EVACUATE"]
    assert timeline["frames"] == len(list(out.glob("frame-*.png"))) > 10
    assert "FIRE" in result.stdout and "provisional" in result.stdout
    rest = PNMImage(str(out / "frame-0000.png"))
    moved = 0
    for i in range(1, timeline["frames"]):
        image = PNMImage(str(out / f"frame-{i:04d}.png"))
        changed = sum(1 for x in range(0, 200, 4) for y in range(0, 200, 4)
                      if abs(image.getBright(x, y) - rest.getBright(x, y)) > 0.1)
        moved = max(moved, changed)
    # 273 of the 2,500 pixels looked at change in every run (the frames are at set times); still hands: 0
    assert moved > 60, "the hands never left their resting place"
