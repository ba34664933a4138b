"""Emergency alerts in the client: a banner with the message in Korean and English, signed by the
avatar, a border that flashes at most three times a second (twice; steady with reduced motion, per
WCAG's three-flashes rule), an alarm sound, and it stays until the citizen dismisses it (the
dismiss key, Enter by default, or the button). Alerts that arrive meanwhile wait their turn."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from panda3d.core import TextNode

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.scenes.builders.text import font

FLASH_HZ = 2.0  # flashes a second; never more than 3
BRIGHT, DIM = (0.9, 0.1, 0.1, 1), (0.35, 0.05, 0.05, 1)


def flash_on(elapsed: float, reduced_motion: bool = False) -> bool:
    """Whether the border is bright ``elapsed`` seconds after the alert appeared."""
    return reduced_motion or int(elapsed * 2 * FLASH_HZ) % 2 == 0


class AlertPanel:
    def __init__(self, base, on_show: Callable[[dict], None] | None = None, on_clear: Callable[[], None] | None = None):
        self.base = base
        self.on_show = on_show  # sound and signing start here (the client's audio and sign panel)
        self.on_clear = on_clear  # the last alert was dismissed
        self.reduced_motion = False
        self.queue: list[dict] = []
        self.seen: set[str] = set()  # the backend repeats active alerts to newcomers (each portal): once is enough
        self.elapsed = 0.0
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
                                   pad=(0.6, 0.3), command=self.dismiss)
        self.border.hide()
        base.taskMgr.add(self._flash, "metaseoul-alert-flash")

    @property
    def shown(self) -> dict | None:
        return self.queue[0] if self.queue else None

    def show(self, alert: dict) -> None:
        """Add an announcement (``level`` emergency or info, ``text`` {ko, en}) to the queue."""
        if alert.get("id") is not None:
            if alert["id"] in self.seen:
                return
            self.seen.add(alert["id"])
        self.queue.append(alert)
        if len(self.queue) == 1:
            self._present()

    def dismiss(self) -> None:
        if self.queue:
            self.queue.pop(0)
        if self.queue:
            self._present()
        else:
            self.border.hide()
            if self.on_clear is not None:
                self.on_clear()

    def _present(self) -> None:
        alert = self.queue[0]
        mine = i18n.pick(alert["text"])
        other = alert["text"]["en" if mine == alert["text"]["ko"] else "ko"]
        emergency = alert.get("level") == "emergency"
        self.title.setText(_("Emergency alert") if emergency else _("Announcement"))
        self.message.setText(f"{mine}\n{other}")
        self.elapsed = 0.0
        self.border.show()
        if self.on_show is not None:
            self.on_show(alert)

    def _flash(self, task):
        if self.shown is not None:
            self.elapsed += self.base.clock.getDt()
            steady = self.reduced_motion or self.shown.get("level") != "emergency"
            color = BRIGHT if flash_on(self.elapsed, steady) else DIM
            if self.border["frameColor"] != color:  # a new colour rebuilds the frame: only when it changes
                self.border["frameColor"] = color
        return task.cont
