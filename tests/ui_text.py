"""What a window says, for the tests that switch its language: every visible widget's texts, in
the order the widgets were made, so the same page in two languages pairs up widget by widget."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QWidget,
)

from metaseoul.launcher.kiosk_config import LANGUAGE_NAMES


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(widget kind, text) for each text a visible widget shows or gives a screen reader."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or isinstance(widget.parent(), QComboBox):
            continue
        if widget.testAttribute(Qt.WA_SetLocale):  # it speaks its own language: a language button
            continue
        kind = type(widget).__name__
        texts = [widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        found += [(kind, text) for text in texts if text]
    return found


def language_neutral(text: str) -> bool:
    """Text that is the same in every language: language names, one text in all languages
    (joined by " · " or " / "), addresses, numbers."""
    return (text in LANGUAGE_NAMES.values() or " · " in text or " / " in text
            or text.startswith(("http://", "https://")) or not re.search(r"[A-Za-z]", text))


def untranslated(before: list[tuple[str, str]], after: list[tuple[str, str]],
                 neutral: frozenset[str] = frozenset()) -> list[str]:
    """The texts that stayed the same although the language changed (and are neither neutral nor
    among ``neutral``, such as this computer's audio device names)."""
    assert [kind for kind, _text in before] == [kind for kind, _text in after], "the page changed shape"
    return [f"{kind}: {old}" for (kind, old), (_kind, new) in zip(before, after)
            if old == new and not language_neutral(old) and old not in neutral]
