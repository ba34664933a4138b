"""Translation of user-visible text.

Messages are written in English in the code and translated through gettext catalogues kept as
editable ``.po`` files under ``metaseoul/locale``; they are compiled in memory when first used, so
translators never need a build step.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
import re
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("ko", "en")  # complete translations
KIOSK_LANGUAGES = ("ko", "en", "zh", "ja")  # the kiosk's core screens are translated into these too
_DOMAIN = "metaseoul"
_current = "en"


def default_language() -> str:
    """The language from METASEOUL_LANG, else the system locale; Korean or English."""
    wanted = os.environ.get("METASEOUL_LANG") or (locale.getlocale()[0] or "") or os.environ.get("LANG", "")
    return "ko" if wanted.lower().startswith("ko") else "en"


@lru_cache(maxsize=None)
def _translations(lang: str) -> gettext.NullTranslations:
    po = resources.files("metaseoul") / "locale" / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def set_language(lang: str) -> None:
    """Switch every later call of ``_`` to ``lang`` (one of KIOSK_LANGUAGES)."""
    global _current
    if lang not in KIOSK_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(KIOSK_LANGUAGES)}")
    _current = lang


def language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _marked(_translations(_current).gettext(message))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet: it is translated when shown
    (a command's label, so a language change re-labels every presenter)."""
    return message


def translate(message: str, lang: str) -> str:
    """Translate ``message`` into ``lang`` whatever the current language (a kiosk greets in all)."""
    return _marked(_translations(lang).gettext(message))


def pick(text: dict[str, str], lang: str | None = None) -> str:
    """Choose from a scene's ``{"ko": …, "en": …}`` text, falling back to English."""
    return text.get(lang or _current) or text["en"]


# -- Korean particles ----------------------------------------------------------------------------
# A translation writes both forms of a particle after a placeholder ("{place}(으)로"); once formatted,
# the form that fits the word before it is chosen. What decides is that word's last sound: whether
# it ends in a final consonant (받침), and for (으)로 whether that consonant is ㄹ.
PARTICLES = {  # marker: (after a final consonant, after a vowel or ㄹ for 로)
    "(으)로": ("으로", "로"), "을(를)": ("을", "를"), "를(을)": ("을", "를"), "이(가)": ("이", "가"),
    "가(이)": ("이", "가"), "은(는)": ("은", "는"), "는(은)": ("은", "는"), "와(과)": ("과", "와"),
    "과(와)": ("과", "와"),
}
_MARKER = re.compile("|".join(re.escape(m) for m in PARTICLES))
_RIEUL = 8  # ㄹ's index among the final consonants of a Hangul syllable
_DIGIT_FINAL = {"0": 21, "1": _RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": _RIEUL, "8": _RIEUL, "9": 0}
_UNIT_FINAL = {1: 17, 2: 1, 3: 4}  # 십 ㅂ, 백 ㄱ, 천 ㄴ: the last syllable of 10, 100, 1000
_MYRIAD_FINAL = {1: 4, 2: 1, 3: 0}  # 만 ㄴ, 억 ㄱ, 조 (none)
_LETTER_FINAL = {"l": _RIEUL, "r": _RIEUL, "m": 16, "n": 4}  # a spelled-out capital: 엘, 알, 엠, 엔
_CLOSING = "'\"’”)]」』》"
_TAIL = re.compile(r"(?:[0-9][0-9,.]*|[A-Za-z]+|[가-힣])$")


class Message(str):
    """A translation with particle markers: ``format`` chooses each particle for the word before it."""

    def format(self, *args, **kwargs) -> str:
        return particles(str.format(self, *args, **kwargs))


@lru_cache(maxsize=4096)
def _marked(text: str) -> str:
    """``text`` as a Message when it holds particle markers (looked for once per text: presenters
    translate their labels every frame)."""
    return Message(text) if _MARKER.search(text) else text


def particles(text: str) -> str:
    """Replace each "(으)로", "을(를)", "이(가)", "은(는)", "와(과)" by the form the word before it takes
    ("서울광장(으)로" -> "서울광장으로", "12미터(으)로" -> "12미터로", "3(으)로" -> "3으로"); one
    after something unreadable (a symbol, a placeholder) stays as it is."""

    def choose(match: re.Match) -> str:
        final = final_consonant(text[:match.start()])
        if final is None:
            return match.group()
        consonant, vowel = PARTICLES[match.group()]
        takes_vowel_form = final == 0 or (final == _RIEUL and match.group() == "(으)로")
        return vowel if takes_vowel_form else consonant

    return _MARKER.sub(choose, text)


def final_consonant(before: str) -> int | None:
    """The final consonant (받침) of the last word of ``before`` as read aloud in Korean: 0 for none,
    8 for ㄹ, another index for another consonant, None where it cannot be told. Closing quotes and
    brackets are looked through. Numbers are read in Korean (1 일, 2 이, 10 십, 100 백, 10000 만);
    Latin words by a simple rule: a capital after a capital (or alone) is spelled (VR 알, GPU 유, M 엠),
    otherwise a word ending in l, m, n, ng, k, p or t ends in a consonant, and any other does not."""
    tail = _TAIL.search(before.rstrip(_CLOSING))
    if tail is None:
        return None
    word = tail.group()
    if "가" <= word <= "힣":
        return (ord(word) - 0xAC00) % 28
    if word[0].isdigit():
        return _number_final(word.rstrip(",."))
    return _latin_final(word)


def _number_final(number: str) -> int:
    digits = number.replace(",", "")
    if "." in digits or digits.strip("0") == "" or not digits.endswith("0"):
        return _DIGIT_FINAL[digits[-1]]  # 영, or the last digit (after a decimal point, digit by digit)
    zeros = len(digits) - len(digits.rstrip("0"))
    return _UNIT_FINAL[zeros] if zeros < 4 else _MYRIAD_FINAL.get(min(zeros // 4, 3), 0)


def _latin_final(word: str) -> int:
    if word[-1].isupper() and (len(word) == 1 or word[-2].isupper()):
        return _LETTER_FINAL.get(word[-1].lower(), 0)
    lower = word.lower()
    if lower.endswith("ng"):
        return 21
    return {"l": _RIEUL, "m": 16, "n": 4, "k": 1, "p": 17, "t": 7}.get(lower[-1], 0)
