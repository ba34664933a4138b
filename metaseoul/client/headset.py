"""The headset presenter of a visit, with the desktop window as its mirror.

The headset visit (``xr/visit.py``) moves the visit's walker through the headset and controllers;
everything else the visit does goes on as it is: portals, spoken descriptions, guidance and its
beacon, alerts, captions, the signing avatar, live settings and the city link. The wrist menu
carries every command of the visit; captions and alerts stay in view, and the signing avatar rides
on the right wrist. The window shows what the left eye sees, captions and alerts included, for a
companion or a kiosk attendant watching.
"""

from __future__ import annotations

import time

from panda3d.core import CardMaker, NodePath, TextNode

from metaseoul import i18n
from metaseoul.client.sign_panel import SignPanel, sign_panel
from metaseoul.scenes.builders.text import font
from metaseoul.settings import Settings
from metaseoul.visit.core import Visit
from metaseoul.xr.comfort import ComfortSettings
from metaseoul.xr.session import HeadsetSession
from metaseoul.xr.visit import VRVisit

IDLE_SLEEP = 0.05  # seconds between polls while the runtime wants no frames (before ready, after stopping)


def comfort(settings: Settings) -> ComfortSettings:
    return ComfortSettings(locomotion=settings.vr_locomotion, turning=settings.vr_turning,
                           snap_degrees=float(settings.vr_snap_degrees), vignette=settings.vr_vignette,
                           seated=settings.vr_seated)


class HeadsetClient:
    def __init__(self, base, session: HeadsetSession, visit: Visit):
        self.base, self.session, self.visit = base, session, visit
        self.vr = VRVisit(base, session, visit.world, visit.walker, comfort=comfort(visit.settings),
                          commands=visit.commands, run=visit.run)
        visit.preferences.listeners.append(self.apply_settings)
        self._mirror()
        self.sign_panel: SignPanel | None = None  # its picture rides on the right wrist, once first used
        self.signer: NodePath | None = None
        self._no_signer = False  # tried, and none can be made here
        # what the desktop shows on its 2D HUD, in the headset: captions below the gaze, alerts above it
        self.captions = self._head_text(-0.4, (1, 1, 1, 1))
        self.alert = self._head_text(0.3, (1, 0.85, 0.2, 1))
        # posed before Panda3D's render loop (igLoop, sort 50) draws the eyes, handed over after it
        base.taskMgr.add(self._prepare, "metaseoul-headset-prepare", sort=49)
        base.taskMgr.add(self._submit, "metaseoul-headset-submit", sort=51)

    def _mirror(self) -> None:
        """The window shows the left eye (letterboxed) instead of drawing the scene a third time."""
        self.scene_regions = [r for r in self.base.win.getDisplayRegions() if r.getCamera() == self.base.cam]
        for region in self.scene_regions:
            region.setActive(False)
        self.base.win.setClearColor((0, 0, 0, 1))  # black bars beside the eye's image
        self.base.win.setClearColorActive(True)
        width, height = self.session.eye_size
        maker = CardMaker("headset-mirror")
        maker.setFrame(-width / height, width / height, -1, 1)
        self.mirror = self.base.aspect2d.attachNewNode(maker.generate())
        self.mirror.setTexture(self.vr.eyes["left"].texture)
        self.mirror.setBin("background", 0)
        self.mirror.setDepthWrite(False)
        self.mirror.setScale(min(1.0, self.base.getAspectRatio() / (width / height)))

    def _head_text(self, height: float, color) -> NodePath:
        """Text that stays in view 1.2 m ahead of the eyes, drawn over the scene on a dark card."""
        text = TextNode("headset-text")
        text.setFont(font())
        text.setAlign(TextNode.ACenter)
        text.setWordwrap(22)
        text.setTextColor(color)
        text.setCardColor(0, 0, 0, 0.75)
        text.setCardAsMargin(0.4, 0.4, 0.25, 0.25)
        node = self.vr.head.attachNewNode(text)
        node.setPos(0, 1.2, height)
        node.setScale(0.055)  # about 2.6 degrees a line: easily read in any headset
        node.setLightOff(1)
        node.setShaderOff(1)
        node.setDepthTest(False)
        node.setDepthWrite(False)
        node.setBin("fixed", 50)
        return node

    def _show(self, node: NodePath, text: str) -> None:
        if node.node().getText() != text:  # laid out again only when it changes
            node.node().setText(text)

    def apply_settings(self, settings: Settings) -> None:
        """Comfort choices saved in the launcher meanwhile apply at once."""
        self.vr.configure(comfort(settings))

    def _wrist_signer(self) -> None:
        """The signing avatar follows the right controller, above the wrist and facing the citizen."""
        wanted = self.visit.sign_avatar_wanted
        if wanted and self.sign_panel is None and not self._no_signer:
            self.sign_panel = sign_panel(self.base)
            self._no_signer = self.sign_panel is None  # none can be made here: the captions remain
            if self.sign_panel is not None:
                self._attach_signer()
        if self.sign_panel is not None:
            for text in self.visit.to_sign:
                self.sign_panel.sign(text)
            self.signer.show() if wanted else self.signer.hide()
        self.visit.to_sign.clear()

    def _attach_signer(self) -> None:
        self.sign_panel.card.hide()  # drawn on the wrist, not on the mirror's corner
        maker = CardMaker("wrist-signer")
        maker.setFrame(-0.5, 0.5, 0, 1)
        self.signer = self.vr.hands["right"].attachNewNode(maker.generate())
        self.signer.setTexture(self.sign_panel.stage.view.texture)
        self.signer.setPos(0, 0.02, 0.06)
        self.signer.setScale(0.14)
        self.signer.setTwoSided(True)
        self.signer.setLightOff(1)
        self.signer.setShaderOff(1)

    def _prepare(self, task):
        dt = min(self.base.clock.getDt(), 0.1)
        drawing = self.vr.prepare(dt)
        if not self.vr.running:
            self.visit.ended = self.lost is None  # lost: the visit goes on on the desktop
            return task.done
        if self.vr.active:
            self.visit.stir()
        self.visit.step(dt)
        self._wrist_signer()
        self._show(self.captions, self.visit.captions.text)
        shown = self.visit.alerts.shown
        self._show(self.alert, i18n.pick(shown["text"]) if shown is not None else "")
        if not drawing and not self.session.running:
            time.sleep(IDLE_SLEEP)  # the runtime paces a running session; before and after, poll gently
        return task.cont

    def _submit(self, task):
        self.vr.submit()
        return task.cont

    @property
    def lost(self) -> str | None:
        """Why the headset went away mid-visit (the runtime's instance or session was lost), else None."""
        return None if self.vr.running else getattr(self.session, "lost", None)

    def close(self) -> None:
        """Leaves the headset cleanly whatever state it is in (the window closed, a signal, the runtime
        quit or was lost), and gives the window back to the desktop's camera."""
        self.base.taskMgr.remove("metaseoul-headset-prepare")
        self.base.taskMgr.remove("metaseoul-headset-submit")
        self.visit.preferences.listeners.remove(self.apply_settings)
        for node in (self.mirror, self.captions, self.alert):
            node.removeNode()
        if self.sign_panel is not None:
            self.sign_panel.close()
        self.vr.close()
        self.session.close()
        for region in self.scene_regions:
            region.setActive(True)
