"""The desktop client: walk a scene in a window, change scenes through portals, Esc for the menu;
audio description, guidance, footsteps, alerts and the signing avatar, all by keyboard alone and
following the settings file live."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from metaseoul import i18n
from metaseoul.accessibility.audio import Placement, earcon, open_output
from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.runtime import engine
from metaseoul.client.alerts import AlertPanel
from metaseoul.client.city import CityLink
from metaseoul.client.controls import Controls
from metaseoul.client.guide import Event as GuideEvent
from metaseoul.client.guide import Guide
from metaseoul.client.keymap import MENU, KeyBindings, keymap
from metaseoul.client.menu import Hud, Menu
from metaseoul.client.narrator import Narrator
from metaseoul.client.preferences import LivePreferences
from metaseoul.client.sign_panel import SignPanel
from metaseoul.runtime.walker import Walker
from metaseoul.runtime.world import World
from metaseoul.i18n import _
from metaseoul.settings import Settings

SHADOW_LEAD = 30.0  # metres ahead of the citizen where the shadow map is centred
STRIDE, STRIDE_RUN = 0.7, 1.1  # metres between footsteps
log = logging.getLogger(__name__)


class DesktopClient:
    def __init__(self, base, scene: str, spawn: str | None = None, idle_exit: float | None = None,
                 city: CityLink | None = None, settings_path: Path | None = None):
        self.base = base
        self.city = city  # None: a visit on its own, with nobody else (tests, offline use)
        self.idle_exit = idle_exit  # seconds without input before quitting (kiosks)
        self.idle = 0.0
        self.world = World(base.render)
        self.walker = Walker(base.render)
        base.camera.reparentTo(self.walker.head)
        base.camera.setPos(0, 0, 0)
        self.world.add_camera(base.camera)
        self.settings = Settings.load(settings_path)  # the output device is chosen once, at the start
        self.audio = open_output(self.settings.audio_device)
        self.hud = Hud(base)
        self.controls = Controls(base)
        self.menu = Menu(base, on_resume=self.resume, on_quit=base.userExit)
        self.narrator = Narrator(self.world, self.walker, self.hud, self.audio)
        self.alerts = AlertPanel(base, on_show=self._alerted, on_clear=self._alerts_cleared)
        self.sign_panel: SignPanel | None = None
        self.guide: Guide | None = None
        self._walked = 0.0  # metres since the last footstep
        self._bump_wait = 0.0
        self.commands = KeyBindings({
            "menu": self.toggle_menu, "where": lambda: self.narrator.narrate("where"),
            "around": lambda: self.narrator.narrate("around"), "ahead": lambda: self.narrator.narrate("ahead"),
            "guide": self.guide_next, "stop-guide": self.stop_guide, "captions": self.toggle_captions,
            "sign-avatar": self.toggle_sign_avatar, "dismiss": self.dismiss_alert})
        self.preferences = LivePreferences(base, self.apply_settings, settings_path)
        self.enter(scene, spawn)
        base.taskMgr.add(self._frame, "metaseoul-frame")

    def apply_settings(self, settings: Settings) -> None:
        """Use these settings from now on (they come from the file, which the launcher may change)."""
        self.settings = settings
        keys = keymap(settings.keys)
        self.controls.rebind(keys)
        self.commands.bind(keys)
        self.menu.keys = {action: keys[action] for action in MENU}
        self.hud.apply(settings, keys)
        self.narrator.configure(settings.voice, settings.speech_rate)
        if self.audio is not None:
            self.audio.mono = settings.mono_audio
        self.alerts.reduced_motion = settings.reduced_motion
        if settings.sign_avatar:
            self._sign_panel()
        if self.sign_panel is not None:
            self.sign_panel.place(settings.sign_avatar_size, settings.sign_avatar_corner)
            self.sign_panel.show(settings.sign_avatar or self.alerts.shown is not None)

    def _sign_panel(self) -> SignPanel | None:
        """The signing avatar's panel, made when first needed; None if it cannot be (captions remain)."""
        if self.sign_panel is None:
            try:
                self.sign_panel = SignPanel(self.base)
            except RuntimeError as exc:
                log.warning("no signing avatar: %s", exc)
                return None
            self.sign_panel.place(self.settings.sign_avatar_size, self.settings.sign_avatar_corner)
        return self.sign_panel

    def enter(self, scene: str, spawn: str | None = None) -> None:
        self.world.enter(scene)
        self.world.spawn(self.walker, spawn)
        self._arrived()

    def _arrived(self) -> None:
        if self.city is not None:
            self.city.enter(self.world.scene.id)
        self.guide = Guide(Describer(self.world.built))
        self.hud.set_place(self.world.scene.name)
        self.hud.announce(i18n.pick(self.world.scene.name))
        if self.sign_panel is not None and self.sign_panel.visible:
            self.sign_panel.sign(self.world.scene.name.get("ko", ""))
        if self.settings.audio_description:
            self.narrator.narrate("where")

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

    def _toggle(self, name: str) -> bool:
        """Switch a setting as the citizen asked with a key: saved, so it lasts, and applied at once."""
        settings = Settings.load(self.preferences.path)
        setattr(settings, name, not getattr(settings, name))
        self.preferences.save(settings)
        return getattr(settings, name)

    def toggle_captions(self) -> None:
        self.hud.announce(_("Captions on") if self._toggle("captions") else _("Captions off"))

    def toggle_sign_avatar(self) -> None:
        self._toggle("sign_avatar")

    def dismiss_alert(self) -> None:
        if not self.menu.shown:  # Enter in the menu chooses a button; the alert waits
            self.alerts.dismiss()

    def _alerts_cleared(self) -> None:
        if self.sign_panel is not None and not self.settings.sign_avatar:
            self.sign_panel.show(False)

    def guide_next(self) -> None:
        self._guided(self.guide.next_target(self._pose()))

    def stop_guide(self) -> None:
        self.guide.stop()
        if self.audio is not None:
            self.audio.stop("beacon")
        self.hud.caption(_("Guidance stopped."), seconds=3)

    def _pose(self) -> Pose:
        return Pose(self.walker.position.x, self.walker.position.y, self.walker.facing)

    def _guided(self, event: GuideEvent | None) -> None:
        if event is None:
            return
        if event.kind == "beacon":
            self._sound("beacon", event.where, tag="beacon")
            return
        if event.kind == "arrived":
            self._sound("arrived")
        self.hud.caption(event.text, seconds=5)
        self.narrator.say(event.text)

    def _sound(self, name: str, where: Placement | None = None, tag: str = "", caption: str = "") -> None:
        if self.audio is not None:
            self.audio.play(earcon(name), where, tag=tag)
        if caption and self.settings.captions:
            self.hud.caption(caption, seconds=1.5)

    def _alerted(self, alert: dict) -> None:
        """An alert appeared: sound the alarm, sign it, and say it to those who listen."""
        self._sound("alarm" if alert.get("level") == "emergency" else "arrived")
        panel = self._sign_panel()
        if panel is not None:
            panel.show(True)  # an alert is always signed
            panel.sign(alert["text"]["ko"])
        if self.settings.audio_description:
            self.narrator.say(i18n.pick(alert["text"]))

    def _frame(self, task):
        dt = min(self.base.clock.getDt(), 0.1)
        if not self.menu.shown:
            intent = self.controls.intent(dt)
            self.idle = 0.0 if intent.active else self.idle + dt
            before = self.walker.position
            self.walker.update(dt, intent, self.world.built.collision)
            self._walking_sounds(dt, intent, (self.walker.position - before).getXy().length())
            if self.world.use_portal(self.walker):
                self._arrived()
        else:
            self.idle += dt
        if self.idle_exit is not None and self.idle > self.idle_exit:
            self.base.userExit()
        self.world.environment.follow(self.walker.forward_point(SHADOW_LEAD))
        self._guided(self.guide.update(dt, self._pose()))
        if self.city is not None:
            position = self.walker.position
            self.city.send_pose((position.x, position.y, position.z), self.walker.facing)
            lines, announcements = self.city.poll()
            for line in lines:
                self.hud.caption(line, seconds=8)
            for announcement in announcements:
                if announcement.get("level") == "emergency":
                    self.alerts.show(announcement)  # stays until dismissed
                else:
                    self.hud.caption(i18n.pick(announcement["text"]), seconds=10)
                    if self.sign_panel is not None and self.sign_panel.visible:
                        self.sign_panel.sign(announcement["text"]["ko"])
        return task.cont

    def _walking_sounds(self, dt: float, intent, moved: float) -> None:
        """Footsteps by surface while walking (for those who listen), a bump when a wall stops the citizen."""
        self._bump_wait = max(0.0, self._bump_wait - dt)
        if self.walker.blocked and intent.active and self._bump_wait == 0.0:
            self._bump_wait = 0.6
            self._sound("bump", Placement(0.0, 0.5), caption=_("[bump]"))
        if not self.settings.audio_description or not self.walker.on_ground:
            return
        self._walked += moved
        if self._walked >= (STRIDE_RUN if intent.run else STRIDE):
            self._walked = 0.0
            surface = self.guide.describer.surface(self._pose())
            self._sound(f"footstep-{surface}", Placement(0.0, 0.0))


def status(word: str, text: str) -> None:
    """A line the launcher follows (see launcher/client_process.py)."""
    print(f"metaseoul-status: {word} {text}", flush=True)


def _headset(base, runtime: str):
    """The headset session asked for, or None and why the visit is on the desktop instead."""
    from metaseoul.xr.runtime import NoRuntime, open_session

    try:
        return open_session(base, runtime), None
    except NoRuntime as exc:
        return None, str(exc)


def run(scene: str, spawn: str | None = None, quality: str = "high", fullscreen: bool = False,
        idle_exit: int | None = None, vr: str | None = None, backend: str | None = None) -> None:
    """Connect to the city backend (the built-in one when ``backend`` is None), open the window and
    run until the citizen quits; in a headset when ``vr`` names a runtime ("auto": any) and one answers."""
    if not engine.has_display():
        raise RuntimeError(_("no display to open a window on; use 'metaseoul render' for offscreen screenshots"))
    status("loading", scene)
    city = CityLink.open(backend)
    try:
        _visit(scene, spawn, quality, fullscreen, idle_exit, vr, city)
    finally:
        city.close()


def _visit(scene: str, spawn: str | None, quality: str, fullscreen: bool, idle_exit: int | None, vr: str | None,
           city: CityLink) -> None:
    base = engine.start(offscreen=False, quality=quality, fullscreen=fullscreen)
    if base.win is None:
        raise RuntimeError(_("could not open an OpenGL window"))
    session, notice = _headset(base, vr) if vr else (None, None)
    if session is not None:
        from metaseoul.client.headset import HeadsetClient
        client = HeadsetClient(base, session, scene, spawn, city=city)
        status("ready", client.visit.world.scene.id)
        base.run()
        return
    if notice:
        print(_("metaseoul: {problem}").format(problem=notice), file=sys.stderr, flush=True)
        status("notice", notice)
    client = DesktopClient(base, scene, spawn, idle_exit=idle_exit, city=city)
    if notice:
        client.hud.announce(notice, seconds=10)
    base.graphicsEngine.renderFrame()
    status("ready", client.world.scene.id)
    base.run()
