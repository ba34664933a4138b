"""Every message the code shows, and every hint in the scene schema, has a Korean translation."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from metaseoul import i18n
from metaseoul.scenes import validate

PACKAGE = Path(__file__).parents[1] / "metaseoul"
KEYWORDS = {"_": None, "N_": None, "translate": (1,)}  # i18n._(message), N_(message), translate(message, lang)


def messages_in_code() -> set[str]:
    return {message for _f, _l, message, _c, _ctx in extract_from_dir(str(PACKAGE), keywords=KEYWORDS)}


def schema_hints() -> set[str]:
    folder = resources.files("metaseoul.scenes") / "schema"
    hints = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                hints.add(node["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for version in validate.FORMATS:
        walk(json.loads((folder / f"scene-{version}.schema.json").read_text()))
    return hints


@pytest.mark.parametrize("lang", ["ko"])
def test_catalogue_translates_everything(lang):
    with (PACKAGE / "locale" / lang / "LC_MESSAGES" / "metaseoul.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string}
    wanted = messages_in_code() | schema_hints()
    assert len(wanted) > 50
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated: {missing}"
    stale = sorted({m.id for m in catalog if m.id} - wanted)
    assert not stale, f"translations of messages no longer used: {stale}"


def kiosk_screen_messages() -> set[str]:
    """What a kiosk visitor can see: the kiosk's screens, the presets, the client's progress."""
    from metaseoul.launcher.window import preset_labels

    wanted = set()
    for name in ("kiosk.py", "client_process.py"):
        for _f, _l, message, _c, _ctx in extract_from_dir(str(PACKAGE / "launcher"), keywords=KEYWORDS):
            if _f.endswith(name):
                wanted.add(message)
    for label, about in preset_labels().values():
        wanted |= {label, about}
    return wanted


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_kiosk_screens_are_translated(lang):
    with (PACKAGE / "locale" / lang / "LC_MESSAGES" / "metaseoul.po").open("rb") as f:
        translated = {m.id for m in read_po(f, locale=lang) if m.id and m.string}
    wanted = kiosk_screen_messages()
    assert len(wanted) > 20
    assert not sorted(wanted - translated), f"untranslated in {lang}: {sorted(wanted - translated)}"


@pytest.mark.parametrize("lang", ["ko", "zh", "ja"])
def test_translations_keep_their_placeholders(lang):
    with (PACKAGE / "locale" / lang / "LC_MESSAGES" / "metaseoul.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    import string

    for message in catalog:
        if message.id:
            fields = {name for _t, name, _s, _c in string.Formatter().parse(message.id) if name}
            assert fields == {name for _t, name, _s, _c in string.Formatter().parse(message.string) if name}, message.id


def test_switching_language():
    try:
        i18n.set_language("ko")
        assert i18n._("Quit") == "끝내기"
        assert i18n.pick({"ko": "서울광장", "en": "Seoul Plaza"}) == "서울광장"
        i18n.set_language("en")
        assert i18n._("Quit") == "Quit"
    finally:
        i18n.set_language("en")
    with pytest.raises(ValueError):
        i18n.set_language("fr")
    try:
        i18n.set_language("ja")
        assert i18n._("Where would you like to go?") == "どこへ行きますか？"
        assert i18n.pick({"ko": "서울광장", "en": "Seoul Plaza"}) == "Seoul Plaza", "no Japanese: English"
    finally:
        i18n.set_language("en")
