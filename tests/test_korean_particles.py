"""Korean particles chosen for the word before them: with and without a final consonant (받침), ㄹ
for (으)로, numbers as read aloud, Latin words by the documented simple rule, and in real messages."""

from __future__ import annotations

import pytest

from metaseoul import i18n
from metaseoul.i18n import particles


@pytest.mark.parametrize("text, expected", [
    ("서울광장(으)로", "서울광장으로"),  # ㅇ
    ("서울도서관(으)로", "서울도서관으로"),  # ㄴ
    ("종로(으)로", "종로로"),  # no final consonant
    ("청계천길(으)로", "청계천길로"),  # ㄹ takes 로
    ("광장을(를) 지나", "광장을 지나"), ("시계탑을(를)", "시계탑을"), ("분수을(를)", "분수를"),
    ("길이(가)", "길이"), ("나무이(가)", "나무가"), ("공원은(는)", "공원은"), ("다리은(는)", "다리는"),
    ("시청와(과)", "시청과"), ("나무와(과)", "나무와"), ("사람과(와)", "사람과"),
    ("40미터(으)로", "40미터로"),
])
def test_hangul_words(text, expected):
    assert particles(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("1(으)로", "1로"), ("7(으)로", "7로"), ("8(으)로", "8로"),  # 일 칠 팔: ㄹ
    ("2(으)로", "2로"), ("4이(가)", "4가"), ("5을(를)", "5를"), ("9은(는)", "9는"),  # 이 사 오 구
    ("3(으)로", "3으로"), ("6이(가)", "6이"), ("0을(를)", "0을"),  # 삼 육 영
    ("10(으)로", "10으로"), ("20은(는)", "20은"), ("100이(가)", "100이"), ("1000와(과)", "1000과"),  # 십 백 천
    ("10000을(를)", "10000을"), ("1,000,000(으)로", "1,000,000으로"), ("120000000이(가)", "120000000이"),
    ("12(으)로", "12로"), ("3.5(으)로", "3.5로"), ("1.3을(를)", "1.3을"),
])
def test_numbers_as_read_aloud(text, expected):
    assert particles(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("metaseoul은(는)", "metaseoul은"), ("Monado을(를)", "Monado를"), ("SteamVR을(를)", "SteamVR을"),
    ("GPU이(가)", "GPU가"), ("OpenGL이(가)", "OpenGL이"), ("Google(으)로", "Google로"),
    ("alice(으)로", "alice로"), ("Kim(으)로", "Kim으로"), ("Song이(가)", "Song이"), ("Scott와(과)", "Scott과"),
    ("'alice'이(가)", "'alice'가"), ("\"서울광장\"(으)로", "\"서울광장\"으로"), ("(시청)을(를)", "(시청)을"),
])
def test_latin_words_and_quotes(text, expected):
    assert particles(text) == expected


def test_what_cannot_be_read_keeps_both_forms():
    assert particles("{name}(으)로 ☺(으)로 (으)로") == "{name}(으)로 ☺(으)로 (으)로"


def test_korean_messages_choose_their_particles():
    try:
        i18n.set_language("ko")
        assert i18n._("Guiding you to {place}.").format(place="서울광장, 12시 방향, 40미터") == \
            "서울광장, 12시 방향, 40미터로 안내합니다."
        assert i18n._("Guiding you to {place}.").format(place="서울도서관") == "서울도서관으로 안내합니다."
        assert i18n.translate("Guiding you to {place}.", "ko").format(place="종각") == "종각으로 안내합니다."
    finally:
        i18n.set_language("en")
    assert type(i18n._("Guiding you to {place}.")) is str, "English text is left alone"
