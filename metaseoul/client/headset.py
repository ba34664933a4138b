"""A visit in a VR headset, with the desktop window as its mirror.

The headset visit (``xr/visit.py``) rides on a desktop client's scene and walker, so everything the
desktop client does goes on as it is: portals, spoken descriptions, guidance and its beacon, alerts,
captions, the signing avatar, live settings and the city link. The wrist menu carries every one of
its keyboard commands; captions and alerts stay in view, and the signing avatar rides on the right
wrist. The window shows what the left
eye sees, with the desktop's captions, alerts and signing avatar over it, for a companion or a kiosk
attendant watching.
"""

from __future__ import annotations

import time
from pathlib import Path

from panda3d.core import CardMaker, NodePath, TextNode

from metaseoul import i18n

from metaseoul.client.app import DesktopClient
from metaseoul.scenes.builders.text import font
from metaseoul.client.city import CityLink
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
        self.base, self.session = base, session
        self.desktop = DesktopClient(base, scene, spawn, city=city, settings_path=settings_path)
        self.visit = VRVisit(base, session, self.desktop.world, self.desktop.walker,
                             comfort=comfort(self.desktop.settings), commands=self.desktop.commands.handlers)
        self._settings = self.desktop.settings  # the settings the comfort choices came from
        self._mirror()
        self.signer: NodePath | None = None  # the signing avatar on the right wrist, once it is first used
        # what the desktop shows on its 2D HUD, in the headset: captions below the gaze, alerts above it
        self.captions = self._head_text(-0.4, (1, 1, 1, 1))
        self.alert = self._head_text(0.3, (1, 0.85, 0.2, 1))
        self.desktop.hud.captions.hide()  # the mirror shows the eye's, with these captions in it
        # posed before Panda3D's render loop (igLoop, sort 50) draws the eyes, handed over after it
        base.taskMgr.add(self._prepare, "metaseoul-headset-prepare", sort=49)
        base.taskMgr.add(self._submit, "metaseoul-headset-submit", sort=51)
        base.finalExitCallbacks.append(self.close)

    def _mirror(self) -> None:
        """The window shows the left eye (letterboxed) instead of drawing the scene a third time."""
        for region in self.base.win.getDisplayRegions():
            if region.getCamera() == self.base.cam:
                region.setActive(False)
        self.base.win.setClearColor((0, 0, 0, 1))  # black bars beside the eye's image
        self.base.win.setClearColorActive(True)
        width, height = self.session.eye_size
        maker = CardMaker("headset-mirror")
        maker.setFrame(-width / height, width / height, -1, 1)
        self.mirror = self.base.aspect2d.attachNewNode(maker.generate())
        self.mirror.setTexture(self.visit.eyes["left"].texture)
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
        node = self.visit.head.attachNewNode(text)
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

    def _wrist_signer(self) -> None:
        """The signing avatar follows the right controller, above the wrist and facing the citizen."""
        panel = self.desktop.sign_panel
        if panel is None:
            return
        if self.signer is None:
            maker = CardMaker("wrist-signer")
            maker.setFrame(-0.5, 0.5, 0, 1)
            self.signer = self.visit.hands["right"].attachNewNode(maker.generate())
            self.signer.setTexture(panel.stage.view.texture)
            self.signer.setPos(0, 0.02, 0.06)
            self.signer.setScale(0.14)
            self.signer.setTwoSided(True)
            self.signer.setLightOff(1)
            self.signer.setShaderOff(1)
        self.signer.show() if panel.visible else self.signer.hide()

    def _prepare(self, task):
        drawing = self.visit.prepare(min(self.base.clock.getDt(), 0.1))
        if not self.visit.running:
            self.base.userExit()
            return task.done
        if self.desktop.settings is not self._settings:  # saved in the launcher meanwhile: applied live
            self._settings = self.desktop.settings
            self.visit.configure(comfort(self._settings))
        self._wrist_signer()
        self._show(self.captions, self.desktop.hud.captions.getText())
        shown = self.desktop.alerts.shown
        self._show(self.alert, i18n.pick(shown["text"]) if shown is not None else "")
        if not drawing and not self.session.running:
            time.sleep(IDLE_SLEEP)  # the runtime paces a running session; before and after, poll gently
        return task.cont

    def _submit(self, task):
        self.visit.submit()
        return task.cont

    def close(self) -> None:
        """Leaves the headset cleanly whatever state it is in (the window closed, Ctrl+C, the runtime quit)."""
        self.visit.close()
        self.session.close()
