"""Kiosk mode, offscreen: idle reset wipes the visitor's traces, only the PIN leaves, four
languages, big named controls, and a configuration file that says what is wrong with it."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QWidget

from metaseoul import i18n
from metaseoul.launcher.kiosk import KioskConfig, KioskWindow, PinDialog
from metaseoul.launcher.main import application


@pytest.fixture
def kiosk(qtbot):
    application()
    window = KioskWindow(KioskConfig(idle_reset_seconds=1, attract_after_seconds=1, default_language="en",
                                     admin_pin_sha256=hashlib.sha256(b"2468").hexdigest()))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window._unlocked = True
    window.close()
    i18n.set_language("en")


def test_idle_timeout_resets_and_wipes(qtbot, kiosk):
    qtbot.mouseClick(kiosk.pages.currentWidget(), Qt.LeftButton)  # touch the attract screen
    assert kiosk.pages.currentIndex() == 1
    kiosk.set_language("ja")
    kiosk.choose_preset("low-vision")
    visitor_file = kiosk.session_dir / "photo.png"
    visitor_file.write_bytes(b"personal")
    old_session = kiosk.session_dir
    assert kiosk.settings.language == "ja" and kiosk.settings.high_contrast
    qtbot.waitUntil(lambda: kiosk.settings.language == "en", timeout=5000)
    assert kiosk.settings.preset is None and not kiosk.settings.high_contrast
    assert not old_session.exists() and kiosk.session_dir.is_dir()
    assert kiosk.pages.currentIndex() == 0, "back to the attract loop"


def test_only_the_admin_pin_leaves(qtbot, kiosk):
    kiosk.close()
    assert kiosk.isVisible(), "closing without the PIN must do nothing"
    dialog = PinDialog(kiosk.config.admin_pin_sha256, kiosk)
    qtbot.addWidget(dialog)
    dialog.field.setText("1111")
    dialog.check()
    assert dialog.result() != QDialog.Accepted and "Wrong PIN" in dialog.message.text()
    dialog.field.setText("2468")
    dialog.check()
    assert dialog.result() == QDialog.Accepted


@pytest.mark.parametrize("code, words", [("ko", "어디로"), ("en", "Where would you like"), ("zh", "您想去哪里"),
                                         ("ja", "どこへ行きますか")])
def test_language_switch_covers_the_core_screens(qtbot, kiosk, code, words):
    kiosk.show_home()
    kiosk.set_language(code)
    texts = " ".join(label.text() for label in kiosk.pages.currentWidget().findChildren(QWidget)
                     if hasattr(label, "text") and isinstance(label.text(), str))
    assert words in texts


def test_controls_are_named_and_large(kiosk):
    kiosk.show_home()
    for index in range(kiosk.pages.count()):
        page = kiosk.pages.widget(index)
        buttons = [b for b in page.findChildren(QAbstractButton)] + ([page] if isinstance(page, QAbstractButton) else [])
        assert buttons
        for button in buttons:
            assert button.accessibleName(), button.text()
            hint = button.sizeHint()
            assert hint.height() >= 44 and hint.width() >= 44, (button.text(), hint)
    access = [b for b in kiosk.pages.widget(1).findChildren(QAbstractButton) if b.accessibleName() == "Accessibility"]
    assert access and access[0].isVisibleTo(kiosk.pages.widget(1)), "the accessibility button is always there"


def test_configuration_file_problems_are_named(tmp_path):
    path = tmp_path / "kiosk.json"
    path.write_text(json.dumps({"idle_reset_seconds": 60, "colour": "red"}))
    with pytest.raises(RuntimeError, match="unknown setting colour"):
        KioskConfig.load(path)
    path.write_text(json.dumps({"destinations": ["jongmyo"]}))
    with pytest.raises(RuntimeError, match="unknown destination jongmyo"):
        KioskConfig.load(path)
    path.write_text("{")
    with pytest.raises(RuntimeError, match="not valid JSON"):
        KioskConfig.load(path)
    path.write_text(json.dumps({"destinations": ["gwanghwamun"], "languages": ["ko", "en"], "idle_reset_seconds": 90}))
    config = KioskConfig.load(path)
    assert config.destinations == ["gwanghwamun"] and config.idle_reset_seconds == 90


def test_a_gamepad_moves_the_focus_and_activates(qtbot, kiosk):
    from PySide6.QtWidgets import QApplication

    from metaseoul.launcher.gamepad import GamepadNavigator

    pad = GamepadNavigator(kiosk)
    pad.poll()  # reads the real devices: with no gamepad connected nothing may happen
    assert kiosk.pages.currentIndex() == 0
    kiosk.activateWindow()
    kiosk.pages.currentWidget().setFocus()
    pad.press("face_a")  # A on the attract screen starts
    assert kiosk.pages.currentIndex() == 1
    home = kiosk.pages.currentWidget()
    buttons = [b for b in home.findChildren(QAbstractButton) if b.isVisibleTo(home)]
    buttons[0].setFocus()
    seen = set()
    for _ in range(len(buttons) + 2):
        seen.add(QApplication.focusWidget())
        pad.press("dpad_down")
    assert set(buttons) <= seen, "the d-pad should reach every button"
    access = next(b for b in buttons if b.accessibleName() == "Accessibility")
    access.setFocus()
    pad.press("face_a")
    assert kiosk.pages.currentIndex() == 2
