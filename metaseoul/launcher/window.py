"""The launcher window: the language and the accessibility presets first, then backend,
destinations, settings, Launch.

Every page is made from the settings in the current language, so a change of language makes the
pages again (``_build``); what the pages show besides the settings (the status lines, the settings
being edited) is kept apart and shown again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from metaseoul import i18n
from metaseoul.backend.embedded import EmbeddedBackend
from metaseoul.errors import BackendUnreachable
from metaseoul.i18n import _
from metaseoul.launcher import style
from metaseoul.launcher.backends import EMBEDDED, BackendCheck, check_backend, sign_in
from metaseoul.launcher.client_process import (
    ClientProcess,
    LaunchRequest,
    place_name,
    progress_sentence,
)
from metaseoul.launcher.kiosk_config import LANGUAGE_NAMES
from metaseoul.launcher.thumbnails import ThumbnailCache
from metaseoul.paths import cache_dir
from metaseoul.scenes import builtin_ids, load
from metaseoul.settings import CHOICES, QUALITIES, Settings
from metaseoul.visit.city import NAME_VARIABLE, TOKEN_VARIABLE

PAGES = ("accessibility", "home", "settings")


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control the name and description screen readers announce."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget


def choice_box(name: str, description: str) -> QComboBox:
    """A drop-down whose list follows the style sheet: Qt's own list ignores it, and its highlighted
    item then vanishes in high contrast."""
    box = named(QComboBox(), name, description)
    box.setItemDelegate(QStyledItemDelegate(box))
    return box


def preset_labels() -> dict[str, tuple[str, str]]:
    return {
        "default": (_("Standard"), _("No changes; everything can be adjusted later in Settings.")),
        "deaf": (_("Deaf or hard of hearing"), _("Captions for all speech and sounds; sign language where offered.")),
        "blind": (_("Blind"), _("Spoken descriptions of what is around you and audio guidance.")),
        "low-vision": (_("Low vision"), _("High contrast and large text, with captions.")),
        "mobility": (_("Limited mobility"), _("Large targets and reduced motion; every action works from the keyboard.")),
    }


def _check_into(url: str, results: list[BackendCheck]) -> None:
    results.append(check_backend(url))


class BackendChecker(QObject):
    """Runs the discovery check on a worker thread, so the window never freezes, and reports on the
    interface thread: a timer there collects the result. No Qt signal or Qt object crosses threads
    (PySide6 has crashed delivering queued signals from a QThread, PYSIDE-3124, and deleting wrappers
    released on another thread)."""

    done = Signal(object)  # the BackendCheck, emitted on the interface thread

    def __init__(self, url: str, parent: QObject):
        super().__init__(parent)
        self._result: list[BackendCheck] = []
        # the worker holds nothing of Qt's: a wrapper let go of on another thread can crash PySide6
        self._worker = threading.Thread(target=_check_into, args=(url, self._result),
                                        name="metaseoul-backend-check", daemon=True)
        self._timer = QTimer(self, interval=50)
        self._timer.timeout.connect(self._collect)
        self._worker.start()
        self._timer.start()

    def isRunning(self) -> bool:  # noqa: N802 (as QThread says it)
        return self._timer.isActive()

    def wait(self, seconds: float) -> None:
        """Lets the check finish (it times out by itself) without reporting: the window is closing."""
        self._timer.stop()
        self._worker.join(seconds)

    def _collect(self) -> None:
        if self._result:
            self._timer.stop()
            self.done.emit(self._result[0])


class LauncherWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, settings_path: Path | None = None):
        super().__init__()
        self.settings_path = settings_path
        self.settings = settings or Settings.load(settings_path)
        i18n.set_language(self.settings.language if self.settings.language in i18n.LANGUAGES else "ko")
        self.client = ClientProcess(self)
        self.client.progress.connect(self._launch_progress)
        self.client.ready.connect(self._launch_ready)
        self.client.failed.connect(self._launch_failed)
        self.client.ended.connect(self._launch_ended)
        self.client.notice.connect(self._launch_notice)
        self._notice = ""
        self._opened = False  # the client said ready: the visit runs
        self._failed = False  # the last launch failed: its reason stays shown
        self._launch_said: Callable[[], str] = lambda: ""  # the status lines, said again in a new language
        self._backend_said: tuple[Callable[[], str], str] = (lambda: "", "muted")
        self.draft: Settings | None = None  # the settings page's unsaved choices, kept across a change of language
        self._vr: dict[str, tuple[bool, str]] = {}  # per language, asked once: starting a runtime can take seconds
        self.signed_in: tuple[str, str] | None = None  # (name, bearer token), kept in memory only
        self.embedded = EmbeddedBackend.default()
        self.thumbnails = ThumbnailCache(cache_dir() / "thumbnails", self)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.client_environment: dict[str, str] | None = None
        self._checker: BackendChecker | None = None
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.resize(1100, 720)
        self._build()
        self.show_page("home" if self.settings.preset else "accessibility")

    # --- pages -------------------------------------------------------------------------------
    def _build(self) -> None:
        """Make every page again, in the current language and looks."""
        while self.pages.count():
            page = self.pages.widget(0)
            self.pages.removeWidget(page)
            page.deleteLater()
        self.setWindowTitle(_("Metaverse Seoul"))
        looks = self.draft or self.settings
        self.setStyleSheet(style.stylesheet(looks.high_contrast, looks.large_text))
        self.pages.addWidget(self._accessibility_page())
        self.pages.addWidget(self._home_page())
        self.pages.addWidget(self._settings_page())

    def show_page(self, name: str) -> None:
        self.pages.setCurrentIndex(PAGES.index(name))
        self.pages.currentWidget().setFocus()
        first = self.pages.currentWidget().findChild(QWidget, "first")
        if first is not None:
            first.setFocus()

    def page(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def _language_row(self) -> QWidget:
        """The first thing on the first screen: each language named in itself, so nobody is stuck
        in the language the computer happened to be set to."""
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(" · ".join(i18n.translate("Language", code) for code in i18n.LANGUAGES)))
        self.language_buttons = {}
        for i, code in enumerate(i18n.LANGUAGES):  # no exclusive group: Tab reaches each one
            button = named(QPushButton(LANGUAGE_NAMES[code]), LANGUAGE_NAMES[code],
                           i18n.translate("Change the language", code))
            button.setObjectName("first" if i == 0 else f"language-{code}")
            button.setLocale(QLocale(code))  # it speaks its own language, whatever the current one
            button.setCheckable(True)  # checked: the current language
            button.setChecked(code == self.settings.language)
            button.clicked.connect(lambda _c=False, code=code: self.choose_language(code))
            self.language_buttons[code] = button
            row.addWidget(button)
        row.addStretch()
        return holder

    def _accessibility_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._language_row())
        title = QLabel(_("How would you like to use Metaverse Seoul?"), objectName="title")
        layout.addWidget(title)
        layout.addWidget(QLabel(_("Choose what suits you. You can change it at any time in Settings."), objectName="muted"))
        self.preset_group = QButtonGroup(page)
        for key, (label, about) in preset_labels().items():
            button = named(QRadioButton(f"{label} — {about}"), label, about)
            button.setObjectName(f"preset-{key}")
            button.setProperty("preset", key)
            self.preset_group.addButton(button)
            button.setChecked(key == (self.settings.preset or "default"))
            layout.addWidget(button)
        layout.addStretch()
        go = named(QPushButton(_("Continue")), _("Continue"), _("Save this choice and go to the destinations."))
        go.setObjectName("primary")
        go.clicked.connect(self._choose_preset)
        layout.addWidget(go, alignment=Qt.AlignRight)
        return page

    def choose_language(self, code: str) -> None:
        """The first screen's language buttons: everything is said again in ``code`` at once."""
        preset = self.preset_group.checkedButton().property("preset")
        self.settings.language = code
        self.settings.save(self.settings_path)
        i18n.set_language(code)
        self._build()
        self.show_page("accessibility")
        next(b for b in self.preset_group.buttons() if b.property("preset") == preset).setChecked(True)
        self.language_buttons[code].setFocus()

    def _choose_preset(self) -> None:
        self.settings.apply_preset(self.preset_group.checkedButton().property("preset"))
        self.settings.save(self.settings_path)
        self._build()
        self.show_page("home")

    def _home_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        header = QHBoxLayout()
        header.addWidget(QLabel(_("Metaverse Seoul"), objectName="title"))
        header.addStretch()
        settings = named(QPushButton(_("Settings")), _("Settings"), _("Graphics, VR, audio, language and accessibility."))
        settings.clicked.connect(lambda: self.show_page("settings"))
        access = named(QPushButton(_("Accessibility")), _("Accessibility"), _("Choose an accessibility preset."))
        access.clicked.connect(lambda: self.show_page("accessibility"))
        header.addWidget(access)
        header.addWidget(settings)
        layout.addLayout(header)

        backend_row = QHBoxLayout()
        backend_row.addWidget(QLabel(_("City backend:")))
        self.backend_box = choice_box(_("City backend"), _("Which city server to connect to."))
        self.backend_box.setObjectName("first")
        self.backend_box.addItem(_("Built-in (this computer)"), EMBEDDED)
        for url in self.settings.backends:
            self.backend_box.addItem(url, url)
        self.backend_box.setCurrentIndex(max(0, self.backend_box.findData(self.settings.backend)))
        self.backend_box.currentIndexChanged.connect(self._pick_backend)
        backend_row.addWidget(self.backend_box, 1)
        self.backend_url = named(QLineEdit(), _("Backend address"), _("The web address of another city backend."))
        self.backend_url.setPlaceholderText("https://city.example")
        self.backend_url.returnPressed.connect(self.add_backend)
        backend_row.addWidget(self.backend_url, 1)
        add = named(QPushButton(_("Check and add")), _("Check and add"), _("Ask the address for its discovery document, then add it."))
        add.clicked.connect(self.add_backend)
        backend_row.addWidget(add)
        layout.addLayout(backend_row)
        said, kind = self._backend_said
        self.backend_status = QLabel(said(), objectName=kind)
        self.backend_status.setWordWrap(True)
        layout.addWidget(self.backend_status)

        layout.addWidget(QLabel(_("Where would you like to go?")))
        self.gallery = named(QListWidget(), _("Destinations"), _("Pick a place, then press Launch."))
        self.gallery.setViewMode(QListWidget.IconMode)
        self.gallery.setIconSize(QSize(320, 180))
        self.gallery.setResizeMode(QListWidget.Adjust)
        self.gallery.setMovement(QListWidget.Static)
        self.gallery.setSpacing(12)
        scenes = [load(scene_id) for scene_id in builtin_ids()]
        for scene in scenes:
            item = QListWidgetItem(i18n.pick(scene.name))
            item.setData(Qt.UserRole, scene.id)
            item.setData(Qt.AccessibleTextRole, i18n.pick(scene.name))
            if scene.doc.get("description"):
                item.setToolTip(i18n.pick(scene.doc["description"]))
            cached = self.thumbnails.cached(scene)
            item.setIcon(QIcon(str(cached)) if cached else self._placeholder())
            self.gallery.addItem(item)
        self.gallery.setCurrentRow(0)
        self.gallery.itemActivated.connect(lambda _item: self.launch())
        layout.addWidget(self.gallery, 1)
        self.thumbnails.request(scenes)

        footer = QHBoxLayout()
        self.identity = QLabel(self._identity_text(), objectName="muted")
        self.identity.setWordWrap(True)
        footer.addWidget(self.identity, 1)
        self.account_button = named(QPushButton(_("Sign out") if self.signed_in else _("Sign in")), _("Account"),
                                    _("Sign in to the chosen backend, or continue as a guest."))
        self.account_button.clicked.connect(self.account)
        footer.addWidget(self.account_button)
        self.progress = named(QProgressBar(), _("Loading"), _("Shows while the place is being prepared."))
        self.progress.setRange(0, 0)
        footer.addWidget(self.progress)
        self.launch_status = QLabel("")
        self.launch_status.setWordWrap(True)
        footer.addWidget(self.launch_status, 1)
        self.launch_button = named(QPushButton(_("Launch")), _("Launch"), _("Open the chosen place."))
        self.launch_button.setObjectName("primary")
        self.launch_button.clicked.connect(self.launch)
        footer.addWidget(self.launch_button)
        layout.addLayout(footer)
        self._show_visit()
        return page

    def _placeholder(self) -> QIcon:
        pixmap = QPixmap(320, 180)
        pixmap.fill(Qt.gray)
        return QIcon(pixmap)

    def _thumbnail_ready(self, scene_id: str, path: str) -> None:
        for row in range(self.gallery.count()):
            item = self.gallery.item(row)
            if item.data(Qt.UserRole) == scene_id:
                item.setIcon(QIcon(path))

    def _settings_page(self) -> QWidget:
        s = self.draft or self.settings
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(_("Settings"), objectName="title"))
        body = QWidget()
        rows = QVBoxLayout(body)
        scroller = QScrollArea()  # the settings outgrow small screens and large text; Save stays in view
        scroller.setWidget(body)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.NoFrame)
        scroller.setFocusPolicy(Qt.NoFocus)

        def row(label: str, widget: QWidget) -> None:
            line = QHBoxLayout()
            caption = QLabel(label)
            caption.setBuddy(widget)
            line.addWidget(caption, 1)
            line.addWidget(widget, 2)
            rows.addLayout(line)

        self.language_box = choice_box(_("Language"), _("The language of menus, signs and speech."))
        self.language_box.setObjectName("first")
        for code in i18n.LANGUAGES:
            self.language_box.addItem(LANGUAGE_NAMES[code], code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(s.language)))
        self.language_box.currentIndexChanged.connect(self._preview_language)
        row(_("Language"), self.language_box)
        self.quality_box = choice_box(_("Graphics quality"), _("Lower quality runs faster on older computers."))
        names = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}
        for q in QUALITIES:
            self.quality_box.addItem(names[q], q)
        self.quality_box.setCurrentIndex(QUALITIES.index(s.quality))
        row(_("Graphics quality"), self.quality_box)
        self.fullscreen_box = named(QCheckBox(_("Full screen")), _("Full screen"), _("Use the whole screen instead of a window."))
        self.fullscreen_box.setChecked(s.fullscreen)
        rows.addWidget(self.fullscreen_box)
        vr_ready, vr_status = self._vr_status()
        self.vr_box = named(QCheckBox(_("Use a VR headset")), _("Use a VR headset"), vr_status)
        self.vr_box.setChecked(s.vr)
        self.vr_box.setEnabled(vr_ready or s.vr)
        rows.addWidget(self.vr_box)
        vr_label = QLabel(vr_status, objectName="muted")
        vr_label.setWordWrap(True)
        rows.addWidget(vr_label)
        self.audio_box = choice_box(_("Audio output"), _("Where sound and speech are played."))
        self.audio_box.addItem(_("System default"), "")
        for device in audio_outputs():
            self.audio_box.addItem(device, device)
        self.audio_box.setCurrentIndex(max(0, self.audio_box.findData(s.audio_device)))
        row(_("Audio output"), self.audio_box)
        self.option_boxes = {}
        for key, label in option_labels().items():
            box = named(QCheckBox(label), label, _("Switch this on or off; Save keeps it."))
            box.setChecked(getattr(s, key))
            self.option_boxes[key] = box
            rows.addWidget(box)
        self.choice_boxes = {}
        for key, (label, description, options) in choice_labels().items():
            box = choice_box(label, description)
            for value in CHOICES[key]:  # the values the settings accept, labelled
                box.addItem(options[value], value)
            box.setCurrentIndex(max(0, box.findData(getattr(s, key))))
            self.choice_boxes[key] = box
            row(label, box)
        rows.addStretch()
        layout.addWidget(scroller, 1)
        buttons = QHBoxLayout()
        buttons.addStretch()
        back = named(QPushButton(_("Back")), _("Back"), _("Return without saving."))
        back.clicked.connect(self.discard_settings)
        save = named(QPushButton(_("Save")), _("Save"), _("Save the settings and return."))
        save.setObjectName("primary")
        save.clicked.connect(self.save_settings)
        buttons.addWidget(back)
        buttons.addWidget(save)
        layout.addLayout(buttons)
        return page

    def _vr_status(self) -> tuple[bool, str]:
        language = i18n.language()
        if language not in self._vr:
            self._vr[language] = vr_runtime_status()
        return self._vr[language]

    # --- actions -----------------------------------------------------------------------------
    def _read_settings_page(self, s: Settings) -> None:
        """Copy the settings page's choices into ``s``."""
        s.language = self.language_box.currentData()
        s.quality = self.quality_box.currentData()
        s.fullscreen = self.fullscreen_box.isChecked()
        s.vr = self.vr_box.isChecked()
        s.audio_device = self.audio_box.currentData()
        for key, box in self.option_boxes.items():
            setattr(s, key, box.isChecked())
        for key, box in self.choice_boxes.items():
            setattr(s, key, box.currentData())

    def _preview_language(self) -> None:
        """A language picked in Settings shows at once; Back returns to the saved one."""
        self.draft = replace(self.settings)
        self._read_settings_page(self.draft)
        i18n.set_language(self.draft.language)
        self._build()
        self.show_page("settings")

    def save_settings(self) -> None:
        self._read_settings_page(self.settings)
        self.draft = None
        self.settings.save(self.settings_path)
        i18n.set_language(self.settings.language)
        self._build()
        self.show_page("home")

    def _identity_text(self) -> str:
        if self.signed_in:
            return _("Signed in as {name}.").format(name=self.signed_in[0])
        return _("You will enter as a guest: nothing personal is asked or kept.")

    def chosen_backend(self) -> str:
        """The chosen backend's address, starting the built-in one when that is the choice."""
        if self.settings.backend == EMBEDDED:
            return self.embedded.start()
        return self.settings.backend

    def account(self) -> None:
        if self.signed_in:
            self.signed_in = None
        else:
            dialog = SignInDialog(self)
            dialog.exec()
        self.identity.setText(self._identity_text())
        self.account_button.setText(_("Sign out") if self.signed_in else _("Sign in"))

    def sign_in(self, name: str, password: str) -> str | None:
        """Sign in to the chosen backend; returns what went wrong, or None."""
        try:
            url = self.chosen_backend()
        except BackendUnreachable as exc:
            return str(exc)
        result = sign_in(url, name, password)
        if not result.ok:
            return result.reason
        self.signed_in = (name, result.reason)
        return None

    def discard_settings(self) -> None:
        self.draft = None  # the controls, and the language, go back to the saved values
        i18n.set_language(self.settings.language)
        self._build()
        self.show_page("home")

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key_Escape and self.page() == "settings":
            self.discard_settings()
        else:
            super().keyPressEvent(event)

    def _pick_backend(self) -> None:
        self.settings.backend = self.backend_box.currentData()
        self.settings.save(self.settings_path)
        if self.signed_in:  # an account belongs to one backend
            self.signed_in = None
            self.identity.setText(self._identity_text())
            self.account_button.setText(_("Sign in"))

    def _say_backend(self, sentence: Callable[[], str], kind: str = "muted") -> None:
        """Show ``sentence()`` under the backend choice, now and after each change of language."""
        self._backend_said = (sentence, kind)
        self.backend_status.setObjectName(kind)
        self.backend_status.setText(sentence())
        self.backend_status.setStyleSheet("")  # the object name picks the colour: apply it again

    def add_backend(self) -> None:
        url = self.backend_url.text().strip()
        if not url:
            self._say_backend(lambda: _("Type a backend address first."))
            return
        if self._checker is not None and self._checker.isRunning():
            return  # one check at a time
        self._say_backend(lambda: _("Checking {url}…").format(url=url))
        self._checker = BackendChecker(url, self)
        self._checker.done.connect(self._backend_checked)

    def _backend_checked(self, result: BackendCheck) -> None:
        if not result.ok:
            self._say_backend(lambda: _("Not added: {reason}").format(reason=result.reason), "error")
            return
        if result.url not in self.settings.backends:
            self.settings.backends.append(result.url)
            self.backend_box.addItem(result.url, result.url)
        self.backend_box.setCurrentIndex(self.backend_box.findData(result.url))
        self._say_backend(lambda: _("Added {name} ({url}).").format(name=result.reason, url=result.url))
        self.settings.save(self.settings_path)

    def selected_scene(self) -> str:
        item = self.gallery.currentItem()
        return item.data(Qt.UserRole) if item else builtin_ids()[0]

    def launch(self) -> None:
        if self.settings.backend != EMBEDDED:
            backend = self.settings.backend
        else:  # the built-in backend: the launcher's own when it runs (signed in there), else the client starts one
            backend = self.embedded.url if self.embedded.running else None
        environment = dict(self.client_environment or os.environ)
        if self.signed_in:
            environment.update({TOKEN_VARIABLE: self.signed_in[1], NAME_VARIABLE: self.signed_in[0]})
        if self.client.running:
            return  # a visit is already starting or running
        self._notice, self._opened, self._failed = "", False, False
        self.client.start(LaunchRequest(self.selected_scene(), self.settings, backend=backend), environment)
        self._show_visit()  # the process runs now: the progress bar shows, Launch waits

    def _show_visit(self, sentence: Callable[[], str] | None = None) -> None:
        """The footer while a visit starts, runs and ends: ``sentence`` (kept for a change of
        language), the progress bar while preparing, Launch while no client runs."""
        if sentence is not None:
            self._launch_said = sentence
        self.launch_status.setText(self._launch_said())
        self.progress.setVisible(self.client.running and not self._opened)
        self.launch_button.setEnabled(not self.client.running)

    def _launch_progress(self, step: str, scene: str) -> None:
        self._show_visit(lambda: progress_sentence(step, scene))

    def _launch_notice(self, text: str) -> None:
        self._notice = text
        self._show_visit(lambda: text)

    def _launch_ready(self, scene: str) -> None:
        self._opened = True
        notice = self._notice
        self._show_visit(lambda: " ".join(filter(None, [
            _("{place} is open: have a good visit.").format(place=place_name(scene)), notice])))

    def _launch_failed(self, reason: str) -> None:
        self._failed = True
        self._show_visit(lambda: _("Could not open the place: {reason}").format(reason=reason))

    def _launch_ended(self) -> None:
        """The visit is over: its "open" line goes; a failure's reason stays."""
        self._opened = False
        self._show_visit(None if self._failed else (lambda: ""))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.client.stop()
        self.thumbnails.stop()
        if self._checker is not None:
            self._checker.wait(10)  # a discovery check times out after 5 s
        self.embedded.stop()
        super().closeEvent(event)


def option_labels() -> dict[str, str]:
    """The settings switched on or off, labelled in the current language."""
    return {"captions": _("Captions"), "audio_description": _("Spoken descriptions"),
            "sign_avatar": _("Signing avatar (Korean Sign Language)"), "high_contrast": _("High contrast"),
            "large_text": _("Large text"), "reduced_motion": _("Reduced motion"), "mono_audio": _("Mono audio"),
            "invert_y": _("Invert the mouse: moving it up looks down"),
            "show_fps": _("Show the frame rate in a corner"),
            "vr_vignette": _("VR: darken the edges while moving"),
            "vr_seated": _("VR: seated (the view at standing height)")}


def choice_labels() -> dict[str, tuple[str, str, dict]]:
    """The settings with a few values (settings.CHOICES): label, description and each value's name."""
    return {
        "mouse_sensitivity": (_("Mouse sensitivity"), _("How far the view turns when the mouse moves."),
                              {0.5: _("Very slow"), 0.75: _("Slow"), 1.0: _("Normal"), 1.5: _("Fast"),
                               2.0: _("Very fast")}),
        "caption_size": (_("Caption size"), _("How large captions are."),
                         {"normal": _("Normal"), "large": _("Large"), "huge": _("Very large")}),
        "caption_colors": (_("Caption colours"), _("The colours of captions."),
                           {"white-on-black": _("White on black"), "yellow-on-black": _("Yellow on black"),
                            "black-on-white": _("Black on white")}),
        "speech_rate": (_("Speech rate"), _("How fast descriptions are spoken."),
                        {120: _("Slow"), 160: _("Normal"), 220: _("Fast")}),
        "voice": (_("Voice"), _("The voice that speaks descriptions."),
                  {"espeak": _("Built-in voice (espeak-ng)"), "system": _("This computer's voice")}),
        "sign_avatar_size": (_("Signing avatar size"), _("How large the signing avatar is."),
                             {"small": _("Small"), "medium": _("Medium"), "large": _("Large")}),
        "sign_avatar_corner": (_("Signing avatar position"), _("The corner of the screen the signing avatar is in."),
                               {"bottom-right": _("Bottom right"), "bottom-left": _("Bottom left"),
                                "top-right": _("Top right"), "top-left": _("Top left")}),
        "vr_locomotion": (_("VR: moving"), _("How the controllers move you in a headset."),
                          {"teleport": _("Teleport (most comfortable)"), "smooth": _("Walk smoothly")}),
        "vr_turning": (_("VR: turning"), _("How the controllers turn you in a headset."),
                       {"snap": _("In steps (most comfortable)"), "smooth": _("Smoothly")}),
        "vr_snap_degrees": (_("VR: turn step"), _("How far one step turns you."),
                            {15: _("15 degrees"), 30: _("30 degrees"), 45: _("45 degrees"), 90: _("90 degrees")}),
    }


class SignInDialog(QDialog):
    """User name and password for the chosen backend; the reason appears when it fails."""

    def __init__(self, launcher: LauncherWindow):
        super().__init__(launcher)
        self.launcher = launcher
        self.setWindowTitle(_("Sign in"))
        layout = QVBoxLayout(self)
        self.user = named(QLineEdit(), _("User name"), _("Your account's name on this backend."))
        self.password = named(QLineEdit(), _("Password"), _("Your account's password."))
        self.password.setEchoMode(QLineEdit.Password)
        for label, field in ((_("User name"), self.user), (_("Password"), self.password)):
            caption = QLabel(label)
            caption.setBuddy(field)
            layout.addWidget(caption)
            layout.addWidget(field)
        self.message = QLabel("", objectName="error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        cancel = named(QPushButton(_("Cancel")), _("Cancel"), _("Continue as a guest."))
        cancel.clicked.connect(self.reject)
        go = named(QPushButton(_("Sign in")), _("Sign in"), _("Sign in with this name and password."))
        go.setObjectName("primary")
        go.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        buttons.addWidget(cancel)
        buttons.addWidget(go)
        layout.addLayout(buttons)

    def submit(self) -> None:
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            problem = self.launcher.sign_in(self.user.text().strip(), self.password.text())
        finally:
            QApplication.restoreOverrideCursor()
        if problem is None:
            self.accept()
        else:
            self.password.clear()
            self.message.setText(problem)


def vr_runtime_status() -> tuple[bool, str]:
    """Whether an OpenXR runtime answers or SteamVR is installed (OpenVR), and a sentence saying so
    (or what to install)."""
    from metaseoul.xr import openvr_session
    from metaseoul.xr.runtime import NoRuntime, detect

    try:
        info = detect()
    except NoRuntime as exc:
        if openvr_session.installed():
            return True, _("VR runtime: {name}").format(name=openvr_session.OpenVRSession.name)
        return False, str(exc)
    return True, _("VR runtime: {name}").format(name=f"{info.runtime} {info.version}, {info.system}")


def audio_outputs() -> list[str]:
    try:
        import sounddevice
    except (ImportError, OSError):
        return []
    return [d["name"] for d in sounddevice.query_devices() if d["max_output_channels"] > 0]
