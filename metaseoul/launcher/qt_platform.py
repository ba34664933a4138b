"""Whether Qt can open a window here, asked before Qt tries.

When Qt's platform plugin cannot load (a library missing on a fresh system) or finds no display,
Qt ends the process with an abort Python cannot catch. So the launcher and the kiosk look first:
the plugins Qt will try, in its order, whether their libraries resolve (``ldd``) and whether their
display answers; when none can work, one sentence says what to install or what is missing.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from metaseoul.errors import NoDisplay, NotInstalled
from metaseoul.i18n import _

PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so", "wayland-egl": "libqwayland.so"}
NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
_KEPT: list[int] = []  # the X connections that answered (see x_display_answers)


def platforms(environ: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt tries, in order: ``QT_QPA_PLATFORM`` (a ``;`` list), else Wayland
    in a Wayland session, then X11 (xcb)."""
    chosen = environ.get("QT_QPA_PLATFORM")
    if chosen:
        return [entry.split(":")[0] for entry in chosen.split(";") if entry]
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
    return (["wayland"] if wayland else []) + ["xcb"]


def plugin_folders(environ: Mapping[str, str]) -> list[Path]:
    """Where Qt looks for platform plugins: ``QT_QPA_PLATFORM_PLUGIN_PATH`` first, then its own."""
    from PySide6.QtCore import QLibraryInfo

    own = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    override = environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    return ([Path(override)] if override else []) + [own]


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries ``library`` needs that this system lacks (none known without ``ldd``)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    result = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30, check=False)
    return list(dict.fromkeys(NOT_FOUND.findall(result.stdout)))


def debian_package(soname: str) -> str:
    """Debian's package for a library (policy 8.1): libxcb-icccm.so.4 is in libxcb-icccm4,
    libxkbcommon-x11.so.0 in libxkbcommon-x11-0."""
    stem, _so, version = soname.partition(".so.")
    version = version.split(".")[0]
    joiner = "-" if stem[-1:].isdigit() else ""
    return f"{stem}{joiner}{version}".lower()


def x_display_answers(display: str | None) -> bool:
    """Whether an X server accepts a connection at ``display``, as Qt's xcb plugin will ask it."""
    if not display:
        return False
    xcb = ctypes.CDLL("libxcb.so.1")  # loads: the xcb plugin's libraries resolved
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    if xcb.xcb_connection_has_error(connection):
        xcb.xcb_disconnect(connection)
        return False
    # kept open: were it the server's only client, closing it would make a bare X server (Xvfb,
    # xvfb-run) reset just as Qt connects
    _KEPT.append(connection)
    return True


def wayland_display_answers(environ: Mapping[str, str]) -> bool:
    """Whether the Wayland compositor's socket is there (``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY``)."""
    name = environ.get("WAYLAND_DISPLAY") or "wayland-0"
    socket = Path(name) if os.path.isabs(name) else Path(environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    return socket.is_socket()


def display_answers(platform: str, environ: Mapping[str, str]) -> bool:
    if platform == "xcb":
        return x_display_answers(environ.get("DISPLAY"))
    return wayland_display_answers(environ)


def window_problem(environ: Mapping[str, str] = os.environ,
                   folders: list[Path] | None = None) -> NotInstalled | NoDisplay | None:
    """Why Qt could not open a window here, as an error of one sentence; None when one of its platforms can."""
    if not sys.platform.startswith("linux"):
        return None
    folders = plugin_folders(environ) if folders is None else folders
    missing: list[str] = []
    absent: list[str] = []
    for platform in platforms(environ):
        if platform not in PLUGIN_FILES:
            return None  # offscreen, eglfs, vnc…: nothing to check beforehand
        files = [folder / PLUGIN_FILES[platform] for folder in folders if (folder / PLUGIN_FILES[platform]).is_file()]
        if not files:
            absent.append(platform)
            continue
        lacking = [missing_libraries(f) for f in files]
        if all(lacking):
            missing += [name for names in lacking for name in names if name not in missing]
        elif display_answers(platform, environ):
            return None
    if missing:
        packages = " ".join(dict.fromkeys(debian_package(name) for name in missing))
        return NotInstalled(_("a window cannot open because Qt lacks the libraries {libraries}: install them "
                              "(sudo apt-get install {packages}, or run installer/setup-debian)").format(
            libraries=", ".join(missing), packages=packages))
    if absent:
        return NotInstalled(_("a window cannot open because Qt's platform plugin for {platforms} is missing: "
                              "reinstall PySide6 (run installer/setup-debian)").format(platforms=", ".join(absent)))
    return NoDisplay(_("no display answers (DISPLAY={display}, WAYLAND_DISPLAY={wayland}): start metaseoul from a "
                       "desktop session").format(display=environ.get("DISPLAY", ""),
                                                 wayland=environ.get("WAYLAND_DISPLAY", "")))
