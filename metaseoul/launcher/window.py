"""The launcher window: accessibility presets first, then backend, destinations, settings, Launch."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
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
    QVBoxLayout,
    QWidget,
)

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.launcher import style
from metaseoul.backend.embedded import EmbeddedBackend
from metaseoul.visit.city import NAME_VARIABLE, TOKEN_VARIABLE
from metaseoul.launcher.backends import EMBEDDED, BackendCheck, check_backend, sign_in
from metaseoul.launcher.client_process import ClientProcess, LaunchRequest
from metaseoul.launcher.thumbnails import ThumbnailCache
from metaseoul.scenes import builtin_ids, load
from metaseoul.settings import CHOICES, QUALITIES, Settings, config_dir

PAGES = ("accessibility", "home", "settings")


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give a control the name and description screen readers announce."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)
    return widget


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
        self._vr: tuple[bool, str] | None = None  # asked once: starting a runtime can take seconds
        self.signed_in: tuple[str, str] | None = None  # (name, bearer token), kept in memory only
        self.embedded = EmbeddedBackend.default()
        self.thumbnails = ThumbnailCache(config_dir() / "thumbnails", self)
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
        while self.pages.count():
            self.pages.removeWidget(self.pages.widget(0))
        self.setWindowTitle(_("Metaverse Seoul"))
        self.setStyleSheet(style.stylesheet(self.settings.high_contrast, self.settings.large_text))
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

    def _accessibility_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(_("How would you like to use Metaverse Seoul?"), objectName="title")
        layout.addWidget(title)
        layout.addWidget(QLabel(_("Choose what suits you. You can change it at any time in Settings."), objectName="muted"))
        self.preset_group = QButtonGroup(page)
        for i, (key, (label, about)) in enumerate(preset_labels().items()):
            button = named(QRadioButton(f"{label} — {about}"), label, about)
            button.setObjectName("first" if i == 0 else f"preset-{key}")
            button.setChecked(key == (self.settings.preset or "default"))
            button.setProperty("preset", key)
            self.preset_group.addButton(button)
            layout.addWidget(button)
        layout.addStretch()
        go = named(QPushButton(_("Continue")), _("Continue"), _("Save this choice and go to the destinations."))
        go.setObjectName("primary")
        go.clicked.connect(self._choose_preset)
        layout.addWidget(go, alignment=Qt.AlignRight)
        return page

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
        self.backend_box = named(QComboBox(), _("City backend"), _("Which city server to connect to."))
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
        self.backend_status = QLabel("", objectName="muted")
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
        self.progress.hide()
        footer.addWidget(self.progress)
        self.launch_status = QLabel("")
        self.launch_status.setWordWrap(True)
        footer.addWidget(self.launch_status, 1)
        self.launch_button = named(QPushButton(_("Launch")), _("Launch"), _("Open the chosen place."))
        self.launch_button.setObjectName("primary")
        self.launch_button.clicked.connect(self.launch)
        footer.addWidget(self.launch_button)
        layout.addLayout(footer)
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

        self.language_box = named(QComboBox(), _("Language"), _("The language of menus, signs and speech."))
        self.language_box.setObjectName("first")
        for code, name in (("ko", "한국어"), ("en", "English")):
            self.language_box.addItem(name, code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(self.settings.language)))
        row(_("Language"), self.language_box)
        self.quality_box = named(QComboBox(), _("Graphics quality"), _("Lower quality runs faster on older computers."))
        names = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}
        for q in QUALITIES:
            self.quality_box.addItem(names[q], q)
        self.quality_box.setCurrentIndex(QUALITIES.index(self.settings.quality))
        row(_("Graphics quality"), self.quality_box)
        self.fullscreen_box = named(QCheckBox(_("Full screen")), _("Full screen"), _("Use the whole screen instead of a window."))
        self.fullscreen_box.setChecked(self.settings.fullscreen)
        rows.addWidget(self.fullscreen_box)
        if self._vr is None:
            self._vr = vr_runtime_status()
        vr_ready, vr_status = self._vr
        self.vr_box = named(QCheckBox(_("Use a VR headset")), _("Use a VR headset"), vr_status)
        self.vr_box.setChecked(self.settings.vr)
        self.vr_box.setEnabled(vr_ready or self.settings.vr)
        rows.addWidget(self.vr_box)
        vr_label = QLabel(vr_status, objectName="muted")
        vr_label.setWordWrap(True)
        rows.addWidget(vr_label)
        self.audio_box = named(QComboBox(), _("Audio output"), _("Where sound and speech are played."))
        self.audio_box.addItem(_("System default"), "")
        for device in audio_outputs():
            self.audio_box.addItem(device, device)
        self.audio_box.setCurrentIndex(max(0, self.audio_box.findData(self.settings.audio_device)))
        row(_("Audio output"), self.audio_box)
        self.option_boxes = {}
        for key, label in (("captions", _("Captions")), ("audio_description", _("Spoken descriptions")),
                           ("sign_avatar", _("Signing avatar (Korean Sign Language)")),
                           ("high_contrast", _("High contrast")), ("large_text", _("Large text")),
                           ("reduced_motion", _("Reduced motion")), ("mono_audio", _("Mono audio")),
                           ("vr_vignette", _("VR: darken the edges while moving")),
                           ("vr_seated", _("VR: seated (the view at standing height)"))):
            box = named(QCheckBox(label), label, _("Switch this on or off; Save keeps it."))
            box.setChecked(getattr(self.settings, key))
            self.option_boxes[key] = box
            rows.addWidget(box)
        self.choice_boxes = {}
        for key, label, description, options in (
            ("caption_size", _("Caption size"), _("How large captions are."),
             {"normal": _("Normal"), "large": _("Large"), "huge": _("Very large")}),
            ("caption_colors", _("Caption colours"), _("The colours of captions."),
             {"white-on-black": _("White on black"), "yellow-on-black": _("Yellow on black"),
              "black-on-white": _("Black on white")}),
            ("speech_rate", _("Speech rate"), _("How fast descriptions are spoken."),
             {120: _("Slow"), 160: _("Normal"), 220: _("Fast")}),
            ("voice", _("Voice"), _("The voice that speaks descriptions."),
             {"espeak": _("Built-in voice (espeak-ng)"), "system": _("This computer's voice")}),
            ("sign_avatar_size", _("Signing avatar size"), _("How large the signing avatar is."),
             {"small": _("Small"), "medium": _("Medium"), "large": _("Large")}),
            ("sign_avatar_corner", _("Signing avatar position"), _("The corner of the screen the signing avatar is in."),
             {"bottom-right": _("Bottom right"), "bottom-left": _("Bottom left"), "top-right": _("Top right"),
              "top-left": _("Top left")}),
            ("vr_locomotion", _("VR: moving"), _("How the controllers move you in a headset."),
             {"teleport": _("Teleport (most comfortable)"), "smooth": _("Walk smoothly")}),
            ("vr_turning", _("VR: turning"), _("How the controllers turn you in a headset."),
             {"snap": _("In steps (most comfortable)"), "smooth": _("Smoothly")}),
            ("vr_snap_degrees", _("VR: turn step"), _("How far one step turns you."),
             {15: _("15 degrees"), 30: _("30 degrees"), 45: _("45 degrees"), 90: _("90 degrees")}),
        ):
            box = named(QComboBox(), label, description)
            for value in CHOICES[key]:  # the values the settings accept, labelled
                text = options[value]
                box.addItem(text, value)
            box.setCurrentIndex(max(0, box.findData(getattr(self.settings, key))))
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

    # --- actions -----------------------------------------------------------------------------
    def save_settings(self) -> None:
        s = self.settings
        s.language = self.language_box.currentData()
        s.quality = self.quality_box.currentData()
        s.fullscreen = self.fullscreen_box.isChecked()
        s.vr = self.vr_box.isChecked()
        s.audio_device = self.audio_box.currentData()
        for key, box in self.option_boxes.items():
            setattr(s, key, box.isChecked())
        for key, box in self.choice_boxes.items():
            setattr(s, key, box.currentData())
        s.save(self.settings_path)
        i18n.set_language(s.language)
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
        except RuntimeError as exc:
            return str(exc)
        result = sign_in(url, name, password)
        if not result.ok:
            return result.reason
        self.signed_in = (name, result.reason)
        return None

    def discard_settings(self) -> None:
        self._build()  # the controls go back to the saved values
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

    def add_backend(self) -> None:
        url = self.backend_url.text().strip()
        if not url:
            self.backend_status.setText(_("Type a backend address first."))
            return
        if self._checker is not None and self._checker.isRunning():
            return  # one check at a time
        self.backend_status.setText(_("Checking {url}…").format(url=url))
        self._checker = BackendChecker(url, self)
        self._checker.done.connect(self._backend_checked)

    def _backend_checked(self, result: BackendCheck) -> None:
        if not result.ok:
            self.backend_status.setObjectName("error")
            self.backend_status.setText(_("Not added: {reason}").format(reason=result.reason))
            self.backend_status.setStyleSheet("")
            return
        if result.url not in self.settings.backends:
            self.settings.backends.append(result.url)
            self.backend_box.addItem(result.url, result.url)
        self.backend_box.setCurrentIndex(self.backend_box.findData(result.url))
        self.backend_status.setObjectName("muted")
        self.backend_status.setText(_("Added {name} ({url}).").format(name=result.reason, url=result.url))
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
        if not self.client.start(LaunchRequest(self.selected_scene(), self.settings, backend=backend), environment):
            return  # a visit is already starting or running
        self._notice = ""
        self.launch_button.setEnabled(False)
        self.launch_status.setText("")
        self.progress.show()

    def _launch_ended(self) -> None:
        self.progress.hide()
        self.launch_button.setEnabled(True)

    def _launch_progress(self, text: str) -> None:
        self.launch_status.setText(text)

    def _launch_notice(self, text: str) -> None:
        self._notice = text
        self.launch_status.setText(text)

    def _launch_ready(self, scene_id: str) -> None:
        self.progress.hide()
        self.launch_status.setText(" ".join(filter(None, [_("Open: have a good visit."), self._notice])))

    def _launch_failed(self, reason: str) -> None:
        self.progress.hide()
        self.launch_status.setText(_("Could not open the place: {reason}").format(reason=reason))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.client.stop()
        self.thumbnails.stop()
        if self._checker is not None:
            self._checker.wait(10)  # a discovery check times out after 5 s
        self.embedded.stop()
        super().closeEvent(event)


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
