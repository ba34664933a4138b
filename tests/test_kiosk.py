"""Kiosk mode, offscreen: idle reset wipes the visitor's traces, only the PIN leaves, four
languages, big named controls, and a configuration file that says what is wrong with it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QWidget

from metaseoul import i18n
from metaseoul.launcher.kiosk import KioskWindow, PinDialog
from metaseoul.launcher.kiosk_config import KioskConfig
from metaseoul.launcher.main import application
from metaseoul.settings import Settings
from tests.ui_text import untranslated, visible_texts

# thumbnails are cached once for the whole session, in a folder of its own (not the user's ~/.cache)
os.environ.setdefault("METASEOUL_CACHE_DIR", tempfile.mkdtemp(prefix="metaseoul-test-cache-"))


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
    buttons = kiosk.findChildren(QAbstractButton)
    assert len(buttons) >= 10
    for button in buttons:
        assert button.accessibleName() and button.accessibleDescription(), button.text()
        hint = button.sizeHint()
        assert hint.height() >= 44 and hint.width() >= 44, (button.text(), hint)


@pytest.mark.parametrize("page", [0, 1, 2])
def test_accessibility_and_languages_on_every_screen(kiosk, page):
    kiosk.pages.setCurrentIndex(page)
    visible = {b.accessibleName() for b in kiosk.findChildren(QAbstractButton) if b.isVisibleTo(kiosk)}
    assert {"Accessibility", "한국어", "English", "中文", "日本語"} <= visible


def test_ctrl_alt_q_asks_for_the_pin_and_the_right_pin_leaves(qtbot, kiosk):
    from PySide6.QtCore import QTimer

    def answer():
        dialog = kiosk.pin_dialog
        dialog.field.setText("2468")
        dialog.check()

    QTimer.singleShot(200, answer)
    qtbot.keyClick(kiosk, Qt.Key_Q, Qt.ControlModifier | Qt.AltModifier)
    qtbot.waitUntil(lambda: not kiosk.isVisible(), timeout=5000)


def test_wrong_pins_lock_the_dialog_for_a_while(qtbot, kiosk):
    dialog = PinDialog(kiosk.config.admin_pin_sha256, kiosk)
    qtbot.addWidget(dialog)
    for _ in range(3):
        dialog.field.setText("0000")
        dialog.check()
    dialog.field.setText("2468")
    dialog.check()
    assert dialog.result() != QDialog.Accepted and "wait a minute" in dialog.message.text()
    PinDialog.locked_until = 0.0


def test_a_visit_keeps_its_files_in_the_session_folder(qtbot, kiosk):
    kiosk.client_environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    kiosk.show_home()
    kiosk.launch("city-hall")
    env = kiosk.client.process.processEnvironment()
    assert env.value("METASEOUL_CONFIG_DIR") == str(kiosk.session_dir)
    assert env.value("TMPDIR") == str(kiosk.session_dir)
    assert Settings.load(kiosk.session_dir / "settings.json").language == kiosk.settings.language
    assert "--idle-exit" in kiosk.client.command and kiosk.client.command[-1] == "--touch"
    with qtbot.waitSignal(kiosk.client.ended, timeout=60_000):
        pass  # no display here: the client says so and ends


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
    path.write_text(json.dumps({"idle_reset_seconds": "120"}))
    with pytest.raises(RuntimeError, match="idle_reset_seconds must be a whole number of seconds, at least 10"):
        KioskConfig.load(path)
    path.write_text(json.dumps({"admin_pin_sha256": "1234"}))
    with pytest.raises(RuntimeError, match="admin_pin_sha256 must be the SHA-256"):
        KioskConfig.load(path)
    path.write_text(json.dumps({"backend": "city.example"}))
    with pytest.raises(RuntimeError, match="backend must be an http:// or https:// address"):
        KioskConfig.load(path)
    path.write_text(json.dumps({"destinations": ["gwanghwamun"], "languages": ["ko", "en"], "idle_reset_seconds": 90,
                                "backend": "https://city.example"}))
    config = KioskConfig.load(path)
    assert config.destinations == ["gwanghwamun"] and config.idle_reset_seconds == 90
    assert config.backend == "https://city.example"


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
    access = next(b for b in kiosk.findChildren(QAbstractButton) if b.accessibleName() == "Accessibility")
    access.setFocus()
    pad.press("face_a")
    assert kiosk.pages.currentIndex() == 2
    kiosk.pages.currentWidget().findChildren(QAbstractButton)[0].setFocus()
    pad.press("face_b")  # B goes back
    assert kiosk.pages.currentIndex() == 1


def test_a_wrong_pin_entered_with_enter_says_so(qtbot, kiosk):
    dialog = PinDialog(kiosk.config.admin_pin_sha256, kiosk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.field, "1111")
    qtbot.keyClick(dialog.field, Qt.Key_Return)
    assert dialog.isVisible() and dialog.message.text() == "Wrong PIN." and PinDialog.failures == 1
    qtbot.keyClicks(dialog.field, "2468")
    qtbot.keyClick(dialog.field, Qt.Key_Enter)
    assert dialog.result() == QDialog.Accepted and not dialog.isVisible()


def test_the_default_pin_warns_the_operator(qtbot, caplog):
    application()
    with caplog.at_level(logging.WARNING, logger="metaseoul.kiosk"):
        window = KioskWindow(KioskConfig(default_language="en"))
    qtbot.addWidget(window)
    window.show()
    assert any("PIN is still the default (0000)" in r.getMessage() for r in caplog.records)
    assert window.pin_warning.isVisible() and "admin_pin_sha256" in window.pin_warning.text()
    window.set_language("ko")
    assert "관리자 PIN" in window.pin_warning.text()
    window.leave()
    i18n.set_language("en")


def test_a_set_pin_shows_no_warning(kiosk):
    assert not kiosk.pin_warning.isVisible()


def test_language_buttons_stay_in_place_and_mark_the_current_one(qtbot, kiosk):
    kiosk.show_home()
    QApplication.processEvents()  # the layout settles, as on screen
    buttons = kiosk.language_buttons
    places = {code: b.mapTo(kiosk, b.rect().topLeft()) for code, b in buttons.items()}
    for code in ("ko", "zh", "ja", "en"):
        qtbot.mouseClick(buttons[code], Qt.LeftButton)
        qtbot.mouseClick(buttons[code], Qt.LeftButton)  # pressing the current one again keeps it
        QApplication.processEvents()
        assert kiosk.settings.language == code
        assert [c for c, b in buttons.items() if b.isChecked()] == [code]
        assert {c: b.mapTo(kiosk, b.rect().topLeft()) for c, b in buttons.items()} == places, code


def test_every_visible_text_changes_language(qtbot, kiosk):
    for page in (1, 2):  # Korean: the scenes name their places in Korean and English only
        kiosk.pages.setCurrentIndex(page)
        QApplication.processEvents()  # Qt shows the bar's new widgets from the event loop
        english = visible_texts(kiosk)
        kiosk.set_language("ko")
        QApplication.processEvents()
        assert not untranslated(english, visible_texts(kiosk)), page
        kiosk.set_language("en")


def test_a_visitor_who_quits_leaves_no_choices_behind(qtbot, kiosk, x_display):
    kiosk.client_environment = dict(os.environ, DISPLAY=x_display)
    kiosk.show_home()
    kiosk.set_language("ja")
    kiosk.choose_preset("low-vision")
    with qtbot.waitSignal(kiosk.client.ready, timeout=120_000):
        kiosk.launch("city-hall")
    assert kiosk.settings.high_contrast
    with qtbot.waitSignal(kiosk.client.ended, timeout=60_000):
        pass  # the client quits by itself after idle_reset_seconds (1 s here) without input
    assert kiosk.settings.language == "en" and not kiosk.settings.high_contrast and kiosk.settings.preset is None
    assert kiosk.pages.currentIndex() == 0, "the next visitor finds the attract loop"


def test_kiosk_thumbnails_are_cached_under_the_cache_folder(kiosk):
    from metaseoul.paths import cache_dir

    assert kiosk.thumbnails.folder == cache_dir() / "thumbnails"
