"""The Qt launcher, offscreen: first-run accessibility, backends checked over real sockets, the
client really started, accessible names and keyboard reach for every control, page screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PySide6.QtCore import Qt
from websockets.sync.client import connect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from metaseoul import i18n
from metaseoul.launcher.main import application
from metaseoul.launcher.window import PAGES, LauncherWindow, audio_outputs
from metaseoul.settings import CHOICES, Settings
from tests.ui_text import untranslated, visible_texts

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView)
# thumbnails are cached once for the whole session, in a folder of its own (not the user's ~/.cache)
os.environ.setdefault("METASEOUL_CACHE_DIR", tempfile.mkdtemp(prefix="metaseoul-test-cache-"))


@pytest.fixture
def window(qtbot, tmp_path):
    application()
    settings = Settings(language="en", preset="default")
    win = LauncherWindow(settings, tmp_path / "settings.json")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.client.stop()
    i18n.set_language("en")


class Discovery(BaseHTTPRequestHandler):
    """A tiny real HTTP server: each path plays a different kind of backend."""

    def do_GET(self):  # noqa: N802
        documents = {
            "/good/.well-known/metaseoul": (200, json.dumps({"name": "Test City", "contract_version": "1.0"})),
            "/old/.well-known/metaseoul": (200, json.dumps({"name": "Old City", "contract_version": "2.1"})),
            "/html/.well-known/metaseoul": (200, "<html>hello</html>"),
        }
        code, body = documents.get(self.path, (404, "not here"))
        self.send_response(code)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def discovery_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def add(qtbot, window, url: str) -> str:
    window.backend_url.setText(url)
    window.add_backend()
    qtbot.waitUntil(lambda: not window.backend_status.text().startswith("Checking"), timeout=10_000)
    return window.backend_status.text()


def test_first_run_asks_for_accessibility_first(qtbot, tmp_path):
    application()
    win = LauncherWindow(Settings(language="en"), tmp_path / "settings.json")
    qtbot.addWidget(win)
    assert win.page() == "accessibility"
    low_vision = next(b for b in win.preset_group.buttons() if b.property("preset") == "low-vision")
    low_vision.setChecked(True)
    go = next(b for b in win.findChildren(QAbstractButton) if b.text() == "Continue")
    qtbot.mouseClick(go, Qt.LeftButton)
    assert win.page() == "home"
    saved = Settings.load(tmp_path / "settings.json")
    assert saved.preset == "low-vision" and saved.high_contrast and saved.large_text
    assert "#000000" in win.styleSheet(), "high contrast should apply at once"


@pytest.mark.parametrize("path, words", [
    ("/missing", "answered 404"),
    ("/html", "not with a discovery document"),
    ("/old", "speaks contract version 2.1"),
])
def test_bad_backend_url_shows_the_reason(qtbot, window, discovery_server, path, words):
    text = add(qtbot, window, discovery_server + path)
    assert text.startswith("Not added:") and words in text
    assert window.backend_box.count() == 1


def test_backend_nobody_answers_and_not_an_address(qtbot, window):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert f"Nobody answers at 127.0.0.1:{port}" in add(qtbot, window, f"http://127.0.0.1:{port}")
    assert "not a web address" in add(qtbot, window, "ftp://city")
    assert "not a web address" in add(qtbot, window, "http://city:port")
    assert "not a web address" in add(qtbot, window, "city example")


def test_good_backend_is_added_and_remembered(qtbot, window, discovery_server, tmp_path):
    text = add(qtbot, window, discovery_server + "/good")
    assert "Added Test City" in text
    assert window.backend_box.currentData() == discovery_server + "/good"
    saved = Settings.load(tmp_path / "settings.json")
    assert saved.backends == [discovery_server + "/good"] and saved.backend == discovery_server + "/good"


def test_picking_a_destination_launches_the_client(qtbot, window, x_display):
    window.client_environment = dict(os.environ, DISPLAY=x_display)
    window.gallery.setCurrentRow([window.gallery.item(i).data(Qt.UserRole)
                                  for i in range(window.gallery.count())].index("gwanghwamun"))
    window.settings.quality = "low"
    said = []
    window.client.progress.connect(lambda _step, _scene: said.append(window.launch_status.text()))
    with qtbot.waitSignal(window.client.ready, timeout=120_000) as ready:
        qtbot.mouseClick(window.launch_button, Qt.LeftButton)
        assert window.progress.isVisible() and not window.launch_button.isEnabled()
    assert ready.args == ["gwanghwamun"]
    assert window.client.command[1:] == ["-m", "metaseoul", "--lang", "en", "play", "gwanghwamun", "--quality", "low"]
    assert said == ["Starting Metaverse Seoul…", "Starting the built-in city backend…",
                    "Loading Gwanghwamun and Gwanghwamun Square…"], said
    assert not window.progress.isVisible()
    assert window.launch_status.text() == "Gwanghwamun and Gwanghwamun Square is open: have a good visit."
    window.client.stop()  # the visit ends
    assert window.launch_status.text() == "" and window.launch_button.isEnabled()


def test_a_client_that_cannot_reach_the_backend_says_so(qtbot, window, x_display, dead_url):
    url = dead_url
    window.client_environment = dict(os.environ, DISPLAY=x_display)
    window.settings.backend = url
    with qtbot.waitSignal(window.client.failed, timeout=60_000) as failed:
        window.launch()
    assert window.client.command[-2:] == ["--backend", url]
    assert "unreachable" in failed.args[0] and url in failed.args[0]
    assert url in window.launch_status.text() and window.launch_button.isEnabled()


def test_a_signed_in_citizen_visits_with_their_token(qtbot, window, server, x_display):
    assert httpx.post(server.url + "/auth/register", json={"name": "minji", "password": "correct horse"}).status_code == 201
    window.settings.backend = server.url
    assert window.sign_in("minji", "correct horse") is None
    window.client_environment = dict(os.environ, DISPLAY=x_display)
    window.settings.quality = "low"
    window.gallery.setCurrentRow([window.gallery.item(i).data(Qt.UserRole)
                                  for i in range(window.gallery.count())].index("city-hall"))
    with connect(server.url.replace("http", "ws") + "/realtime/v1", open_timeout=10) as watcher:
        guest = httpx.post(server.url + "/auth/guest").json()["access_token"]
        watcher.send(json.dumps({"type": "hello", "token": guest, "scene": "city-hall", "name": "Watcher"}))
        with qtbot.waitSignal(window.client.ready, timeout=120_000):
            window.launch()
        deadline = time.monotonic() + 30
        while True:  # the visitor arrives in the room under the account's name
            message = json.loads(watcher.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message["type"] == "presence" and message["joined"]:
                break
        assert message["joined"][0]["name"] == "minji"
    window.client.stop()


def test_a_second_launch_while_loading_is_ignored(qtbot, window):
    window.client_environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    failures = []
    window.client.failed.connect(failures.append)
    window.launch()
    first = window.client.process
    window.launch()
    assert window.client.process is first, "the visit being prepared is not thrown away"
    qtbot.waitUntil(lambda: not window.client.running, timeout=60_000)
    assert len(failures) == 1 and "no display" in failures[0]
    assert window.launch_button.isEnabled() and not window.progress.isVisible()


def test_closing_during_a_backend_check_is_safe(qtbot, tmp_path):
    import socket

    application()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection but never answers: the check waits
    win = LauncherWindow(Settings(language="en", preset="default"), tmp_path / "settings.json")
    win.backend_url.setText(f"http://127.0.0.1:{listener.getsockname()[1]}")
    win.add_backend()
    win.close()
    assert not win._checker.isRunning()
    listener.close()


def test_focus_shows_on_primary_buttons(qtbot, window):
    window.show_page("home")
    window.activateWindow()
    window.launch_button.clearFocus()
    plain = window.launch_button.grab().toImage()
    window.launch_button.setFocus()
    qtbot.waitUntil(window.launch_button.hasFocus)
    focused = window.launch_button.grab().toImage()
    assert plain != focused, "the focus outline must be drawn on the Launch button too"


def test_settings_back_forgets_unsaved_changes(qtbot, window, tmp_path):
    window.show_page("settings")
    window.fullscreen_box.setChecked(not window.settings.fullscreen)
    window.discard_settings()
    window.show_page("settings")
    assert window.fullscreen_box.isChecked() == window.settings.fullscreen


def test_broken_settings_file_falls_back_to_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"backends": None, "preset": "nonsense", "quality": 3, "fullscreen": "yes",
                                "language": "en"}))
    settings = Settings.load(path)
    assert settings.backends == [] and settings.preset is None and settings.quality == "high"
    assert settings.fullscreen is False and settings.language == "en"


def test_vr_without_a_runtime_opens_on_the_desktop_and_says_why(qtbot, window, x_display):
    window.client_environment = dict(os.environ, DISPLAY=x_display)
    window.settings.vr = True
    window.settings.quality = "low"
    with qtbot.waitSignal(window.client.ready, timeout=120_000):
        window.launch()
    assert "--vr" in window.client.command
    text = window.launch_status.text()
    assert "is open: have a good visit." in text and "No VR headset runtime was found" in text and "SteamVR" in text


def test_client_failure_is_shown_readably(qtbot, window):
    window.client_environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with qtbot.waitSignal(window.client.failed, timeout=120_000):
        window.launch()
    assert "no display to open a window on" in window.launch_status.text()
    assert "Traceback" not in window.launch_status.text()


def controls(page: QWidget) -> list[QWidget]:
    return [w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisibleTo(page)
            and not isinstance(w.parent(), QComboBox)]


@pytest.mark.parametrize("name", PAGES)
def test_every_control_has_an_accessible_name(window, name):
    window.show_page(name)
    found = controls(window.pages.currentWidget())
    assert len(found) >= 3
    unnamed = [w for w in found if not w.accessibleName()]
    assert not unnamed, [type(w).__name__ + ":" + getattr(w, "text", lambda: "")() for w in unnamed]


@pytest.mark.parametrize("name", PAGES)
def test_keyboard_alone_reaches_every_control(qtbot, window, name):
    window.show_page(name)
    window.activateWindow()
    page = window.pages.currentWidget()
    # a group of radio buttons is one stop for Tab (its checked button); the arrow keys move within
    wanted = {w for w in controls(page) if w.isEnabled() and w.focusPolicy() & Qt.TabFocus
              and not (isinstance(w, QRadioButton) and not w.isChecked())}
    reached = set()
    for _ in range(3 * len(wanted) + 5):
        focused = QApplication.focusWidget()
        if focused is not None:
            reached.add(focused)
        qtbot.keyClick(focused or window, Qt.Key_Tab)
    missing = wanted - reached
    assert not missing, [type(w).__name__ + ":" + w.accessibleName() for w in missing]


@pytest.mark.parametrize("name", PAGES)
def test_page_screenshots_are_real_pictures(tmp_path, name):
    shot = tmp_path / f"{name}.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "launcher", "--screenshot", str(shot), "--page", name],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-1500:]
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 40, "a page with text and controls has many colours"


def test_sign_in_to_an_added_backend(qtbot, window, server):
    httpx.post(server.url + "/auth/register", json={"name": "jiwoo", "password": "a long password"})
    add(qtbot, window, server.url)
    assert window.sign_in("jiwoo", "wrong password!!") == "Wrong user name or password."
    assert window.signed_in is None
    assert window.sign_in("jiwoo", "a long password") is None
    assert window.signed_in[0] == "jiwoo" and window.signed_in[1]
    window.account()  # signs out
    assert window.signed_in is None and "guest" in window.identity.text()


def test_sign_in_says_how_long_to_wait_after_too_many_wrong_passwords(qtbot, window, server):
    httpx.post(server.url + "/auth/register", json={"name": "yuna", "password": "a long password"})
    add(qtbot, window, server.url)
    for _attempt in range(5):
        assert window.sign_in("yuna", "wrong password!!") == "Wrong user name or password."
    assert window.sign_in("yuna", "a long password") == "Too many attempts: wait 1 min, then try again."
    assert window.signed_in is None


def test_sign_in_dialog_shows_the_reason_and_is_named(qtbot, window, server):
    from metaseoul.launcher.window import SignInDialog

    add(qtbot, window, server.url)
    dialog = SignInDialog(window)
    qtbot.addWidget(dialog)
    dialog.user.setText("nobody")
    dialog.password.setText("whatever it is")
    dialog.submit()
    assert dialog.message.text() == "Wrong user name or password."
    assert all(w.accessibleName() for w in dialog.findChildren(QWidget) if isinstance(w, CONTROLS))


def test_the_built_in_backend_starts_for_sign_in_and_stops_with_the_launcher(qtbot, tmp_path):
    application()
    win = LauncherWindow(Settings(language="en", preset="default"), tmp_path / "settings.json")
    win.embedded.data = tmp_path / "backend"
    assert win.sign_in("nobody", "no such account") == "Wrong user name or password."
    process = win.embedded.process
    assert process is not None and process.poll() is None, "the built-in backend answered"
    assert httpx.get(win.embedded.url + "/.well-known/metaseoul").json()["name"] == "metaseoul reference backend"
    win.close()
    assert process.poll() is not None, "closing the launcher stops the built-in backend"


def test_lang_on_the_command_line_overrides_the_saved_language(qtbot):
    from metaseoul.launcher.main import launcher_window

    application()
    korean = launcher_window("ko")
    qtbot.addWidget(korean)
    korean.show_page("settings")
    titles = {label.text() for label in korean.findChildren(QLabel)}
    assert "설정" in titles and "Settings" not in titles
    english = launcher_window("en")
    qtbot.addWidget(english)
    assert "Settings" in {label.text() for label in english.findChildren(QLabel)}


def test_the_vr_setting_knows_either_runtime(openxr_runtime, openvr_runtime, tmp_path, monkeypatch):
    from metaseoul.launcher.window import vr_runtime_status

    monkeypatch.setenv("XR_RUNTIME_JSON", str(tmp_path / "none.json"))
    monkeypatch.setenv("VR_PATHREG_OVERRIDE", str(tmp_path / "none.vrpath"))
    ready, text = vr_runtime_status()
    assert not ready and "No VR headset runtime was found" in text and "SteamVR" in text
    monkeypatch.setenv("VR_PATHREG_OVERRIDE", str(openvr_runtime))
    assert vr_runtime_status() == (True, "VR runtime: SteamVR (OpenVR)")
    monkeypatch.setenv("XR_RUNTIME_JSON", str(openxr_runtime))
    ready, text = vr_runtime_status()
    assert ready and text == "VR runtime: metaseoul test runtime 1.0.0, metaseoul test headset"


def test_first_run_offers_the_language_before_anything_else(qtbot, tmp_path):
    application()
    win = LauncherWindow(Settings(language="en"), tmp_path / "settings.json")  # say, a C locale
    qtbot.addWidget(win)
    win.show()
    page = win.pages.currentWidget()
    first = controls(page)[0]
    assert win.page() == "accessibility" and first.text() == "한국어" and first is page.findChild(QWidget, "first")
    assert first.accessibleDescription() == "언어 바꾸기", "each language is offered in itself"
    assert win.language_buttons["en"].isChecked() and not first.isChecked()
    page.findChild(QWidget, "preset-deaf").setChecked(True)
    qtbot.mouseClick(first, Qt.LeftButton)
    page = win.pages.currentWidget()
    assert page.findChild(QLabel, "title").text() == "메타버스 서울을 어떻게 이용하시겠어요?"
    assert win.windowTitle() == "메타버스 서울" and win.language_buttons["ko"].isChecked()
    assert page.findChild(QWidget, "preset-deaf").isChecked(), "the preset chosen before stays chosen"
    assert Settings.load(tmp_path / "settings.json").language == "ko"
    go = next(b for b in page.findChildren(QAbstractButton) if b.text() == "계속")
    qtbot.mouseClick(go, Qt.LeftButton)
    assert win.page() == "home" and "설정" in {b.text() for b in win.pages.currentWidget().findChildren(QAbstractButton)}
    saved = Settings.load(tmp_path / "settings.json")
    assert saved.language == "ko" and saved.preset == "deaf"
    i18n.set_language("en")


def test_every_visible_text_changes_language_at_once(qtbot, window):
    english = {}
    for name in PAGES:
        window.show_page(name)
        english[name] = visible_texts(window.pages.currentWidget())
    window.show_page("settings")
    window.fullscreen_box.setChecked(True)  # an unsaved change survives the change of language
    window.language_box.setCurrentIndex(window.language_box.findData("ko"))
    assert window.page() == "settings" and window.windowTitle() == "메타버스 서울"
    assert window.fullscreen_box.isChecked() and window.language_box.currentData() == "ko"
    for name in PAGES:
        window.show_page(name)
        korean = visible_texts(window.pages.currentWidget())
        assert not untranslated(english[name], korean, frozenset(audio_outputs())), name
    window.show_page("settings")
    window.discard_settings()  # Back: the saved language, English, returns
    assert window.windowTitle() == "Metaverse Seoul" and window.settings.language == "en"
    assert visible_texts(window.pages.currentWidget()) == english["home"]


def test_a_launch_status_changes_language_too(qtbot, window):
    window._launch_ready("city-hall")
    window.show_page("settings")
    window.language_box.setCurrentIndex(window.language_box.findData("ko"))
    assert window.launch_status.text() != "Seoul City Hall and Seoul Plaza is open: have a good visit."
    assert "서울" in window.launch_status.text()


def test_settings_for_the_mouse_and_the_frame_rate(qtbot, window, tmp_path):
    window.show_page("settings")
    sensitivity = window.choice_boxes["mouse_sensitivity"]
    assert [sensitivity.itemData(i) for i in range(sensitivity.count())] == list(CHOICES["mouse_sensitivity"])
    assert sensitivity.currentData() == 1.0 and sensitivity.accessibleName() == "Mouse sensitivity"
    sensitivity.setCurrentIndex(sensitivity.findData(1.5))
    window.option_boxes["invert_y"].setChecked(True)
    window.option_boxes["show_fps"].setChecked(True)
    window.save_settings()
    saved = Settings.load(tmp_path / "settings.json")
    assert saved.mouse_sensitivity == 1.5 and saved.invert_y and saved.show_fps
    window.show_page("settings")
    assert window.choice_boxes["mouse_sensitivity"].currentText() == "Fast"
    assert window.option_boxes["invert_y"].isChecked() and window.option_boxes["show_fps"].isChecked()


def _count(image: QImage, colour: str, x_end: int | None = None) -> int:
    wanted = QColor(colour).rgb() & 0xFFFFFF
    return sum(1 for x in range(x_end or image.width()) for y in range(image.height())
               if image.pixel(x, y) & 0xFFFFFF == wanted)


def test_high_contrast_shows_unchecked_boxes_and_the_highlighted_item(qtbot, tmp_path):
    from metaseoul.launcher.style import HIGH_CONTRAST

    application()
    settings = Settings(language="en")
    settings.apply_preset("low-vision")
    win = LauncherWindow(settings, tmp_path / "settings.json")
    qtbot.addWidget(win)
    win.show()
    win.show_page("settings")
    box = win.option_boxes["mono_audio"]
    assert not box.isChecked()
    unchecked = box.grab().toImage()
    assert _count(unchecked, HIGH_CONTRAST["text"], x_end=32) >= 60, "the empty box's outline shows on black"
    box.setChecked(True)
    assert _count(box.grab().toImage(), HIGH_CONTRAST["accent"], x_end=32) >= 100, "a checked box is filled"
    quality = win.quality_box
    quality.showPopup()
    qtbot.keyClick(quality.view(), Qt.Key_Up)  # the keyboard highlights "Medium"
    popup = quality.view().window().grab().toImage()
    assert _count(popup, HIGH_CONTRAST["accent"]) >= 1000, "the highlighted item is marked in the accent colour"
    quality.hidePopup()
    win.show_page("home")
    win.launch_button.setFocus()  # the gallery's chosen place shows even when the gallery has no focus
    assert _count(win.gallery.grab().toImage(), HIGH_CONTRAST["accent"]) >= 1000


def test_thumbnails_are_cached_under_the_cache_folder(window):
    from metaseoul.paths import cache_dir

    assert window.thumbnails.folder == cache_dir() / "thumbnails"
    assert str(cache_dir()).startswith(os.environ["METASEOUL_CACHE_DIR"])
    window.thumbnails.wait()
    from metaseoul.scenes import builtin_ids

    assert {p.name.rsplit("-", 1)[0] for p in window.thumbnails.folder.glob("*.png")} == set(builtin_ids())


def test_a_launch_request_asks_for_touch_and_vr(tmp_path):
    from metaseoul.launcher.client_process import LaunchRequest

    settings = Settings(language="ko", vr=True)
    assert LaunchRequest("city-hall", settings).arguments()[-1] == "--vr"
    touch = LaunchRequest("city-hall", settings, touch=True).arguments()
    assert "--touch" in touch and "--vr" in touch and "--vr=" not in " ".join(touch)
    assert "--touch" not in LaunchRequest("city-hall", settings).arguments()
