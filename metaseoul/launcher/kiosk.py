"""Kiosk mode for public terminals: full screen, guest only, big touch targets, four languages,
an attract loop when nobody is there, and a reset that forgets everything after each visitor.

Only an administrator's PIN leaves the kiosk. The configuration is a JSON file (docs/kiosk.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.launcher import style
from metaseoul.launcher.client_process import (
    ClientProcess,
    LaunchRequest,
    progress_sentence,
)
from metaseoul.launcher.kiosk_config import DEFAULT_PIN, LANGUAGE_NAMES, KioskConfig
from metaseoul.launcher.thumbnails import ThumbnailCache
from metaseoul.launcher.window import named, preset_labels
from metaseoul.paths import cache_dir
from metaseoul.scenes import load
from metaseoul.settings import Settings

ATTRACT, HOME, ACCESSIBILITY = 0, 1, 2
PIN_TRIES, PIN_LOCKOUT_SECONDS = 3, 60
log = logging.getLogger("metaseoul.kiosk")


def default_pin_warning() -> str:
    return _("The administrator PIN is still the default ({pin}): set admin_pin_sha256 in the kiosk "
             "configuration before visitors come (docs/kiosk.md).").format(pin=DEFAULT_PIN)


class PinDialog(QDialog):
    """Asks for the administrator PIN; only the right one lets the kiosk close. After three wrong
    tries it refuses for a minute, so the PIN cannot be found by trying."""

    failures = 0
    locked_until = 0.0

    def __init__(self, pin_sha256: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.pin_sha256 = pin_sha256
        self.setWindowTitle(_("Administrator"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Enter the administrator PIN to leave the kiosk.")))
        self.field = named(QLineEdit(), _("Administrator PIN"), _("Only staff know it."))
        self.field.setEchoMode(QLineEdit.Password)
        layout.addWidget(self.field)
        self.message = QLabel("", objectName="error")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        cancel = named(QPushButton(_("Cancel")), _("Cancel"), _("Stay in the kiosk."))
        cancel.clicked.connect(self.reject)
        cancel.setAutoDefault(False)  # Enter in the PIN field checks the PIN, never cancels
        ok = named(QPushButton(_("Leave kiosk")), _("Leave kiosk"), _("Close the kiosk if the PIN is right."))
        ok.setDefault(True)
        ok.clicked.connect(self.check)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout.addLayout(buttons)

    def check(self) -> None:
        cls = type(self)
        if time.monotonic() < cls.locked_until:
            self.field.clear()
            self.message.setText(_("Too many wrong PINs: wait a minute."))
            return
        if hashlib.sha256(self.field.text().encode()).hexdigest() == self.pin_sha256:
            cls.failures = 0
            self.accept()
            return
        self.field.clear()
        cls.failures += 1
        if cls.failures >= PIN_TRIES:
            cls.failures = 0
            cls.locked_until = time.monotonic() + PIN_LOCKOUT_SECONDS
            self.message.setText(_("Too many wrong PINs: wait a minute."))
        else:
            self.message.setText(_("Wrong PIN."))


class KioskWindow(QWidget):
    """A bar with the languages and Accessibility on every screen, above three pages: the attract
    loop, the destinations, and the accessibility presets."""

    def __init__(self, config: KioskConfig):
        super().__init__()
        self.config = config
        self.setWindowFlag(Qt.FramelessWindowHint)
        self.session_dir = Path(tempfile.mkdtemp(prefix="metaseoul-kiosk-"))
        self.settings = self._fresh_settings()
        self.client = ClientProcess(self)
        self.client.progress.connect(lambda step, scene: self._say(lambda: progress_sentence(step, scene)))
        self.client.failed.connect(self._visit_failed)
        self.client.ready.connect(lambda _scene: self._say(lambda: ""))
        self.client.ended.connect(self._visit_ended)
        self.client_environment: dict[str, str] | None = None
        self._said = lambda: ""  # the status line, said again in each language
        self._failed = False
        self.scenes = [load(s) for s in config.destinations]
        self.thumbnails = ThumbnailCache(cache_dir() / "thumbnails", self)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.request(self.scenes)
        self._unlocked = False
        self._slide = 0
        self.bar = QHBoxLayout()
        self.language_buttons = self._language_buttons()
        self.words = QHBoxLayout()  # the bar's translated part, made again for each language
        self.bar.addLayout(self.words, 1)
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.addLayout(self.bar)
        self.pin_warning = QLabel("", objectName="error")
        self.pin_warning.setWordWrap(True)
        self.pin_warning.setVisible(config.default_pin)
        outer.addWidget(self.pin_warning)
        outer.addWidget(self.pages, 1)
        if config.default_pin:
            log.warning(default_pin_warning())
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self.reset)
        self.attract_timer = QTimer(self, singleShot=True)
        self.attract_timer.timeout.connect(self.show_attract)
        self.slide_timer = QTimer(self, interval=5000)
        self.slide_timer.timeout.connect(self._next_slide)
        QShortcut(QKeySequence("Ctrl+Alt+Q"), self, activated=self.ask_to_leave)
        QApplication.instance().installEventFilter(self)
        self._build()
        self.show_attract()

    # --- pages -------------------------------------------------------------------------------
    def _build(self) -> None:
        """Make the translated parts again in the visitor's language and looks; the language
        buttons stay where they are (only the current one's mark moves)."""
        i18n.set_language(self.settings.language)
        current = self.pages.currentIndex()
        while self.words.count():
            old = self.words.takeAt(0).widget()
            old.hide()  # at once: it is deleted only when control returns to the event loop
            old.deleteLater()
        while self.pages.count():
            widget = self.pages.widget(0)
            self.pages.removeWidget(widget)
            widget.deleteLater()
        self.setWindowTitle(_("Metaverse Seoul"))
        self.setStyleSheet(style.stylesheet(self.settings.high_contrast, self.settings.large_text, scale=1.6,
                                            family=style.family_for(self.settings.language)))
        for code, button in self.language_buttons.items():
            button.setChecked(code == self.settings.language)
        self.words.addWidget(QLabel(_("Metaverse Seoul"), objectName="title"), 1)
        access = named(QPushButton(_("Accessibility")), _("Accessibility"), _("Choose an accessibility preset."))
        access.setObjectName("primary")
        access.clicked.connect(lambda: self._go(ACCESSIBILITY))
        self.words.addWidget(access)
        self.pin_warning.setText(default_pin_warning())
        self.destination_buttons: dict[str, QPushButton] = {}
        self.pages.addWidget(self._attract_page())
        self.pages.addWidget(self._home_page())
        self.pages.addWidget(self._accessibility_page())
        self.pages.setCurrentIndex(max(0, current))

    def _language_buttons(self) -> dict[str, QPushButton]:
        """One button per language, first in the bar, each in its own language and script."""
        buttons = {}
        for code in self.config.languages:  # no exclusive group: Tab and the d-pad reach each one
            button = named(QPushButton(LANGUAGE_NAMES[code]), LANGUAGE_NAMES[code],
                           i18n.translate("Change the language", code))
            button.setLocale(QLocale(code))  # it speaks its own language, whatever the current one
            button.setCheckable(True)  # checked: the current language (_build marks it)
            button.setStyleSheet(f'font-family: "{style.family_for(code)}";')
            button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)  # the rest of the bar cannot move it
            button.clicked.connect(lambda _c=False, code=code: self.set_language(code))
            self.bar.addWidget(button)
            buttons[code] = button
        return buttons

    def _thumbnail(self, scene) -> QPixmap:
        cached = self.thumbnails.cached(scene)
        if cached:
            return QPixmap(str(cached))
        pixmap = QPixmap(320, 180)
        pixmap.fill(Qt.darkGray)
        return pixmap

    def _thumbnail_ready(self, scene_id: str, _path: str) -> None:
        button = self.destination_buttons.get(scene_id)
        if button is not None:  # update in place: a rebuild would lose the visitor's focus
            scene = next(s for s in self.scenes if s.id == scene_id)
            button.setIcon(QIcon(self._thumbnail(scene)))

    def _attract_page(self) -> QWidget:
        page = QPushButton()  # the whole screen is one big target: touch anywhere to start
        named(page, _("Touch to start"), _("Start your visit to Metaverse Seoul."))
        layout = QVBoxLayout(page)
        self.slide = QLabel(alignment=Qt.AlignCenter)
        layout.addWidget(self.slide, 1)
        greeting = " / ".join(i18n.translate("Touch to start", code) for code in self.config.languages)
        caption = QLabel(greeting, alignment=Qt.AlignCenter, objectName="title")
        caption.setStyleSheet(f'font-family: "{style.CJK_FAMILY}";')  # it greets in every language
        caption.setWordWrap(True)
        layout.addWidget(caption)
        page.clicked.connect(self.show_home)
        return page

    def _next_slide(self) -> None:
        scene = self.scenes[self._slide % len(self.scenes)]
        self._slide += 1
        size = self.pages.size()
        pixmap = self._thumbnail(scene).scaled(max(320, size.width()), max(180, size.height() - 120),
                                               Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.slide.setPixmap(pixmap)

    def _home_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(_("Where would you like to go?")))
        grid = QGridLayout()
        for i, scene in enumerate(self.scenes):
            button = named(QPushButton(i18n.pick(scene.name)), i18n.pick(scene.name),
                           i18n.pick(scene.doc.get("description", scene.name)))
            thumbnail = self._thumbnail(scene)
            button.setIcon(QIcon(thumbnail))
            button.setIconSize(thumbnail.size())
            button.clicked.connect(lambda _c=False, s=scene.id: self.launch(s))
            self.destination_buttons[scene.id] = button
            grid.addWidget(button, i // 2, i % 2)
        layout.addLayout(grid, 1)
        self.status = QLabel(self._said(), objectName="error")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        return page

    def _accessibility_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(_("How would you like to use Metaverse Seoul?")))
        for key, (label, about) in preset_labels().items():
            button = named(QPushButton(label), label, about)
            button.clicked.connect(lambda _c=False, key=key: self.choose_preset(key))
            layout.addWidget(button)
        layout.addStretch()
        back = named(QPushButton(_("Back")), _("Back"), _("Return to the destinations."))
        back.clicked.connect(lambda: self._go(HOME))
        layout.addWidget(back, alignment=Qt.AlignRight)
        return page

    # --- behaviour ---------------------------------------------------------------------------
    def _go(self, index: int) -> None:
        self.slide_timer.stop()
        self.pages.setCurrentIndex(index)
        self._touched()

    def show_attract(self) -> None:
        self.pages.setCurrentIndex(ATTRACT)
        self._next_slide()
        self.slide_timer.start()

    def show_home(self) -> None:
        self._go(HOME)

    def set_language(self, code: str) -> None:
        self.settings.language = code
        self._build()
        self._go(HOME if self.pages.currentIndex() == ATTRACT else self.pages.currentIndex())

    def choose_preset(self, key: str) -> None:
        self.settings.apply_preset(key)
        self._build()
        self._go(HOME)

    def launch(self, scene_id: str) -> None:
        environment = dict(self.client_environment or os.environ)
        # the visit's files go to the session folder, which the reset deletes
        environment.update(METASEOUL_CONFIG_DIR=str(self.session_dir), TMPDIR=str(self.session_dir))
        self.settings.save(self.session_dir / "settings.json")  # the visitor's language and accessibility, for the client
        request = LaunchRequest(scene_id, self.settings, idle_exit=self.config.idle_reset_seconds,
                                backend=self.config.backend, touch=True)
        self._failed = False
        self.client.start(request, environment)

    def _say(self, sentence) -> None:
        """Show ``sentence()`` on the status line now, and again after each change of language."""
        self._said = sentence
        self.status.setText(sentence())

    def _visit_failed(self, reason: str) -> None:
        self._failed = True
        self._say(lambda: reason)

    def _visit_ended(self) -> None:
        """The visitor quit (or the client quit when they left): the next visitor starts from the
        kiosk's defaults. A failed start keeps the visitor's choices and shows why."""
        if self._unlocked:
            return  # the kiosk is closing: no visitor quit
        if self._failed:
            self._touched()
        else:
            self.reset()

    def _fresh_settings(self) -> Settings:
        return Settings(language=self.config.default_language, fullscreen=True)

    def reset(self) -> None:
        """The visitor has gone: forget their choices and wipe their files.

        While the client runs, input goes to it and it quits by itself when idle (``--idle-exit``);
        the reset then follows once the kiosk has been idle too.
        """
        if self.client.running:
            self.idle.start(self.config.idle_reset_seconds * 1000)
            return
        self.settings = self._fresh_settings()
        shutil.rmtree(self.session_dir, ignore_errors=True)
        self.session_dir = Path(tempfile.mkdtemp(prefix="metaseoul-kiosk-"))
        self._said = lambda: ""
        self._build()
        self.show_attract()

    def _touched(self) -> None:
        self.idle.start(self.config.idle_reset_seconds * 1000)
        if self.pages.currentIndex() != ATTRACT:
            self.attract_timer.start(self.config.attract_after_seconds * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.TouchBegin):
            self._touched()
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key_Escape and self.pages.currentIndex() == ACCESSIBILITY:
            self._go(HOME)  # B on a gamepad, Esc on a keyboard: back
        else:
            super().keyPressEvent(event)

    def ask_to_leave(self) -> None:
        dialog = PinDialog(self.config.admin_pin_sha256, self)
        self.pin_dialog = dialog
        if dialog.exec() == QDialog.Accepted:
            self.leave()

    def leave(self) -> None:
        """Close the kiosk for good: the right PIN, or the system stopping it (SIGTERM)."""
        self._unlocked = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._unlocked:
            event.ignore()  # Alt+F4 and the like do nothing: only the PIN leaves
            return
        QApplication.instance().removeEventFilter(self)
        self.client.stop()
        self.thumbnails.stop()
        shutil.rmtree(self.session_dir, ignore_errors=True)
        super().closeEvent(event)
