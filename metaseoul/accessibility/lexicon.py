"""Sign lexicons: the documented, versioned file format (``docs/sign-lexicon.md``), its validation
with located errors, and the resolved signs the avatar plays.

A sign is a list of keyframes. Each keyframe may give either hand (a handshape or OpenXR joint
rotations, a wrist place, a wrist rotation by finger and palm directions or as a quaternion), the
head, the eyebrows and the mouth. What a keyframe leaves out carries over from the one before, so an
authored sign stays short while a recording can give everything at every frame.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema

from metaseoul.accessibility import handmodel
from metaseoul.accessibility.handmodel import Quat
from metaseoul.accessibility.hangul import CONSONANT_SIGNS, VOWEL_SIGNS
from metaseoul.i18n import _
from metaseoul.scenes.catalog import assets_dir
from metaseoul.scenes.errors import SceneError, SceneInvalid, json_path, path_order
from metaseoul.scenes.validate import read_json, schema_errors

Vec3 = tuple[float, float, float]
LETTERS_WITH_SIGNS = frozenset(CONSONANT_SIGNS) | frozenset(VOWEL_SIGNS) | frozenset("0123456789")
DEFAULT_LEXICON = "ksl.json"
FINGERSPELLING_PLACE: Vec3 = (0.2, 0.3, -0.08)  # right of the chin, forward: where letters are shown


@dataclass(frozen=True)
class HandPose:
    joints: dict[str, Quat]  # parent-relative OpenXR joint rotations
    position: Vec3  # the wrist, from the top of the sternum: x right, y forward, z up (metres)
    rotation: Quat  # the wrist's joint frame in the torso frame


@dataclass(frozen=True)
class Frame:
    t: float
    right: HandPose | None  # None: the hand rests at the side
    left: HandPose | None
    head: Vec3 = (0.0, 0.0, 0.0)  # nod, turn, tilt in degrees
    brows: float = 0.0
    mouth: float = 0.0


@dataclass(frozen=True)
class Sign:
    gloss: str
    ko: tuple[str, ...]
    en: tuple[str, ...]
    frames: tuple[Frame, ...]
    provisional: bool = True

    @property
    def duration(self) -> float:
        return self.frames[-1].t


@dataclass
class Lexicon:
    language: str
    signs: dict[str, Sign] = field(default_factory=dict)  # by gloss
    letters: dict[str, Sign] = field(default_factory=dict)  # by jamo or digit
    status: str = ""

    def words(self, language: str) -> dict[str, Sign]:
        """Every word of ``language`` ("ko" or "en") that names a sign, lower-cased."""
        return {unicodedata.normalize("NFC", word).lower(): sign for sign in self.signs.values()
                for word in getattr(sign, language)}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text = (resources.files("metaseoul.accessibility") / "schema" / "sign-lexicon-1.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def default_path() -> Path:
    return assets_dir() / "signs" / DEFAULT_LEXICON


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> Lexicon:
    """Read, check and resolve a lexicon file; raises SceneInvalid listing every problem."""
    path = path or default_path()
    doc = read_json(path)
    errors = schema_errors(doc, str(path), _validator())
    if not errors:
        errors = _semantic_errors(doc, str(path))
    if errors:
        raise SceneInvalid(sorted(errors, key=lambda e: path_order(e.path)))
    return _resolve(doc)


def _semantic_errors(doc: dict, file: str) -> list[SceneError]:
    errors: list[SceneError] = []
    shapes, places = doc.get("handshapes", {}), doc.get("places", {})

    def err(path: list, message: str) -> None:
        errors.append(SceneError(file, json_path(path), message))

    def check_frames(frames: list, where: list) -> None:
        last = -1.0
        seen_hand: set[str] = set()
        for i, frame in enumerate(frames):
            if i == 0 and frame["t"] != 0:
                err(where + [i, "t"], _("the first keyframe must be at t = 0"))
            if frame["t"] <= last:
                err(where + [i, "t"], _("keyframe times must increase ({t} after {last})").format(t=frame["t"], last=last))
            last = frame["t"]
            for side in ("right", "left"):
                hand = frame.get(side)
                if hand is None:
                    continue
                here = where + [i, side]
                if "shape" in hand and "joints" in hand:
                    err(here, _("give a shape or joints, not both"))
                if "shape" in hand and hand["shape"] not in shapes:
                    err(here + ["shape"], _("unknown handshape {name!r}").format(name=hand["shape"]))
                rotations = [("rotation", hand["rotation"])] if "rotation" in hand else []
                rotations += [(f"joints.{j}", q) for j, q in hand.get("joints", {}).items()]
                for name, q in rotations:
                    if sum(c * c for c in q) < 0.25:
                        err(here + name.split("."), _("not a rotation: a quaternion's length must be 1"))
                if isinstance(hand.get("at"), str) and hand["at"] not in places:
                    err(here + ["at"], _("unknown place {name!r}").format(name=hand["at"]))
                if ("fingers" in hand) != ("palm" in hand):
                    err(here, _("fingers and palm directions go together"))
                elif "fingers" in hand:
                    if "rotation" in hand:
                        err(here, _("give fingers and palm directions or a rotation, not both"))
                    try:
                        handmodel.orientation(hand["fingers"], hand["palm"])
                    except ValueError:
                        err(here, _("fingers {fingers} and palm {palm} cannot point that way together").format(
                            fingers=hand["fingers"], palm=hand["palm"]))
                if side not in seen_hand:  # the first time a hand appears, it must be complete
                    missing = [name for name, keys in ((_("a shape or joints"), ("shape", "joints")),
                                                       (_("an orientation"), ("fingers", "rotation")))
                               if not any(k in hand for k in keys)]
                    if missing:
                        err(here, _("the hand's first keyframe needs {what}").format(what=_(" and ").join(missing)))
                seen_hand.add(side)

    glosses: dict[str, int] = {}
    for i, sign in enumerate(doc["signs"]):
        if sign["gloss"] in glosses:
            err(["signs", i, "gloss"], _("duplicate gloss {gloss!r} (first at signs[{first}])").format(
                gloss=sign["gloss"], first=glosses[sign["gloss"]]))
        glosses.setdefault(sign["gloss"], i)
        check_frames(sign["keyframes"], ["signs", i, "keyframes"])
    for letter, entry in doc.get("letters", {}).items():
        if letter not in LETTERS_WITH_SIGNS:
            err(["letters", letter], _("not a letter with a sign of its own (a Hangul jamo or a digit)"))
        if not {"right", "left"} & set(entry["keyframes"][0]):
            err(["letters", letter, "keyframes", 0], _("a letter's first keyframe needs a hand"))
        check_frames(entry["keyframes"], ["letters", letter, "keyframes"])
    return errors


REST_RIGHT = HandPose(handmodel.shape_rotations({f: "curved" for f in handmodel.FINGERS[1:]} | {"thumb": "along"}),
                      (0.24, 0.02, -0.62), handmodel.orientation("down", "left"))
REST_LEFT = HandPose({j: handmodel.mirrored(q) for j, q in REST_RIGHT.joints.items()},
                     (-0.24, 0.02, -0.62), handmodel.orientation("down", "right"))


def _resolve(doc: dict) -> Lexicon:
    shapes = {name: _shape(spec) for name, spec in doc.get("handshapes", {}).items()}
    places = {name: tuple(xyz) for name, xyz in doc.get("places", {}).items()}

    def hand(spec: dict, before: HandPose | None, side: str, default_place: Vec3 | None) -> HandPose:
        if "joints" in spec:  # a recording: taken as it is
            joints = {j: handmodel.normalise(tuple(spec["joints"].get(j, handmodel.IDENTITY))) for j in handmodel.JOINTS}
        elif "shape" in spec:  # authored for the right hand, mirrored for the left
            joints = shapes[spec["shape"]]
            if side == "left":
                joints = {j: handmodel.mirrored(q) for j, q in joints.items()}
        else:
            joints = before.joints
        at = spec.get("at")
        if at is None:
            rest = REST_LEFT if side == "left" else REST_RIGHT
            position = before.position if before else (default_place or rest.position)
        else:
            position = places[at] if isinstance(at, str) else tuple(at)
        if "offset" in spec:
            position = tuple(p + o for p, o in zip(position, spec["offset"]))
        if "rotation" in spec:
            rotation = handmodel.normalise(tuple(spec["rotation"]))
        elif "fingers" in spec:
            rotation = handmodel.orientation(spec["fingers"], spec["palm"])
        else:
            rotation = before.rotation
        return HandPose(joints, position, rotation)

    def frames(keyframes: list, default_place: Vec3 | None = None) -> tuple[Frame, ...]:
        out: list[Frame] = []
        right = left = None
        head, brows, mouth = (0.0, 0.0, 0.0), 0.0, 0.0
        for k in keyframes:
            if "right" in k:
                right = hand(k["right"], right, "right", default_place)
            if "left" in k:
                left = hand(k["left"], left, "left", None)
            head = tuple(k.get("head", head))
            brows, mouth = k.get("brows", brows), k.get("mouth", mouth)
            out.append(Frame(float(k["t"]), right, left, head, brows, mouth))
        return tuple(out)

    lexicon = Lexicon(doc["language"], status=doc.get("status", ""))
    for s in doc["signs"]:
        lexicon.signs[s["gloss"]] = Sign(s["gloss"], tuple(s["ko"]), tuple(s["en"]), frames(s["keyframes"]),
                                         s.get("status", "provisional") == "provisional")
    for letter, entry in doc.get("letters", {}).items():
        lexicon.letters[letter] = Sign(letter, (letter,), (letter,), frames(entry["keyframes"], FINGERSPELLING_PLACE),
                                       entry.get("status", "provisional") == "provisional")
    return lexicon


def _shape(spec: dict) -> dict[str, Quat]:
    if "joints" in spec:
        return {j: handmodel.normalise(tuple(spec["joints"].get(j, handmodel.IDENTITY))) for j in handmodel.JOINTS}
    fingers = {k: v for k, v in spec.items() if k in handmodel.FINGERS}
    return handmodel.shape_rotations(fingers, spec.get("spread", 0.0), spec.get("crossed", False))
