"""Starting the launcher or the kiosk as a Qt application, or rendering a page to a PNG."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from metaseoul.errors import SetupProblem
from metaseoul.i18n import _
from metaseoul.launcher.qt_platform import window_problem
from metaseoul.scenes.catalog import assets_dir

CJK_FALLBACK = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def application():
    """The Qt application with the fonts registered; raises NoDisplay or NotInstalled (one sentence)
    where Qt could not open a window, instead of letting Qt abort the process."""
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        problem = window_problem()
        if problem is not None:
            raise problem
        app = QApplication(["metaseoul"])  # the window's name and class on the desktop, even under python -m
    for name in ("NanumSquareR.ttf", "NanumSquareB.ttf"):
        QFontDatabase.addApplicationFont(str(assets_dir() / "fonts" / name))
    # Chinese and Japanese for the kiosk: Qt's offscreen and minimal platforms see only fonts
    # registered here, so the Debian fallback font (installer/setup-debian) is added explicitly.
    if CJK_FALLBACK.is_file():
        QFontDatabase.addApplicationFont(str(CJK_FALLBACK))
    return app


def launcher_window(language: str | None = None):
    """The launcher with the saved settings; ``language`` (``--lang`` on the command line) overrides
    the saved language for this run."""
    from metaseoul.launcher.window import LauncherWindow
    from metaseoul.settings import Settings

    settings = Settings.load()
    if language:
        settings.language = language
    return LauncherWindow(settings)


def run_launcher(screenshot: Path | None = None, page: str | None = None, language: str | None = None) -> int:
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a picture needs no display
    app = application()
    window = launcher_window(language)
    if screenshot is None:
        from metaseoul.launcher.gamepad import GamepadNavigator

        GamepadNavigator(window)
        close_on_terminate(window.close)
        window.show()
        return app.exec()
    if page:
        window.show_page(page)
    window.show()
    window.thumbnails.wait()
    app.processEvents()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(screenshot)):
        raise SetupProblem(_("could not write the screenshot {path}").format(path=screenshot))
    window.close()
    return 0


def run_kiosk(config_path: Path | None = None) -> int:
    from metaseoul.launcher.kiosk import KioskWindow
    from metaseoul.launcher.kiosk_config import KioskConfig

    config = KioskConfig.load(config_path)
    app = application()
    window = KioskWindow(config)
    from metaseoul.launcher.gamepad import GamepadNavigator

    GamepadNavigator(window)
    close_on_terminate(window.leave)
    window.showFullScreen()
    return app.exec()


def close_on_terminate(close) -> None:
    """SIGTERM (systemctl stop, a test) and Ctrl+C end the window as its own close does, so the
    built-in backend stops and the kiosk's session folder goes. Python runs signal handlers only
    when it has control, so a timer hands it control while Qt waits for events."""
    from PySide6.QtCore import QCoreApplication, QTimer

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda _number, _frame: close())
    timer = QTimer(QCoreApplication.instance(), interval=200)
    timer.timeout.connect(lambda: None)
    timer.start()
