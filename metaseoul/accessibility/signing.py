"""Text into signs: Korean (or English) text becomes a timed performance of lexicon signs, with what
the lexicon lacks fingerspelled letter by letter and numbers signed digit by digit.

A Korean word is signed when it splits wholly into lexicon words followed by at most a particle or
verb ending, longest words first (대피하세요 = 대피 + 하세요, 서울광장에서 = 서울 + 광장 + 에서); a
one-syllable lexicon word starts a split only when a particle follows it (불이 = 불 + 이, but 불고기 and
문화재 are not FIRE or GATE). Any other word is fingerspelled, its particle dropped. Between two signs the hands move along
an eased path (joint rotations slerped), so the avatar never jumps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from metaseoul.accessibility import handmodel
from metaseoul.accessibility.hangul import fingerspell, is_syllable
from metaseoul.accessibility.lexicon import REST_LEFT, REST_RIGHT, Frame, HandPose, Lexicon, Sign

TRANSITION = 0.25  # seconds between two signs
LETTER_TRANSITION = 0.12  # between two letters of one word
REST_IN, REST_OUT = 0.4, 0.5  # hands rise from rest and return to it
# Particles and endings dropped after a signed or fingerspelled word, longest first.
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
    unsigned: tuple[str, ...]  # words that could not be signed (English words missing from the lexicon)

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


def words_of(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)  # composed Hangul; full-width digits and letters as plain ones
    return re.findall(r"[0-9]+|[^\W\d_]+", text)


def plan(text: str, lexicon: Lexicon, language: str = "ko") -> list[tuple[str, str, Sign]]:
    """(kind, word, sign) for each thing to sign, in order."""
    if language == "en":
        return _plan_english(text, lexicon)
    vocabulary = lexicon.words("ko")
    out: list[tuple[str, str, Sign]] = []
    for word in words_of(text):
        if word.isdigit():
            out += [("number", word, lexicon.letters[d]) for d in word if d in lexicon.letters]
            continue
        signs = _split(word, vocabulary)
        if signs is not None:
            out += [("sign", word, sign) for sign in signs]
        else:
            out += [("letter", word, lexicon.letters[letter.sign]) for letter in fingerspell(_strip_particle(word))
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


def _strip_particle(word: str) -> str:
    """The word without a trailing particle or ending, keeping at least one syllable."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) > len(particle) and all(is_syllable(c) for c in particle):
            return word[:-len(particle)]
    return word


def _plan_english(text: str, lexicon: Lexicon) -> list[tuple[str, str, Sign]]:
    vocabulary = lexicon.words("en")
    tokens = [w.lower() for w in words_of(text)]
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
