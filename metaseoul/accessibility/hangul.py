"""Hangul for fingerspelling (지문자): syllables into the letters KSL signs, in signing order.

The unified KSL alphabet has 19 consonant signs (the 14 plain ones and the 5 doubled ones, ㄲ ㄸ ㅃ ㅆ
ㅉ) and 21 vowel signs (compound vowels such as ㅘ and ㅢ included). Letters are signed in writing
order: initial, vowel, final; a silent initial ㅇ is signed too (아 = ㅇ + ㅏ). A final cluster such as
ㄺ has no sign of its own and is spelled as its two consonants. Facts: shared/reference/ksl.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

BASE, LAST = 0xAC00, 0xD7A3
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
CLUSTERS = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
            "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"}
CONSONANT_SIGNS = INITIALS  # the 19 consonants that have a sign
VOWEL_SIGNS = VOWELS  # the 21 vowels that have a sign


def is_syllable(ch: str) -> bool:
    return BASE <= ord(ch) <= LAST


def decompose(syllable: str) -> tuple[str, str, str]:
    """(initial, vowel, final) of a precomposed syllable; the final is '' when there is none."""
    if not is_syllable(syllable):
        raise ValueError(f"{syllable!r} is not a Hangul syllable")
    index = ord(syllable) - BASE
    initial, rest = divmod(index, 21 * 28)
    vowel, final = divmod(rest, 28)
    return INITIALS[initial], VOWELS[vowel], FINALS[final]


def compose(initial: str, vowel: str, final: str = "") -> str:
    return chr(BASE + (INITIALS.index(initial) * 21 + VOWELS.index(vowel)) * 28 + FINALS.index(final))


@dataclass(frozen=True)
class Letter:
    """One sign of a fingerspelled word."""

    sign: str  # a jamo with its own KSL sign, or a digit
    kind: str  # "initial", "vowel", "final", "number"
    source: str  # the character of the text it comes from


def fingerspell(text: str) -> list[Letter]:
    """The signs that spell ``text``, in order. Characters KSL does not fingerspell (Latin
    letters, punctuation) are left out; spaces are left to the caller's timing."""
    letters: list[Letter] = []
    for ch in unicodedata.normalize("NFC", text):  # decomposed (NFD) Korean becomes syllables again
        if is_syllable(ch):
            initial, vowel, final = decompose(ch)
            letters.append(Letter(initial, "initial", ch))
            letters.append(Letter(vowel, "vowel", ch))
            for part in CLUSTERS.get(final, final):
                letters.append(Letter(part, "final", ch))
        elif ch in CONSONANT_SIGNS or ch in CLUSTERS:
            letters += [Letter(part, "initial", ch) for part in CLUSTERS.get(ch, ch)]
        elif ch in VOWEL_SIGNS:
            letters.append(Letter(ch, "vowel", ch))
        elif ch.isdigit() and ch.isascii():
            letters.append(Letter(ch, "number", ch))
    return letters
