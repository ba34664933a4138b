"""One citizen's visit, whatever draws it: the world and the walker, the settings file followed live,
audio (earcons, footsteps, speech), the narrator, the guide, alerts, the city link, and the commands.

Presenters (client/desktop.py, client/headset.py) draw the visit and feed it input: each frame they
call ``step`` (with the walking intent when they move the walker the desktop way), read ``captions``,
``notice``, ``alerts.shown`` and ``place``, and run commands from ``commands``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from metaseoul import i18n
from metaseoul.accessibility.audio import Placement, earcon, open_output
from metaseoul.accessibility.describe import Pose
from metaseoul.i18n import N_, _
from metaseoul.runtime.walker import Intent, Walker
from metaseoul.runtime.world import World
from metaseoul.scenes.errors import SceneInvalid, UnknownName
from metaseoul.scenes.loader import PlacedObject
from metaseoul.settings import Settings
from metaseoul.visit.alerts import AlertQueue
from metaseoul.visit.city import CityLink
from metaseoul.visit.commands import Command, Commands
from metaseoul.visit.guide import Event as GuideEvent
from metaseoul.visit.guide import Guide
from metaseoul.visit.narrator import Narrator
from metaseoul.visit.preferences import LivePreferences
from metaseoul.visit.texts import TimedText

SHADOW_LEAD = 30.0  # metres ahead of the citizen where the shadow map is centred
STRIDE, STRIDE_RUN = 0.7, 1.1  # metres between footsteps
TARGET_REACH = 30.0  # metres: how far a command that needs a target looks ahead
log = logging.getLogger(__name__)


class Visit:
    def __init__(self, base, scene: str, spawn: str | None = None, city: CityLink | None = None,
                 settings_path: Path | None = None, idle_exit: float | None = None):
        self.base = base
        self.city = city  # None: a visit on its own, with nobody else (tests, offline use)
        self.idle_exit = idle_exit  # seconds without input before the visit ends (kiosks)
        self.idle = 0.0
        self.ended = False
        self.world = World(base.render)
        self.walker = Walker(base.render)
        self.captions, self.notice = TimedText(), TimedText()
        self.place: dict[str, str] = {"en": ""}  # the scene's name, for the presenters' corner
        self.preferences = LivePreferences(base, settings_path)
        self.settings = self.preferences.current
        self.audio = open_output(self.settings.audio_device)  # the output device is chosen once, at the start
        self.narrator = Narrator(self.world, self.walker, self.captions, self.audio)
        self.alerts = AlertQueue(on_show=self._alerted)
        self.guide: Guide | None = None
        self.to_sign: list[str] = []  # Korean text for the signing avatar, taken by the presenter that shows it
        self.commands = Commands()
        self._register_commands()
        self._walked = 0.0  # metres since the last footstep
        self._bump_wait = 0.0
        self.preferences.listeners.append(self.apply_settings)  # first: presenters' listeners read visit.settings
        self.apply_settings(self.settings)
        self.enter(scene, spawn)

    def _register_commands(self) -> None:
        narrate = self.narrator.narrate
        for command in (
            Command("where", N_("Where am I"), lambda: narrate("where"), ("f1",)),
            Command("around", N_("What is around"), lambda: narrate("around"), ("f2",)),
            Command("ahead", N_("What is ahead"), lambda: narrate("ahead"), ("f3",)),
            Command("next-page", N_("Next page of the list"), lambda: self.narrator.turn_page(1), ("page_down",)),
            Command("previous-page", N_("Previous page of the list"), lambda: self.narrator.turn_page(-1),
                    ("page_up",)),
            Command("guide", N_("Guide me"), self.guide_next, ("f4",)),
            Command("stop-guide", N_("Stop guiding"), self.stop_guide, ("f5",)),
            Command("captions", N_("Captions on or off"), self.toggle_captions, ("f6",)),
            Command("sign-avatar", N_("Signing avatar on or off"), lambda: self.toggle("sign_avatar"), ("f7",)),
            Command("level-view", N_("Level the view"), self.level_view, ("f8",)),
            Command("dismiss", N_("Dismiss the alert"), self.alerts.dismiss, ("enter",)),
        ):
            self.commands.register(command)

    # -- commands -----------------------------------------------------------------------------
    def run(self, ident: str, target: PlacedObject | None = None) -> None:
        """Run a command; one that needs a target gets ``target``, else what the citizen faces."""
        command = self.commands[ident]
        if not command.needs_target:
            command.run()
            return
        target = target or self.target()
        if target is None:
            self.captions.show(_("There is nothing in front of you for that: turn to face it and try again."),
                               seconds=3)
            return
        command.run(target)

    def target(self) -> PlacedObject | None:
        """What the citizen faces: of the named things ahead within reach, the one most straight ahead."""
        ahead = self.narrator.describer().ahead(self.pose(), radius=TARGET_REACH, limit=8)
        return min(ahead, key=lambda s: abs(s.bearing)).object if ahead else None

    def toggle(self, name: str) -> bool:
        """Switch a setting as the citizen asked: applied at once and saved, so it lasts (where the
        settings file cannot be written, a kiosk's say, for this visit only)."""
        settings = replace(self.settings)
        setattr(settings, name, not getattr(settings, name))
        try:
            self.preferences.save(settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
            self.preferences.changed(settings)
        return getattr(settings, name)

    def toggle_captions(self) -> None:
        self.notice.show(_("Captions on") if self.toggle("captions") else _("Captions off"), seconds=3)

    def level_view(self) -> None:
        self.walker.head.setP(0)

    def guide_next(self) -> None:
        self._guided(self.guide.next_target(self.pose()))

    def stop_guide(self) -> None:
        self.guide.stop()
        if self.audio is not None:
            self.audio.stop("beacon")
        self.captions.show(_("Guidance stopped."), seconds=3)

    # -- settings and places ------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """Use these settings from now on (they come from the file, which the launcher may change). A
        language chosen meanwhile is spoken at once; at the start, ``--lang`` has chosen it already."""
        if settings.language != self.settings.language and settings.language in i18n.LANGUAGES:
            i18n.set_language(settings.language)
        self.settings = settings
        self.narrator.configure(settings.voice, settings.speech_rate, settings.caption_size)
        if self.audio is not None:
            self.audio.mono = settings.mono_audio

    @property
    def sign_avatar_wanted(self) -> bool:
        """The signing avatar shows when the citizen chose it, and always while an alert is up."""
        return self.settings.sign_avatar or self.alerts.shown is not None

    def enter(self, scene: str, spawn: str | None = None) -> None:
        self.world.enter(scene)
        self.world.spawn(self.walker, spawn)
        self._arrived()

    def _arrived(self) -> None:
        if self.city is not None:
            self.city.enter(self.world.scene.id)
        self.guide = Guide(self.narrator.describer())
        self.place = self.world.scene.name
        self.notice.show(i18n.pick(self.place), seconds=3)
        if self.settings.sign_avatar:
            self.to_sign.append(self.place.get("ko", ""))
        if self.settings.audio_description:
            self.narrator.narrate("where")

    def pose(self) -> Pose:
        return Pose(self.walker.position.x, self.walker.position.y, self.walker.facing)

    # -- the frame ----------------------------------------------------------------------------
    def step(self, dt: float, intent: Intent | None = None) -> None:
        """One frame: walk by ``intent`` (None: the presenter moved the walker itself, or the citizen
        is in a menu), go through portals, guide, talk to the city, count idle time."""
        for text in (self.captions, self.notice):
            text.tick(dt)
        self.alerts.tick(dt)
        self.idle += dt
        if intent is not None:
            if intent.active:
                self.stir()
            before = self.walker.position
            self.walker.update(dt, intent, self.world.built.collision)
            self._walking_sounds(dt, intent, (self.walker.position - before).getXy().length())
        self._through_portals()
        if self.idle_exit is not None and self.idle > self.idle_exit:
            self.ended = True
        self.world.environment.follow(self.walker.forward_point(SHADOW_LEAD))
        self._guided(self.guide.update(dt, self.pose()))
        self._city()

    def _through_portals(self) -> None:
        """Go through a portal the citizen stepped into; one to a scene that cannot be used is closed,
        said in captions and aloud, and the citizen stays (the log has the scene's problems)."""
        try:
            if self.world.use_portal(self.walker):
                self._arrived()
        except (SceneInvalid, UnknownName) as exc:
            log.warning("portal to a scene that cannot be used: %s", exc)
            text = _("This way is closed: the place it leads to has a problem in its scene file.")
            self.captions.show(text, seconds=6)
            self.narrator.say(text)

    def stir(self) -> None:
        """The citizen did something (a presenter that moves the walker itself says so): not idle."""
        self.idle = 0.0

    def _city(self) -> None:
        if self.city is None:
            return
        position = self.walker.position
        self.city.send_pose((position.x, position.y, position.z), self.walker.facing)
        lines, announcements = self.city.poll()
        for line in lines:
            self.captions.show(line, seconds=8)
        for announcement in announcements:
            if announcement.get("level") == "emergency":
                self.alerts.show(announcement)  # stays until dismissed
            else:
                self.captions.show(i18n.pick(announcement["text"]), seconds=10)
                if self.settings.sign_avatar:
                    self.to_sign.append(announcement["text"]["ko"])

    def _guided(self, event: GuideEvent | None) -> None:
        if event is None:
            return
        if event.kind == "beacon":
            self.sound("beacon", event.where, tag="beacon")
            return
        if event.kind == "arrived":
            self.sound("arrived")
        self.captions.show(event.text, seconds=5)
        self.narrator.say(event.text)

    def sound(self, name: str, where: Placement | None = None, tag: str = "", caption: str = "") -> None:
        """An earcon, with a short caption for those who read instead of hear."""
        if self.audio is not None:
            self.audio.play(earcon(name), where, tag=tag)
        if caption and self.settings.captions:
            self.captions.show(caption, seconds=1.5)

    def _alerted(self, alert: dict) -> None:
        """An alert appeared: sound the alarm, sign it, and say it to those who listen."""
        self.sound("alarm" if alert.get("level") == "emergency" else "arrived")
        self.to_sign.append(alert["text"]["ko"])  # an alert is always signed
        if self.settings.audio_description:
            self.narrator.say(i18n.pick(alert["text"]))

    def _walking_sounds(self, dt: float, intent: Intent, moved: float) -> None:
        """Footsteps by surface while walking (for those who listen), a bump when a wall stops the citizen."""
        self._bump_wait = max(0.0, self._bump_wait - dt)
        if self.walker.blocked and intent.active and self._bump_wait == 0.0:
            self._bump_wait = 0.6
            self.sound("bump", Placement(0.0, 0.5), caption=_("[bump]"))
        if not self.settings.audio_description or not self.walker.on_ground:
            return
        self._walked += moved
        if self._walked >= (STRIDE_RUN if intent.run else STRIDE):
            self._walked = 0.0
            surface = self.guide.describer.surface(self.pose())
            self.sound(f"footstep-{surface}", Placement(0.0, 0.0))

    def close(self) -> None:
        """Leave the world; the city link is closed by whoever opened it."""
        self.preferences.close()
        self.world.leave()
