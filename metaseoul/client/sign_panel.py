"""The signing avatar in a corner of the client (picture in picture): it signs announcements,
alerts and the name of each place one arrives at, with the current gloss or letter written under it.
Its size and corner follow the settings; its buffer renders only while it moves."""

from __future__ import annotations

import logging

from direct.gui.OnscreenText import OnscreenText
from panda3d.core import CardMaker, NodePath, TextNode

from metaseoul.accessibility import lexicon as lexicons
from metaseoul.accessibility.hangul import is_syllable
from metaseoul.accessibility.sign_frames import SigningStage
from metaseoul.accessibility.signing import Performance, perform
from metaseoul.errors import SetupProblem
from metaseoul.scenes.builders.text import font

log = logging.getLogger(__name__)
SIZES = {"small": 0.45, "medium": 0.65, "large": 0.9}  # panel height in screen units (the screen is 2 high)
PIXELS = 320


class SignPanel:
    def __init__(self, base):
        self.base = base
        self.stage = SigningStage(base, (PIXELS, PIXELS), to_ram=False)
        self.lexicon = lexicons.load()
        card = CardMaker("signer-panel")
        card.setFrame(0, 1, 0, 1)
        self.card = NodePath(card.generate())
        self.card.setTexture(self.stage.view.texture)
        self.gloss = OnscreenText(text="", scale=0.05, font=font(), fg=(1, 1, 1, 1), bg=(0, 0, 0, 0.7),
                                  align=TextNode.ACenter, mayChange=True)
        self.performance: Performance | None = None
        self.elapsed = 0.0
        self.visible = False
        self.place("medium", "bottom-right")
        self._still()
        base.taskMgr.add(self._play, "metaseoul-sign-panel")

    def place(self, size: str, corner: str) -> None:
        height = SIZES.get(size, SIZES["medium"])
        vertical, horizontal = corner.split("-")
        parent = getattr(self.base, f"a2d{vertical.title()}{horizontal.title()}")
        x = -height - 0.03 if horizontal == "right" else 0.03
        z = 0.1 if vertical == "bottom" else -height - 0.03
        self.card.reparentTo(parent)
        self.card.setPos(x, 0, z)
        self.card.setScale(height)
        self.gloss.reparentTo(parent)
        self.gloss.setPos(x + height / 2, z - 0.06)
        self.show(self.visible)

    def show(self, on: bool) -> None:
        self.visible = on
        for node in (self.card, self.gloss):
            node.show() if on else node.hide()

    def sign(self, text: str) -> Performance:
        """Start signing ``text`` (Korean, or English when it has no Hangul)."""
        language = "ko" if any(is_syllable(c) for c in text) else "en"
        self.performance = perform(text, self.lexicon, language)
        self.elapsed = 0.0
        self.stage.view.buffer.setActive(True)
        return self.performance

    @property
    def signing(self) -> bool:
        return self.performance is not None

    def _play(self, task):
        if self.performance is None:
            return task.cont
        self.elapsed += min(self.base.clock.getDt(), 0.1)
        self.stage.avatar.apply(self.performance.pose(self.elapsed))
        now = next((i for i in self.performance.items if i.start <= self.elapsed < i.end + 0.2), None)
        text = f"{now.label} · {now.word}" if now else ""
        if self.gloss.getText() != text:  # new text is laid out again: only when the gloss changes
            self.gloss.setText(text)
        if self.elapsed > self.performance.duration:
            self.performance = None
            self.gloss.setText("")
            self._still()
        return task.cont

    def _still(self) -> None:
        """Render the resting pose once more, then stop rendering until the next sign."""
        self.base.taskMgr.doMethodLater(0.1, lambda task: self.stage.view.buffer.setActive(self.signing),
                                        "metaseoul-sign-panel-rest")

    def close(self) -> None:
        self.base.taskMgr.remove("metaseoul-sign-panel")
        self.card.removeNode()
        self.gloss.destroy()
        self.stage.close()


def sign_panel(base) -> SignPanel | None:
    """A signing avatar's panel, or None where one cannot be made here (the captions remain)."""
    try:
        return SignPanel(base)
    except SetupProblem as exc:
        log.warning("no signing avatar: %s", exc)
        return None
