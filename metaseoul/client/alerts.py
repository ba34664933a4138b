"""Emergency alerts on the desktop: a banner with the message in Korean and English, signed by the
avatar, a border that flashes at most three times a second (twice; steady with reduced motion, per
WCAG's three-flashes rule), an alarm sound, and it stays until the citizen dismisses it (the
dismiss key, Enter by default, or the button). Alerts that arrive meanwhile wait their turn."""

from __future__ import annotations

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from panda3d.core import TextNode

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.scenes.builders.text import font
from metaseoul.visit.alerts import AlertQueue

FLASH_HZ = 2.0  # flashes a second; never more than 3
BRIGHT, DIM = (0.9, 0.1, 0.1, 1), (0.35, 0.05, 0.05, 1)


def flash_on(elapsed: float, reduced_motion: bool = False) -> bool:
    """Whether the border is bright ``elapsed`` seconds after the alert appeared."""
    return reduced_motion or int(elapsed * 2 * FLASH_HZ) % 2 == 0


class AlertPanel:
    """Draws the visit's alert queue (visit/alerts.py): the shown alert in both languages, its border."""

    def __init__(self, base, alerts: AlertQueue):
        self.alerts = alerts
        self.reduced_motion = False
        self._drawn: dict | None = None
        self.border = DirectFrame(parent=base.aspect2d, frameColor=BRIGHT, frameSize=(-1.25, 1.25, -0.3, 0.3),
                                  pos=(0, 0, 0.55))
        self.inner = DirectFrame(parent=self.border, frameColor=(0.08, 0.08, 0.1, 0.96),
                                 frameSize=(-1.21, 1.21, -0.26, 0.26))
        self.title = OnscreenText(parent=self.inner, text="", pos=(0, 0.15), scale=0.065, font=font(),
                                  fg=(1, 0.85, 0.2, 1), align=TextNode.ACenter, mayChange=True)
        self.message = OnscreenText(parent=self.inner, text="", pos=(0, 0.04), scale=0.06, font=font(),
                                    fg=(1, 1, 1, 1), align=TextNode.ACenter, wordwrap=38, mayChange=True)
        self.button = DirectButton(parent=self.inner, text=_("OK (Enter)"), text_font=font(), scale=0.055,
                                   pos=(0, 0, -0.2), frameColor=(0.85, 0.85, 0.85, 1), relief=DGG.FLAT,
                                   pad=(0.6, 0.3), command=alerts.dismiss)
        self.border.hide()

    def update(self) -> None:
        """Follow the queue: a new alert is laid out, none hides the panel, the border flashes."""
        shown = self.alerts.shown
        if shown is not self._drawn:
            self._drawn = shown
            if shown is None:
                self.border.hide()
                return
            mine = i18n.pick(shown["text"])
            other = shown["text"]["en" if mine == shown["text"]["ko"] else "ko"]
            emergency = shown.get("level") == "emergency"
            self.title.setText(_("Emergency alert") if emergency else _("Announcement"))
            self.message.setText(f"{mine}\n{other}")
            self.border.show()
        if shown is not None:
            steady = self.reduced_motion or shown.get("level") != "emergency"
            color = BRIGHT if flash_on(self.alerts.shown_for, steady) else DIM
            if self.border["frameColor"] != color:  # a new colour rebuilds the frame: only when it changes
                self.border["frameColor"] = color

    def destroy(self) -> None:
        self.border.destroy()
