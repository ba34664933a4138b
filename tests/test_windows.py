"""The launcher and the kiosk in real windows on an X display (Xvfb, Qt's xcb platform plugin),
closed as systemd closes them; and, where Qt could not open a window, the sentence and exit code 3
instead of Qt's abort."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from metaseoul.errors import NoDisplay, NotInstalled
from metaseoul.launcher.qt_platform import debian_package, window_problem

os.environ.setdefault("METASEOUL_CACHE_DIR", tempfile.mkdtemp(prefix="metaseoul-test-cache-"))


def on_x(display: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a program started on the desktop: no offscreen platform."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    return env | {"DISPLAY": display, "METASEOUL_CONFIG_DIR": str(tmp_path / "config"), "TMPDIR": str(tmp_path)}


def metaseoul_window(display: str, process: subprocess.Popen) -> str:
    """The id of the mapped top-level window of ``process`` (class "metaseoul"), once it shows."""
    assert shutil.which("xwininfo"), "xwininfo is missing: run installer/setup-debian"
    deadline = time.monotonic() + 120
    while True:
        tree = subprocess.run(["xwininfo", "-display", display, "-root", "-children"], capture_output=True,
                              text=True, check=True).stdout
        for window in re.findall(r"^\s+(0x[0-9a-f]+) .*\(\"metaseoul\" \"metaseoul\"\)", tree, re.MULTILINE):
            info = subprocess.run(["xwininfo", "-display", display, "-id", window], capture_output=True,
                                  text=True, check=True).stdout
            if "Map State: IsViewable" in info:
                return info
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no window appeared"
        time.sleep(0.2)


def close(process: subprocess.Popen) -> str:
    """SIGTERM, as systemctl stop sends it: the window closes and the program ends cleanly."""
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Aborted" not in err, err
    return err


def test_the_launcher_opens_a_real_window(x_display, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "metaseoul", "launcher", "--lang", "en"],
                               env=on_x(x_display, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = metaseoul_window(x_display, process)
    assert '"Metaverse Seoul"' in info
    width = int(re.search(r"Width: (\d+)", info).group(1))
    assert width >= 800
    close(process)


def test_the_kiosk_opens_and_warns_about_the_default_pin(x_display, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "metaseoul", "kiosk"], env=on_x(x_display, tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = metaseoul_window(x_display, process)  # full screen needs a window manager; Xvfb has none
    assert '"메타버스 서울"' in info, "the kiosk greets in its default language, Korean"
    err = close(process)
    assert "PIN is still the default (0000)" in err, "the operator is warned in the log"
    assert not list(tmp_path.glob("metaseoul-kiosk-*")), "the session folder is removed on the way out"


def test_without_a_display_the_launcher_says_so_and_exits_3(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    for language, words in (("en", "no display answers"), ("ko", "응답하는 디스플레이가 없습니다")):
        result = subprocess.run([sys.executable, "-m", "metaseoul", "--lang", language, "launcher"], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("metaseoul: ") and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "qt.qpa" not in result.stderr


@pytest.fixture
def plugin_lacking_a_library(tmp_path) -> Path:
    """A platforms folder whose libqxcb.so needs a library that is no longer on this system."""
    assert shutil.which("gcc"), "gcc is missing: run installer/setup-debian"
    gone = tmp_path / "libmetaseoul-gone.so.7"
    (tmp_path / "gone.c").write_text("int metaseoul_gone(void) { return 7; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libmetaseoul-gone.so.7", "-o", str(gone),
                    str(tmp_path / "gone.c")], check=True)
    platforms = tmp_path / "platforms"
    platforms.mkdir()
    (tmp_path / "plugin.c").write_text("int metaseoul_gone(void);\nint plugin(void) { return metaseoul_gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(platforms / "libqxcb.so"), str(tmp_path / "plugin.c"),
                    str(gone)], check=True)
    gone.unlink()
    return platforms


def test_a_missing_library_is_named_with_its_package(plugin_lacking_a_library, x_display):
    problem = window_problem({"DISPLAY": x_display}, [plugin_lacking_a_library])
    assert isinstance(problem, NotInstalled) and problem.exit_code == 3
    assert "libmetaseoul-gone.so.7" in str(problem) and "sudo apt-get install libmetaseoul-gone7" in str(problem)
    assert window_problem({"DISPLAY": x_display, "QT_QPA_PLATFORM": "offscreen"}, [plugin_lacking_a_library]) is None
    # Wayland first, as Qt tries it in a Wayland session: the X11 plugin's missing library still counts
    wayland_first = {"DISPLAY": x_display, "WAYLAND_DISPLAY": "wayland-none", "XDG_RUNTIME_DIR": "/nonexistent"}
    assert "libmetaseoul-gone.so.7" in str(window_problem(wayland_first, [plugin_lacking_a_library]))


def test_the_installed_plugins_and_a_live_display_pass(x_display):
    assert window_problem({"DISPLAY": x_display}) is None
    assert isinstance(window_problem({"DISPLAY": ":99999"}), NoDisplay)
    assert "no display answers" in str(window_problem({}))


def test_debian_package_names_follow_the_library_names():
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libdbus-1.so.3") == "libdbus-1-3"
