"""On-screen touch controls for the kiosk: hold an arrow to walk or turn, tap a command or the menu
(which holds Quit). Every button is at least 15 mm across on the kiosk's screen, large enough for a
standing adult's thumb."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame
from panda3d.core import ConfigVariableDouble, TextNode

from metaseoul.client.controls import Controls
from metaseoul.i18n import _
from metaseoul.scenes.builders.text import font
from metaseoul.visit.commands import Commands

SCREEN_DPI = ConfigVariableDouble("metaseoul-screen-dpi", 96.0,
                                  "Dots per inch of the kiosk's screen, to size the touch buttons in millimetres.")
THUMB_MM = 15.0
PAD = (0.25, 0.25, 0.3, 0.3)  # (r, g, b, a) behind the arrows
ARROWS = (("forward", "▲", (0, 1)), ("back", "▼", (0, -1)), ("turn-left", "◀", (-1, 0)), ("turn-right", "▶", (1, 0)))


def button_size(window_height: int, dpi: float | None = None) -> float:
    """A button's side in screen units (the window is 2 units high): 15 mm, and never tiny."""
    pixels = THUMB_MM / 25.4 * (dpi or SCREEN_DPI.getValue())
    return max(0.16, 2 * pixels / max(1, window_height))


def text_scale(text: str, width: float, height: float) -> float:
    """The largest text that fits a button of ``width`` by ``height`` (long labels, other languages)."""
    measure = TextNode("measure")
    measure.setFont(font())
    wide = measure.calcWidth(text)
    return min(height * 0.4, width * 0.9 / wide) if wide else height * 0.4


class TouchControls:
    def __init__(self, base, controls: Controls, commands: Commands, run: Callable[[str], None],
                 on_menu: Callable[[], None]):
        self.base, self.controls, self.commands, self.run, self.on_menu = base, controls, commands, run, on_menu
        self.size = button_size(base.win.getYSize())
        self.pad = DirectFrame(parent=base.a2dBottomLeft, frameColor=PAD, pos=(1.6 * self.size, 0, 1.6 * self.size),
                               frameSize=(-1.6 * self.size, 1.6 * self.size, -1.6 * self.size, 1.6 * self.size))
        self.arrows = {action: self._arrow(action, text, offset) for action, text, offset in ARROWS}
        self.buttons: list[DirectButton] = []

    def _arrow(self, action: str, text: str, offset: tuple[int, int]) -> DirectButton:
        """Walks or turns while held: pressed starts, released (or the finger sliding off) stops."""
        half = self.size / 2
        button = DirectButton(parent=self.pad, text=text, text_font=font(), text_scale=self.size * 0.6,
                              text_pos=(0, -self.size * 0.2), frameSize=(-half, half, -half, half),
                              pos=(offset[0] * self.size * 1.05, 0, offset[1] * self.size * 1.05),
                              frameColor=(0.15, 0.17, 0.2, 0.9), text_fg=(1, 1, 1, 1), relief=DGG.FLAT)
        button.bind(DGG.B1PRESS, lambda _event: self.controls.hold(action, True))
        button.bind(DGG.B1RELEASE, lambda _event: self.controls.hold(action, False))
        button.bind(DGG.EXIT, lambda _event: self.controls.hold(action, False))
        return button

    @property
    def labels(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    def relabel(self) -> None:
        """Lay the buttons out (again: a command was registered, or the language changed): the menu
        first, then each command, in columns from the right edge down as far as the window reaches."""
        for button in self.buttons:
            button.destroy()
        entries = [(_("Menu"), self.on_menu, [])] + [(c.title, self.run, [c.id]) for c in self.commands]
        side, gap, width = self.size, 0.02, 3.2 * self.size
        per_column = max(1, int((2 - 0.06) // (side + gap)))
        self.buttons = []
        for i, (label, command, args) in enumerate(entries):
            column, row = divmod(i, per_column)
            self.buttons.append(DirectButton(
                parent=self.base.a2dTopRight, text=label, text_font=font(), frameSize=(-width, 0, -side / 2, side / 2),
                text_scale=text_scale(label, width, side), text_pos=(-width / 2, -side * 0.15),
                pos=(-0.03 - column * (width + gap), 0, -side / 2 - 0.03 - row * (side + gap)),
                frameColor=(0.15, 0.17, 0.2, 0.9), text_fg=(1, 1, 1, 1), relief=DGG.FLAT, command=command,
                extraArgs=args))

    def destroy(self) -> None:
        for button in self.buttons:
            button.destroy()
        self.pad.destroy()
