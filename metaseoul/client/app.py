"""``metaseoul play``: a visit in a window (or a headset, the window mirroring it) from start to end.

The visit ends the same orderly way whatever ends it: Quit, the idle time-out at a kiosk, the window
closed, SIGTERM or SIGINT (the launcher's stop, systemd, Ctrl+C), or the display going away. The
headset leaves its session in order, the city link closes and the built-in backend stops. A headset
runtime lost mid-visit hands the visit to the desktop with one sentence.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from metaseoul.client.desktop import DesktopClient
from metaseoul.client.headset import HeadsetClient
from metaseoul.errors import NoDisplay, NoOpenGL
from metaseoul.i18n import _
from metaseoul.runtime import engine
from metaseoul.visit.city import CityLink
from metaseoul.visit.core import Visit

ENDING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
DISPLAY_LOST = 3  # the exit code when the display goes away, as when there is none


def status(word: str, text: str = "") -> None:
    """A line the launcher follows (see launcher/client_process.py)."""
    print(f"metaseoul-status: {word} {text}".rstrip(), flush=True)


@contextmanager
def ending_signals() -> Iterator[list[int]]:
    """While inside, SIGTERM, SIGINT and SIGHUP ask the visit to end instead of killing the process;
    the list yielded holds the signals received."""
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: received.append(number)) for sig in ENDING_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(scene: str, spawn: str | None = None, quality: str = "high", fullscreen: bool = False,
        idle_exit: int | None = None, vr: str | None = None, backend: str | None = None, touch: bool = False) -> None:
    """Connect to the city backend (the built-in one when ``backend`` is None), open the window and
    run until the visit ends; in a headset when ``vr`` names a runtime ("auto": any) and one answers."""
    if not engine.has_display():
        raise NoDisplay(_("no display to open a window on; use 'metaseoul render' for offscreen screenshots"))
    with ending_signals() as received:
        if backend is None:
            status("backend")
        status("loading", scene)
        city = CityLink.open(backend)
        try:
            if not received:
                _visit(scene, spawn, quality, fullscreen, idle_exit, vr, city, touch, received)
        finally:
            city.close()


def _visit(scene: str, spawn: str | None, quality: str, fullscreen: bool, idle_exit: int | None, vr: str | None,
           city: CityLink, touch: bool, received: list[int]) -> None:
    base = engine.start(offscreen=False, quality=quality, fullscreen=fullscreen)
    if base.win is None:
        raise NoOpenGL(_("could not open an OpenGL window"))
    session = None  # the headset's, while one is open: closed on any end, the display's loss included
    with engine.display_watch(lambda: _display_lost(session, city), exit_code=DISPLAY_LOST):
        visit = Visit(base, scene, spawn, city=city, idle_exit=idle_exit)
        presenter = None
        try:
            session, notice = _headset(base, vr) if vr else (None, None)
            presenter = HeadsetClient(base, session, visit) if session else _desktop(base, visit, touch, notice)
            base.graphicsEngine.renderFrame()
            status("ready", visit.world.scene.id)
            while not (received or visit.ended):
                try:
                    base.taskMgr.step()
                except KeyboardInterrupt:  # the task manager takes SIGINT over while it steps, then raises this
                    received.append(signal.SIGINT)
                if presenter.lost:  # the headset runtime went away: the visit goes on on the desktop
                    lost, session = presenter.lost, None
                    presenter.close()
                    presenter = None
                    presenter = _desktop(base, visit, touch, lost)
        finally:  # also when the window was closed (ShowBase exits from inside the step)
            if presenter is not None:
                presenter.close()
            elif session is not None:  # opened, but the visit failed before the headset presenter took it
                session.close()
            visit.close()


def _display_lost(session, city: CityLink) -> None:
    """The display went away under the visit: leave the headset and the city as on any other end,
    then say so (stderr may have gone with the display)."""
    if session is not None:
        session.close()
    city.close()
    with suppress(OSError):
        print(_("metaseoul: the display went away, so the visit has ended; start it again from a desktop "
                "session"), file=sys.stderr, flush=True)


def _desktop(base, visit: Visit, touch: bool, notice: str | None) -> DesktopClient:
    if notice:
        print(_("metaseoul: {problem}").format(problem=notice), file=sys.stderr, flush=True)
        status("notice", notice)
        visit.notice.show(notice, seconds=10)
    return DesktopClient(base, visit, touch=touch)


def _headset(base, runtime: str):
    """The headset session asked for, or None and why the visit is on the desktop instead."""
    from metaseoul.xr.runtime import NoRuntime, open_session

    try:
        return open_session(base, runtime), None
    except NoRuntime as exc:
        return None, str(exc)
