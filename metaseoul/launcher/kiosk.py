"""Kiosk mode for public terminals: full screen, guest only, big touch targets, four languages,
an attract loop when nobody is there, and a reset that forgets everything after each visitor.

Only an administrator's PIN leaves the kiosk. The configuration is a JSON file (docs/kiosk.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.launcher import style
from metaseoul.launcher.client_process import ClientProcess, LaunchRequest
from metaseoul.launcher.thumbnails import ThumbnailCache
from metaseoul.launcher.window import named, preset_labels
from metaseoul.scenes import builtin_ids, load
from metaseoul.settings import Settings, config_dir

LANGUAGE_NAMES = {"ko": "한국어", "en": "English", "zh": "中文", "ja": "日本語"}
GREETINGS = {"ko": "시작하려면 누르세요", "en": "Touch to start", "zh": "触摸开始", "ja": "タッチしてスタート"}


@dataclass
class KioskConfig:
    destinations: list[str] = field(default_factory=builtin_ids)
    languages: list[str] = field(default_factory=lambda: ["ko", "en", "zh", "ja"])
    default_language: str = "ko"
    idle_reset_seconds: int = 120
    attract_after_seconds: int = 45
    admin_pin_sha256: str = hashlib.sha256(b"0000").hexdigest()
    backend: str = "embedded"

    @classmethod
    def load(cls, path: Path | None) -> KioskConfig:
        if path is None:
            return cls()
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except FileNotFoundError:
            raise RuntimeError(_("kiosk configuration {path} not found").format(path=path)) from None
        except ValueError as exc:
            raise RuntimeError(_("kiosk configuration {path} is not valid JSON: {problem}").format(
                path=path, problem=exc)) from None
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise RuntimeError(_("kiosk configuration {path}: unknown setting {name}").format(
                path=path, name=", ".join(sorted(unknown))))
        config = cls(**data)
        bad = [d for d in config.destinations if d not in builtin_ids()]
        if bad:
            raise RuntimeError(_("kiosk configuration {path}: unknown destination {name}").format(
                path=path, name=", ".join(bad)))
        if not set(config.languages) <= set(LANGUAGE_NAMES) or config.default_language not in config.languages:
            raise RuntimeError(_("kiosk configuration {path}: languages must be among ko, en, zh, ja and "
                                 "include the default language").format(path=path))
        return config


class PinDialog(QDialog):
    """Asks for the administrator PIN; only the right one lets the kiosk close."""

    def __init__(self, pin_sha256: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.pin_sha256 = pin_sha256
        self.setWindowTitle(_("Administrator"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Enter the administrator PIN to leave the kiosk.")))
        self.field = named(QLineEdit(), _("Administrator PIN"))
        self.field.setEchoMode(QLineEdit.Password)
        self.field.returnPressed.connect(self.check)
        layout.addWidget(self.field)
        self.message = QLabel("", objectName="error")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        cancel = named(QPushButton(_("Cancel")), _("Cancel"))
        cancel.clicked.connect(self.reject)
        ok = named(QPushButton(_("Leave kiosk")), _("Leave kiosk"))
        ok.clicked.connect(self.check)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout.addLayout(buttons)

    def check(self) -> None:
        if hashlib.sha256(self.field.text().encode()).hexdigest() == self.pin_sha256:
            self.accept()
        else:
            self.field.clear()
            self.message.setText(_("Wrong PIN."))


class KioskWindow(QWidget):
    """Pages: the attract loop, and the visitor's home (destinations, language, accessibility)."""

    def __init__(self, config: KioskConfig):
        super().__init__()
        self.config = config
        self.setWindowFlag(Qt.FramelessWindowHint)
        self.session_dir = Path(tempfile.mkdtemp(prefix="metaseoul-kiosk-"))
        self.settings = self._fresh_settings()
        self.client = ClientProcess(self)
        self.client.failed.connect(lambda reason: self.status.setText(reason))
        self.client.ready.connect(lambda _scene: self.status.setText(""))
        self.client.ended.connect(self._touched)  # the visit ended: count idle time from now
        self.client_environment: dict[str, str] | None = None
        self.thumbnails = ThumbnailCache(config_dir() / "thumbnails", self)
        self.thumbnails.ready.connect(lambda *_: self._build())
        self.scenes = [load(s) for s in config.destinations]
        self.thumbnails.request(self.scenes)
        self._unlocked = False
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self.reset)
        self.attract_timer = QTimer(self, singleShot=True)
        self.attract_timer.timeout.connect(self.show_attract)
        self.slide_timer = QTimer(self, interval=5000)
        self.slide_timer.timeout.connect(self._next_slide)
        self._slide = 0
        QShortcut(QKeySequence("Ctrl+Alt+Q"), self, activated=self.ask_to_leave)
        from PySide6.QtWidgets import QApplication

        QApplication.instance().installEventFilter(self)
        self._build()
        self.show_attract()

    # --- pages -------------------------------------------------------------------------------
    def _build(self) -> None:
        i18n.set_language(self.settings.language)
        current = self.pages.currentIndex()
        while self.pages.count():
            widget = self.pages.widget(0)
            self.pages.removeWidget(widget)
            widget.deleteLater()
        self.setStyleSheet(style.stylesheet(self.settings.high_contrast, self.settings.large_text, scale=1.6,
                                            family=style.family_for(self.settings.language)))
        self.pages.addWidget(self._attract_page())
        self.pages.addWidget(self._home_page())
        self.pages.addWidget(self._accessibility_page())
        self.pages.setCurrentIndex(max(0, current))

    def _thumbnail(self, scene) -> QPixmap:
        cached = self.thumbnails.cached(scene)
        if cached:
            return QPixmap(str(cached))
        pixmap = QPixmap(320, 180)
        pixmap.fill(Qt.darkGray)
        return pixmap

    def _attract_page(self) -> QWidget:
        page = QPushButton()  # the whole screen is one big target: touch anywhere to start
        named(page, _("Touch to start"), _("Start your visit to Metaverse Seoul."))
        layout = QVBoxLayout(page)
        self.slide = QLabel(alignment=Qt.AlignCenter)
        layout.addWidget(self.slide, 1)
        caption = QLabel(" / ".join(GREETINGS[code] for code in self.config.languages),
                         alignment=Qt.AlignCenter, objectName="title")
        caption.setStyleSheet(f'font-family: "{style.CJK_FAMILY}";')  # it greets in all four languages
        caption.setWordWrap(True)
        layout.addWidget(caption)
        page.clicked.connect(self.show_home)
        return page

    def _next_slide(self) -> None:
        if not self.scenes:
            return
        scene = self.scenes[self._slide % len(self.scenes)]
        self._slide += 1
        pixmap = self._thumbnail(scene).scaled(self.width() or 1280, max(180, (self.height() or 720) - 200),
                                               Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.slide.setPixmap(pixmap)

    def _home_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Metaverse Seoul"), objectName="title"), 1)
        for code in self.config.languages:
            button = named(QPushButton(LANGUAGE_NAMES[code]), LANGUAGE_NAMES[code], _("Change the language"))
            button.setStyleSheet(f'font-family: "{style.family_for(code)}";')
            button.clicked.connect(lambda _c=False, code=code: self.set_language(code))
            top.addWidget(button)
        access = named(QPushButton(_("Accessibility")), _("Accessibility"), _("Choose an accessibility preset."))
        access.setObjectName("primary")
        access.clicked.connect(lambda: self.pages.setCurrentIndex(2))
        top.addWidget(access)
        layout.addLayout(top)
        layout.addWidget(QLabel(_("Where would you like to go?")))
        grid = QGridLayout()
        for i, scene in enumerate(self.scenes):
            button = named(QPushButton(i18n.pick(scene.name)), i18n.pick(scene.name),
                           i18n.pick(scene.doc.get("description", scene.name)))
            button.setIcon(QIcon(self._thumbnail(scene)))
            button.setIconSize(self._thumbnail(scene).size())
            button.clicked.connect(lambda _c=False, s=scene.id: self.launch(s))
            grid.addWidget(button, i // 2, i % 2)
        layout.addLayout(grid, 1)
        self.status = QLabel("", objectName="error")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        return page

    def _accessibility_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(_("How would you like to use Metaverse Seoul?"), objectName="title"))
        for key, (label, about) in preset_labels().items():
            button = named(QPushButton(label), label, about)
            button.clicked.connect(lambda _c=False, key=key: self.choose_preset(key))
            layout.addWidget(button)
        layout.addStretch()
        return page

    # --- behaviour ---------------------------------------------------------------------------
    def show_attract(self) -> None:
        self.pages.setCurrentIndex(0)
        self._next_slide()
        self.slide_timer.start()

    def show_home(self) -> None:
        self.slide_timer.stop()
        self.pages.setCurrentIndex(1)
        self._touched()

    def set_language(self, code: str) -> None:
        self.settings.language = code
        self._build()
        self.pages.setCurrentIndex(1)

    def choose_preset(self, key: str) -> None:
        self.settings.apply_preset(key)
        self._build()
        self.pages.setCurrentIndex(1)

    def launch(self, scene_id: str) -> None:
        self.status.setText(_("Opening…"))
        request = LaunchRequest(scene_id, self.settings, idle_exit=self.config.idle_reset_seconds)
        self.client.start(request, self.client_environment)

    def _fresh_settings(self) -> Settings:
        return Settings(language=self.config.default_language, backend=self.config.backend, fullscreen=True)

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
        self._build()
        self.show_attract()

    def _touched(self) -> None:
        self.idle.start(self.config.idle_reset_seconds * 1000)
        if self.pages.currentIndex() != 0:
            self.attract_timer.start(self.config.attract_after_seconds * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.TouchBegin):
            self._touched()
        return False

    def ask_to_leave(self) -> None:
        dialog = PinDialog(self.config.admin_pin_sha256, self)
        if dialog.exec() == QDialog.Accepted:
            self._unlocked = True
            self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._unlocked:
            event.ignore()  # Alt+F4 and the like do nothing: only the PIN leaves
            return
        self.client.stop()
        self.thumbnails.stop()
        shutil.rmtree(self.session_dir, ignore_errors=True)
        super().closeEvent(event)
