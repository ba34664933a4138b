"""World-space panels for VR: what the desktop shows on the 2D HUD and in the Esc menu appears on a
panel in the scene (on the wrist, or in front of the citizen), and a controller's aim ray points at
its rows; select activates the row pointed at. Every desktop command has a row, so nothing needs a
keyboard in VR. The rows are laid out when the panel is made, so in the language chosen then.

The panel is drawn once per change into its own texture by an orthographic camera, and shown on a
card in the world; pointing is plain geometry (a ray against the card's plane).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from panda3d.core import CardMaker, NodePath, OrthographicLens, Point3, TextNode, Vec3

from metaseoul.i18n import _
from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.scenes.builders.text import font
from metaseoul.visit.commands import Commands

ROW_COLOR, HOVER_COLOR, BACKGROUND = (0.15, 0.17, 0.2, 1), (0.31, 0.56, 0.8, 1), (0.05, 0.06, 0.08, 0.95)
PIXELS_PER_ROW = 64


@dataclass(frozen=True)
class Row:
    label: str
    action: Callable[[], None]


class WorldPanel:
    def __init__(self, base, parent: NodePath, rows: list[Row], width: float = 0.32, row_height: float = 0.05):
        """A panel ``width`` metres wide, one row ``row_height`` metres tall per entry, in ``parent``'s
        frame: x across, z up, facing -y (towards whoever looks at it from the front)."""
        self.rows = rows
        self.width, self.height = width, row_height * len(rows)
        self.hovered: int | None = None
        self.canvas = NodePath("panel-canvas")
        lens = OrthographicLens()
        lens.setFilmSize(1, len(rows))
        lens.setNearFar(-10, 10)
        pixels = (int(PIXELS_PER_ROW * width / row_height), PIXELS_PER_ROW * len(rows))
        self.view = OffscreenView(base, self.canvas, pixels, name="vr-panel", lens=lens, to_ram=True)
        self.view.camera.setPos(0.5, -5, len(rows) / 2)
        self.view.buffer.setClearColor(BACKGROUND)
        self.cards = []
        for i, row in enumerate(rows):
            maker = CardMaker(f"row-{i}")
            maker.setFrame(0.03, 0.97, 0.08, 0.92)
            card = self.canvas.attachNewNode(maker.generate())
            card.setZ(len(rows) - 1 - i)
            card.setColor(ROW_COLOR)
            text = TextNode(f"label-{i}")
            text.setText(row.label)
            text.setFont(font())
            text.setAlign(TextNode.ACenter)
            label = card.attachNewNode(text)
            label.setColor((1, 1, 1, 1), 1)  # over the row's own colour
            label.setPos(0.5, -0.01, 0.33)
            # a row is one unit tall (PIXELS_PER_ROW pixels) and the panel one unit wide: square letters
            label.setScale(0.42 * PIXELS_PER_ROW / pixels[0], 1, 0.42)
            self.cards.append(card)
        maker = CardMaker("vr-panel")
        maker.setFrame(0, width, 0, self.height)
        self.card = parent.attachNewNode(maker.generate())
        self.card.setTexture(self.view.texture)
        self.card.setTwoSided(True)
        self.card.setLightOff(1)
        self.card.setShaderOff(1)
        self.redraw()

    def redraw(self) -> None:
        """The rows change (the hovered one lights up): the panel's buffer draws in the coming frame only,
        along with everything else, instead of every frame or a frame of its own."""
        for i, card in enumerate(self.cards):
            card.setColor(HOVER_COLOR if i == self.hovered else ROW_COLOR)
        self.view.buffer.setActive(True)
        self.view.buffer.setOneShot(True)

    def point(self, origin: Point3, direction: Vec3, frame: NodePath) -> int | None:
        """The row a ray (in ``frame``'s coordinates) points at, highlighted; None when it misses."""
        o = self.card.getRelativePoint(frame, origin)
        d = self.card.getRelativeVector(frame, direction)
        hit = None
        if abs(d.y) > 1e-6:
            t = -o.y / d.y
            if t > 0:
                p = o + d * t
                if 0 <= p.x <= self.width and 0 <= p.z < self.height:
                    hit = int((self.height - p.z) / self.height * len(self.rows))
        if hit != self.hovered:
            self.hovered = hit
            self.redraw()
        return hit

    def select(self) -> bool:
        """Activate the row pointed at; False when nothing is pointed at."""
        if self.hovered is None:
            return False
        self.rows[self.hovered].action()
        return True

    def close(self) -> None:
        self.card.removeNode()
        self.view.close()


def menu_rows(commands: Commands, run: Callable[[str], None], resume: Callable[[], None], quit: Callable[[], None],
              reset_view: Callable[[], None] | None = None) -> list[Row]:
    """The visit's commands as panel rows: Resume, every command, Reset view (in a headset: forward and
    height as one stands or sits now), Quit."""
    rows = [Row(_("Resume"), resume)]
    rows += [Row(command.title, lambda ident=command.id: run(ident)) for command in commands]
    if reset_view is not None:
        rows.append(Row(_("Reset view"), reset_view))
    return rows + [Row(_("Quit"), quit)]
