"""Text into signs: Korean (or English) text becomes a timed performance of lexicon signs, with what
the lexicon lacks fingerspelled letter by letter and numbers signed digit by digit.

A Korean word is signed when it splits wholly into lexicon words followed by at most a particle or
verb ending, longest words first (대피하세요 = 대피 + 하세요, 서울광장에서 = 서울 + 광장 + 에서); a
one-syllable lexicon word starts a split only when a particle follows it (불이 = 불 + 이, but 불고기 and
문화재 are not FIRE or GATE). Any other word is fingerspelled whole, a particle included: chat has names
and words no lexicon has, and a syllable taken for a particle (쌍둥이, 함께) would be lost. What cannot be
signed (emoji and other symbols, Hanja, Latin letters in Korean text) is listed as unsigned. Between two
signs the hands move along an eased path (joint rotations slerped), so the avatar never jumps.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from itertools import groupby

from metaseoul.accessibility import handmodel
from metaseoul.accessibility.hangul import fingerspell, is_syllable
from metaseoul.accessibility.lexicon import REST_LEFT, REST_RIGHT, Frame, HandPose, Lexicon, Sign

TRANSITION = 0.25  # seconds between two signs
LETTER_TRANSITION = 0.12  # between two letters of one word
REST_IN, REST_OUT = 0.4, 0.5  # hands rise from rest and return to it
# Particles and endings split off after lexicon words, longest first.
PARTICLES = sorted({
    "은", "는", "이", "가", "을", "를", "에", "에서", "에게", "께", "한테", "으로", "로", "와", "과", "도", "의", "만",
    "까지", "부터", "이야", "야", "이다", "입니다", "이에요", "예요", "이요", "요",
    "하다", "해요", "합니다", "하세요", "하십시오", "해", "해라", "하자", "했어요", "했습니다", "하고", "하면",
    "세요", "십시오", "습니다", "ㅂ니다", "어요", "아요", "았어요", "었어요",
}, key=len, reverse=True)


@dataclass(frozen=True)
class Item:
    """One entry of the performance: a sign, a fingerspelled letter or a digit."""
    kind: str  # "sign", "letter" or "number"
    label: str  # the gloss, the jamo or the digit
    word: str  # the word of the text it renders
    start: float
    end: float
    provisional: bool


@dataclass(frozen=True)
class Performance:
    text: str
    items: tuple[Item, ...]
    frames: tuple[Frame, ...]  # on one clock, from rest to rest
    unsigned: tuple[str, ...]  # what could not be signed, in text order, each once

    @property
    def duration(self) -> float:
        return self.frames[-1].t

    def pose(self, t: float) -> Frame:
        """The pose at ``t`` seconds, interpolated between the frames around it."""
        frames = self.frames
        if t <= frames[0].t:
            return frames[0]
        for a, b in zip(frames, frames[1:]):
            if t <= b.t:
                f = (t - a.t) / (b.t - a.t) if b.t > a.t else 1.0
                return blend(a, b, f * f * (3 - 2 * f), t)  # eased: no sudden starts and stops
        return frames[-1]

    def timeline(self) -> dict:
        return {"text": self.text, "duration": round(self.duration, 3),
                "items": [asdict(item) | {"start": round(item.start, 3), "end": round(item.end, 3)} for item in self.items],
                "unsigned": list(self.unsigned)}


def blend(a: Frame, b: Frame, f: float, t: float) -> Frame:
    def hand(x: HandPose | None, y: HandPose | None, rest: HandPose) -> HandPose | None:
        if x is None and y is None:
            return None
        x, y = x or rest, y or rest
        return HandPose({j: handmodel.slerp(x.joints[j], y.joints[j], f) for j in handmodel.JOINTS},
                        tuple(p + (q - p) * f for p, q in zip(x.position, y.position)),
                        handmodel.slerp(x.rotation, y.rotation, f))

    def mix(p, q):
        return p + (q - p) * f

    return Frame(t, hand(a.right, b.right, REST_RIGHT), hand(a.left, b.left, REST_LEFT),
                 tuple(mix(p, q) for p, q in zip(a.head, b.head)), mix(a.brows, b.brows), mix(a.mouth, b.mouth))


# NFKC turns the letters ㄱ … ㅣ into conjoining jamo, which KSL's alphabet does not list: turned back.
_LETTERS_BACK = str.maketrans({unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0x3131, 0x3164)})


def _kind(ch: str) -> str | None:
    """What a character belongs to: "hangul", "number", "latin", "other", or None for spaces and punctuation."""
    if is_syllable(ch) or "\u3131" <= ch <= "\u3163":  # syllables and the compatibility letters ㄱ … ㅣ
        return "hangul"
    if "0" <= ch <= "9":
        return "number"
    if ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN "):
        return "latin"
    if ch.isspace() or unicodedata.category(ch).startswith("P"):
        return None
    return "other"  # Hanja, emoji and other symbols, letters of other scripts


def tokens_of(text: str) -> list[tuple[str, str]]:
    """(kind, token) for each run of one kind of character, in order; spaces and punctuation separate."""
    text = unicodedata.normalize("NFKC", text).translate(_LETTERS_BACK)  # composed Hangul; ０ as 0, Ａ as A
    return [(kind, "".join(run)) for kind, run in groupby(text, _kind) if kind is not None]


def plan(text: str, lexicon: Lexicon, language: str = "ko") -> list[tuple[str, str, Sign | None]]:
    """(kind, word, sign) for each thing to sign, in order; ("unsigned", token, None) for what cannot be."""
    if language == "en":
        return _plan_english(text, lexicon)
    vocabulary = lexicon.words("ko")
    out: list[tuple[str, str, Sign | None]] = []
    for kind, word in tokens_of(text):
        if kind == "number":
            out += [("number", word, lexicon.letters[d]) for d in word if d in lexicon.letters]
        elif kind != "hangul":
            out.append(("unsigned", word, None))
        elif (signs := _split(word, vocabulary)) is not None:
            out += [("sign", word, sign) for sign in signs]
        else:  # the whole word, particle and all: it is not one of the lexicon's words
            out += [("letter", word, lexicon.letters[letter.sign]) for letter in fingerspell(word)
                    if letter.sign in lexicon.letters]
    return out


def _split(word: str, vocabulary: dict[str, Sign]) -> list[Sign] | None:
    """The signs ``word`` consists of, longest first, or None when it does not split wholly."""
    if word in vocabulary:
        return [vocabulary[word]]
    if word in PARTICLES:
        return []
    for n in range(len(word) - 1, 0, -1):
        head, rest = word[:n], word[n:]
        if head not in vocabulary or (n == 1 and rest not in PARTICLES):
            continue
        tail = _split(rest, vocabulary)
        if tail is not None:
            return [vocabulary[head], *tail]
    return None


def _plan_english(text: str, lexicon: Lexicon) -> list[tuple[str, str, Sign | None]]:
    vocabulary = lexicon.words("en")
    tokens = [w.lower() for _kind, w in tokens_of(text)]
    out, i = [], 0
    while i < len(tokens):
        for n in (3, 2, 1):  # "thank you", "city hall"
            phrase = " ".join(tokens[i:i + n])
            if len(tokens[i:i + n]) == n and phrase in vocabulary:
                out.append(("sign", phrase, vocabulary[phrase]))
                i += n
                break
        else:
            if tokens[i].isdigit():
                out += [("number", tokens[i], lexicon.letters[d]) for d in tokens[i] if d in lexicon.letters]
            else:
                out.append(("unsigned", tokens[i], None))
            i += 1
    return out


def perform(text: str, lexicon: Lexicon, language: str = "ko") -> Performance:
    """The timed performance of ``text``: rest, each sign or letter in turn, rest."""
    frames: list[Frame] = [Frame(0.0, None, None)]
    items: list[Item] = []
    cursor = REST_IN
    previous_word = None
    unsigned: list[str] = []
    for kind, word, sign in plan(text, lexicon, language):
        if kind == "unsigned":
            if word not in unsigned:
                unsigned.append(word)
            continue
        if items:
            same_word = kind in ("letter", "number") and word == previous_word
            cursor += LETTER_TRANSITION if same_word else TRANSITION
        start = cursor
        for frame in sign.frames:
            frames.append(Frame(start + frame.t, frame.right, frame.left, frame.head, frame.brows, frame.mouth))
        cursor = start + max(sign.duration, 0.2)
        items.append(Item(kind, sign.gloss, word, start, cursor, sign.provisional))
        previous_word = word
    frames.append(Frame(cursor + REST_OUT, None, None))
    return Performance(text, tuple(items), tuple(frames), tuple(unsigned))
