"""Kiosk mode, offscreen: idle reset wipes the visitor's traces, only the PIN leaves, four
languages, big named controls, and a configuration file that says what is wrong with it."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QWidget

from metaseoul import i18n
from metaseoul.launcher.kiosk import KioskWindow, PinDialog
from metaseoul.launcher.kiosk_config import KioskConfig
from metaseoul.settings import Settings
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
    import os

    kiosk.client_environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    kiosk.show_home()
    kiosk.launch("city-hall")
    env = kiosk.client.process.processEnvironment()
    assert env.value("METASEOUL_CONFIG_DIR") == str(kiosk.session_dir)
    assert env.value("TMPDIR") == str(kiosk.session_dir)
    assert Settings.load(kiosk.session_dir / "settings.json").language == kiosk.settings.language
    assert "--idle-exit" in kiosk.client.command
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
