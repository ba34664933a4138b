"""A visit in a VR headset, with the desktop window as its mirror.

The headset shows the VR visit (``xr/visit.py``); the window shows what the left eye sees, with the
desktop's captions over it, for a companion or a kiosk attendant watching. The wrist menu reaches
the spoken descriptions; the city link carries the citizen's position and brings chat and
announcements, shown as captions on the mirror and spoken for those who use audio description.
"""

from __future__ import annotations

import time
from pathlib import Path

from panda3d.core import CardMaker

from metaseoul import i18n
from metaseoul.accessibility.audio import open_output
from metaseoul.client.city import CityLink
from metaseoul.client.keymap import keymap
from metaseoul.client.menu import Hud
from metaseoul.client.narrator import Narrator
from metaseoul.settings import Settings
from metaseoul.xr.comfort import ComfortSettings
from metaseoul.xr.session import HeadsetSession
from metaseoul.xr.visit import VRVisit

IDLE_SLEEP = 0.05  # seconds between polls while the runtime wants no frames (before ready, after stopping)


def comfort(settings: Settings) -> ComfortSettings:
    return ComfortSettings(locomotion=settings.vr_locomotion, turning=settings.vr_turning,
                           snap_degrees=float(settings.vr_snap_degrees), vignette=settings.vr_vignette,
                           seated=settings.vr_seated)


class HeadsetClient:
    def __init__(self, base, session: HeadsetSession, scene: str, spawn: str | None = None,
                 city: CityLink | None = None, settings_path: Path | None = None):
        self.base, self.session, self.city = base, session, city
        self.settings = Settings.load(settings_path)
        self.hud = Hud(base)
        self.hud.apply(self.settings, keymap(self.settings.keys))
        commands = {action: (lambda action=action: self.narrator.narrate(action)) for action in ("where", "around", "ahead")}
        self.visit = VRVisit(base, session, scene, comfort=comfort(self.settings), commands=commands, spawn=spawn)
        self.audio = open_output(self.settings.audio_device)
        self.narrator = Narrator(self.visit.world, self.visit.walker, self.hud, self.audio)
        self.narrator.configure(self.settings.voice, self.settings.speech_rate)
        self._mirror()
        scene_name = self.visit.world.scene.name
        self.hud.set_place(scene_name)
        self.hud.announce(i18n.pick(scene_name))
        if city is not None:
            city.enter(self.visit.world.scene.id)
        if self.settings.audio_description:
            self.narrator.narrate("where")
        # posed before Panda3D's render loop (igLoop, sort 50) draws the eyes, handed over after it
        base.taskMgr.add(self._prepare, "metaseoul-headset-prepare", sort=49)
        base.taskMgr.add(self._submit, "metaseoul-headset-submit", sort=51)
        base.finalExitCallbacks.append(self.close)

    def _mirror(self) -> None:
        """The window shows the left eye (letterboxed) instead of drawing the scene a third time."""
        self.base.camNode.setActive(False)
        width, height = self.session.eye_size
        maker = CardMaker("headset-mirror")
        maker.setFrame(-width / height, width / height, -1, 1)
        self.mirror = self.base.aspect2d.attachNewNode(maker.generate())
        self.mirror.setTexture(self.visit.eyes["left"].texture)
        self.mirror.setBin("background", 0)
        self.mirror.setDepthWrite(False)
        window_aspect = self.base.getAspectRatio()
        self.mirror.setScale(min(1.0, window_aspect / (width / height)))

    def _prepare(self, task):
        dt = min(self.base.clock.getDt(), 0.1)
        drawing = self.visit.prepare(dt)
        if not self.visit.running:
            self.base.userExit()
            return task.done
        if not drawing:
            time.sleep(IDLE_SLEEP)
        if self.city is not None:
            position = self.visit.walker.position
            self.city.send_pose((position.x, position.y, position.z), self.visit.walker.facing)
            lines, announcements = self.city.poll()
            for line in lines:
                self.hud.caption(line, seconds=8)
            for announcement in announcements:
                text = i18n.pick(announcement["text"])
                self.hud.caption(text, seconds=10)
                if self.settings.audio_description or announcement.get("level") == "emergency":
                    self.narrator.say(text)
        return task.cont

    def _submit(self, task):
        self.visit.submit()
        return task.cont

    def close(self) -> None:
        """Leaves the headset cleanly whatever state it is in (the window closed, Ctrl+C, the runtime quit)."""
        self.visit.close()
        self.session.close()
