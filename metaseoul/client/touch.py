"""On-screen touch controls for the kiosk: hold an arrow to walk or turn, tap a command. Every
button is at least 15 mm across on the kiosk's screen, large enough for a standing adult's thumb."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame
from panda3d.core import ConfigVariableDouble

from metaseoul.client.controls import Controls
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


class TouchControls:
    def __init__(self, base, controls: Controls, commands: Commands, run: Callable[[str], None]):
        self.base, self.controls, self.commands, self.run = base, controls, commands, run
        self.size = button_size(base.win.getYSize())
        self.pad = DirectFrame(parent=base.a2dBottomLeft, frameColor=PAD, pos=(1.6 * self.size, 0, 1.6 * self.size),
                               frameSize=(-1.6 * self.size, 1.6 * self.size, -1.6 * self.size, 1.6 * self.size))
        self.arrows = {action: self._arrow(action, text, offset) for action, text, offset in ARROWS}
        self.buttons: list[DirectButton] = []
        self._laid_out = -1

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

    def update(self) -> None:
        """Lay the command buttons out again when a command was registered."""
        if self.commands.changes != self._laid_out:
            self.relabel()

    def relabel(self) -> None:
        """Lay the command buttons out (again: the language may have changed)."""
        self._laid_out = self.commands.changes
        for button in self.buttons:
            button.destroy()
        height = self.size * 0.8
        self.buttons = [
            DirectButton(parent=self.base.a2dTopRight, text=command.title, text_font=font(),
                         text_scale=height * 0.4, text_pos=(-1.6 * self.size, -height * 0.15),
                         frameSize=(-3.2 * self.size, 0, -height / 2, height / 2),
                         pos=(-0.03, 0, -height / 2 - 0.03 - i * (height + 0.02)), frameColor=(0.15, 0.17, 0.2, 0.9),
                         text_fg=(1, 1, 1, 1), relief=DGG.FLAT, command=self.run, extraArgs=[command.id])
            for i, command in enumerate(self.commands)]

    def destroy(self) -> None:
        for button in self.buttons:
            button.destroy()
        self.pad.destroy()
