"""Panda3D start-up: the configuration for a window or for offscreen rendering, and ShowBase.

Options are PRC variables, so they can be set in a .prc file or with ``loadPrcFileData`` like any
Panda3D setting; the defaults work on Mesa's llvmpipe as well as on real GPUs. A quality preset only
fills in what the citizen's own PRC files leave unset.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import panda3d
from panda3d.core import ConfigVariableDouble, ConfigVariableInt, ConfigVariableManager, loadPrcFileData

from metaseoul.errors import NoOpenGL
from metaseoul.i18n import _

SHADOW_SIZE = ConfigVariableInt("metaseoul-shadow-size", 2048, "Sun shadow map size in texels.")
SHADOW_RADIUS = ConfigVariableDouble("metaseoul-shadow-radius", 110.0,
                                     "Metres around the viewer covered by the sun's shadow map.")
VIEW_DISTANCE = ConfigVariableDouble("metaseoul-view-distance", 3000.0, "Far clipping distance in metres.")

QUALITY = {  # the launcher's graphics quality, as PRC settings
    "low": "metaseoul-shadow-size 1024\nmultisamples 0\nmetaseoul-view-distance 1500",
    "medium": "metaseoul-shadow-size 2048\nmultisamples 2",
    "high": "metaseoul-shadow-size 2048\nmultisamples 4",
}

_COMMON = """
framebuffer-multisample 1
sync-video false
textures-power-2 none
audio-library-name null
notify-level-device fatal
notify-level-egldisplay error
notify-level-glgsg error
notify-level-display error
window-title Metaverse Seoul
default-fov 70
"""


def has_display() -> bool:
    """True where a window can open: an X or Wayland display on Linux, always elsewhere."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def configure(offscreen: bool, size: tuple[int, int] = (1280, 720), quality: str = "high",
              fullscreen: bool = False) -> None:
    """Set the PRC configuration; call before the first ShowBase is made."""
    # offscreen: no default window; callers make buffers of the sizes they need (see headless.py)
    window = "window-type none\nload-display p3headlessgl" if offscreen \
        else "window-type onscreen\nload-display pandagl"
    screen = "fullscreen #t" if fullscreen else f"win-size {size[0]} {size[1]}"
    preset = "\n".join(line for line in QUALITY[quality].splitlines() if not _set_by_user(line.split()[0]))
    loadPrcFileData("metaseoul", f"{_COMMON}\n{preset}\n{window}\n{screen}\n")


def _set_by_user(name: str) -> bool:
    """Whether a PRC page sets ``name``, other than Panda3D's shipped files, declared defaults and metaseoul's own."""
    shipped = Path(panda3d.__file__).parent / "etc"
    core = ConfigVariableManager.getGlobalPtr().makeVariable(name)
    for i in range(core.getNumDeclarations()):
        page = core.getDeclaration(i).getPage()
        if page.getName() not in ("metaseoul", "default") and Path(page.getName()).parent != shipped:
            return True
    return False


@contextmanager
def display_watch(on_lost: Callable[[], None], exit_code: int) -> Iterator[None]:
    """While inside: when the X display goes away, Xlib calls its I/O error handler and Panda3D's aborts
    the process; ours runs ``on_lost`` (close the visit in order) once and exits with ``exit_code``."""
    library = ctypes.util.find_library("X11") if sys.platform.startswith("linux") else None
    if library is None or not os.environ.get("DISPLAY"):
        yield
        return
    xlib = ctypes.CDLL(library)
    xlib.XSetIOErrorHandler.restype = ctypes.c_void_p
    lost_once = []

    def lost(_display) -> int:
        if not lost_once:  # Xlib may call again from inside on_lost: the first call does the closing
            lost_once.append(True)
            with suppress(Exception):
                on_lost()
        os._exit(exit_code)  # Xlib would exit anyway once this returns; nothing is left to do

    handler = _IO_ERROR_HANDLER(lost)
    previous = xlib.XSetIOErrorHandler(handler)
    try:
        yield
    finally:
        xlib.XSetIOErrorHandler(ctypes.c_void_p(previous))  # ``handler`` lives until here, as Xlib holds it


_IO_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


def start(offscreen: bool, size: tuple[int, int] = (1280, 720), quality: str = "high", fullscreen: bool = False):
    """Create the one ShowBase of this process (Panda3D allows a single instance)."""
    import builtins

    existing = getattr(builtins, "base", None)
    if existing is not None:
        return existing
    configure(offscreen, size, quality, fullscreen)
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase()
    if offscreen:
        base.makeDefaultPipe(printPipeTypes=False)
        if base.pipe is None:
            raise NoOpenGL(_("no offscreen OpenGL: install libegl1 and libgl1-mesa-dri (Mesa's EGL)"))
    else:
        base.disableMouse()
        base.camLens.setNearFar(0.15, VIEW_DISTANCE.getValue())
    return base
