"""Hangul decomposition for KSL fingerspelling: every syllable, and the hard cases of spelling."""

from __future__ import annotations

import pytest

from metaseoul.accessibility.hangul import (
    CONSONANT_SIGNS,
    VOWEL_SIGNS,
    compose,
    decompose,
    fingerspell,
)


def test_every_syllable_round_trips():
    count = 0
    for code in range(0xAC00, 0xD7A4):
        syllable = chr(code)
        assert compose(*decompose(syllable)) == syllable
        count += 1
    assert count == 11_172


def test_the_alphabet_has_19_consonants_and_21_vowels():
    assert len(CONSONANT_SIGNS) == 19 and len(VOWEL_SIGNS) == 21


@pytest.mark.parametrize("word, letters", [
    ("서울", "ㅅㅓㅇㅜㄹ"),
    ("아", "ㅇㅏ"),  # the silent initial is signed
    ("꽃", "ㄲㅗㅊ"),  # a double consonant has its own sign
    ("왜", "ㅇㅙ"),  # so does a compound vowel
    ("의자", "ㅇㅢㅈㅏ"),
    ("닭", "ㄷㅏㄹㄱ"),  # a final cluster is spelled as its two consonants
    ("값", "ㄱㅏㅂㅅ"),
    ("있다", "ㅇㅣㅆㄷㅏ"),
    ("많이", "ㅁㅏㄴㅎㅇㅣ"),
    ("120 다산", "120ㄷㅏㅅㅏㄴ"),
])
def test_fingerspelling_sequences(word, letters):
    assert "".join(letter.sign for letter in fingerspell(word)) == letters


def test_letters_know_their_role_and_syllable():
    spelled = fingerspell("닭")
    assert [(x.sign, x.kind) for x in spelled] == [("ㄷ", "initial"), ("ㅏ", "vowel"), ("ㄹ", "final"), ("ㄱ", "final")]
    assert {x.source for x in spelled} == {"닭"}
    assert all(x.sign in CONSONANT_SIGNS or x.sign in VOWEL_SIGNS for x in spelled)


def test_decompose_refuses_what_is_not_a_syllable():
    with pytest.raises(ValueError, match="not a Hangul syllable"):
        decompose("A")


def test_decomposed_text_is_spelled_too():
    import unicodedata

    assert "".join(x.sign for x in fingerspell(unicodedata.normalize("NFD", "서울"))) == "ㅅㅓㅇㅜㄹ"
