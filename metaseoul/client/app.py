"""The desktop client: walk a scene in a window, change scenes through portals, Esc for the menu."""

from __future__ import annotations

import sys

from metaseoul import i18n
from metaseoul.client import engine
from metaseoul.client.city import CityLink
from metaseoul.client.controls import Controls
from metaseoul.client.menu import Hud, Menu
from metaseoul.client.narrator import Narrator
from metaseoul.client.walker import Walker
from metaseoul.client.world import World
from metaseoul.i18n import _

SHADOW_LEAD = 30.0  # metres ahead of the citizen where the shadow map is centred


class DesktopClient:
    def __init__(self, base, scene: str, spawn: str | None = None, idle_exit: float | None = None,
                 city: CityLink | None = None):
        self.base = base
        self.city = city  # None: a visit on its own, with nobody else (tests, offline use)
        self.idle_exit = idle_exit  # seconds without input before quitting (kiosks)
        self.idle = 0.0
        self.world = World(base.render)
        self.walker = Walker(base.render)
        base.camera.reparentTo(self.walker.head)
        base.camera.setPos(0, 0, 0)
        self.world.add_camera(base.camera)
        self.hud = Hud(base)
        self.controls = Controls(base)
        self.menu = Menu(base, on_resume=self.resume, on_quit=base.userExit)
        self.narrator = Narrator(base, self.world, self.walker, self.hud)
        base.accept("escape", self.toggle_menu)
        self.enter(scene, spawn)
        base.taskMgr.add(self._frame, "metaseoul-frame")

    def enter(self, scene: str, spawn: str | None = None) -> None:
        self.world.enter(scene)
        self.world.spawn(self.walker, spawn)
        self._arrived()

    def _arrived(self) -> None:
        if self.city is not None:
            self.city.enter(self.world.scene.id)
        self.hud.set_place(self.world.scene.name)
        self.hud.announce(i18n.pick(self.world.scene.name))

    def toggle_menu(self) -> None:
        if self.menu.shown:
            self.resume()
        else:
            self.controls.release_all()
            self.controls.capture_mouse(False)
            self.hud.notice.setText("")
            self.menu.show(i18n.pick(self.world.scene.name))

    def resume(self) -> None:
        self.menu.hide()
        self.controls.capture_mouse(True)

    def _frame(self, task):
        dt = min(self.base.clock.getDt(), 0.1)
        if not self.menu.shown:
            intent = self.controls.intent(dt)
            self.idle = 0.0 if intent.active else self.idle + dt
            self.walker.update(dt, intent, self.world.built.collision)
            if self.world.use_portal(self.walker):
                self._arrived()
        else:
            self.idle += dt
        if self.idle_exit is not None and self.idle > self.idle_exit:
            self.base.userExit()
        self.world.environment.follow(self.walker.forward_point(SHADOW_LEAD))
        if self.city is not None:
            position = self.walker.position
            self.city.send_pose((position.x, position.y, position.z), self.walker.facing)
            for line in self.city.messages():
                self.hud.caption(line, seconds=8)
        return task.cont


def status(word: str, text: str) -> None:
    """A line the launcher follows (see launcher/client_process.py)."""
    print(f"metaseoul-status: {word} {text}", flush=True)


def vr_notice() -> str:
    """Why this visit is on the desktop although VR was asked for."""
    from metaseoul.xr.runtime import NoRuntime, detect

    try:
        info = detect()
    except NoRuntime as exc:
        return str(exc)
    return _("{runtime} found {system}, but this version of metaseoul cannot draw to a headset yet; "
             "the visit opens on the desktop.").format(runtime=info.runtime, system=info.system)


def run(scene: str, spawn: str | None = None, quality: str = "high", fullscreen: bool = False,
        idle_exit: int | None = None, vr: bool = False, backend: str | None = None) -> None:
    """Connect to the city backend (the built-in one when ``backend`` is None), open the window and
    run until the citizen quits."""
    if not engine.has_display():
        raise RuntimeError(_("no display to open a window on; use 'metaseoul render' for offscreen screenshots"))
    status("loading", scene)
    city = CityLink.open(backend)
    try:
        _visit(scene, spawn, quality, fullscreen, idle_exit, vr, city)
    finally:
        city.close()


def _visit(scene: str, spawn: str | None, quality: str, fullscreen: bool, idle_exit: int | None, vr: bool,
           city: CityLink) -> None:
    notice = vr_notice() if vr else None
    if notice:
        print(_("metaseoul: {problem}").format(problem=notice), file=sys.stderr, flush=True)
        status("notice", notice)
    base = engine.start(offscreen=False, quality=quality, fullscreen=fullscreen)
    if base.win is None:
        raise RuntimeError(_("could not open an OpenGL window"))
    client = DesktopClient(base, scene, spawn, idle_exit=idle_exit, city=city)
    if notice:
        client.hud.announce(notice, seconds=10)
    base.graphicsEngine.renderFrame()
    status("ready", client.world.scene.id)
    base.run()
