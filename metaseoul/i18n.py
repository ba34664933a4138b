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
    return _translations(_current).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet: it is translated when shown
    (a command's label, so a language change re-labels every presenter)."""
    return message


def translate(message: str, lang: str) -> str:
    """Translate ``message`` into ``lang`` whatever the current language (a kiosk greets in all)."""
    return _translations(lang).gettext(message)


def pick(text: dict[str, str], lang: str | None = None) -> str:
    """Choose from a scene's ``{"ko": …, "en": …}`` text, falling back to English."""
    return text.get(lang or _current) or text["en"]
