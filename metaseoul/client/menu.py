"""On-screen text for the desktop client: the Esc menu and the heads-up display."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from direct.showbase.DirectObject import DirectObject
from panda3d.core import TextNode

from metaseoul import i18n
from metaseoul.i18n import _
from metaseoul.scenes.builders.text import font
from metaseoul.visit.commands import Commands
from metaseoul.visit.keys import MENU, label
from metaseoul.visit.texts import TimedText

FOCUS_COLOR = (0.31, 0.56, 0.8, 1)  # byeokcheong blue
CAPTION_COLORS = {"white-on-black": ((1, 1, 1, 1), (0, 0, 0, 0.75)),
                  "yellow-on-black": ((1, 0.9, 0.2, 1), (0, 0, 0, 0.8)),
                  "black-on-white": ((0, 0, 0, 1), (1, 1, 1, 0.9))}
BUTTON_COLOR = (0.15, 0.17, 0.2, 1)
ROW = 0.12  # screen units between buttons


class Menu(DirectObject):
    """Esc menu: Resume, every command of the visit, Quit; by mouse or keyboard (menu-up, menu-down
    and menu-select in the keymap: arrows and Enter unless remapped). Laid out each time it opens, so
    it lists the commands registered now, in the language chosen now.

    Its own DirectObject, so the keys it takes while open are given back to walking after.
    """

    def __init__(self, base, commands: Commands, run: Callable[[str], None], on_resume: Callable[[], None],
                 on_quit: Callable[[], None]):
        super().__init__()
        self.base, self.commands, self.run = base, commands, run
        self.on_resume, self.on_quit = on_resume, on_quit
        self.frame = DirectFrame(frameColor=(0, 0, 0, 0.6), frameSize=(-2, 2, -1, 1))
        self.title = OnscreenText(parent=self.frame, text="", scale=0.08, font=font(),
                                  fg=(1, 1, 1, 1), align=TextNode.ACenter, mayChange=True)
        self.buttons: list[DirectButton] = []
        self.focus = 0
        self.keys = {action: list(keys) for action, keys in MENU.items()}  # the client sets the remapped ones
        self.frame.hide()

    @property
    def shown(self) -> bool:
        return not self.frame.isHidden()

    @property
    def labels(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    def _lay_out(self) -> None:
        for button in self.buttons:
            button.destroy()
        entries = [(_("Resume"), self.on_resume)]
        entries += [(c.title, lambda ident=c.id: self._chosen(ident)) for c in self.commands]
        entries.append((_("Quit"), self.on_quit))
        top = ROW * (len(entries) - 1) / 2
        self.title.setPos(0, top + 0.14)
        self.buttons = [self._button(text, top - i * ROW, command) for i, (text, command) in enumerate(entries)]

    def _chosen(self, ident: str) -> None:
        self.on_resume()
        self.run(ident)

    def _button(self, text: str, z: float, command) -> DirectButton:
        return DirectButton(parent=self.frame, text=text, text_font=font(), scale=0.055, pos=(0, 0, z),
                            frameSize=(-7, 7, -0.6, 1.1), frameColor=BUTTON_COLOR, text_fg=(1, 1, 1, 1),
                            relief=DGG.FLAT, command=command)

    def show(self, title: str) -> None:
        self._lay_out()
        self.title.setText(title)
        self.frame.show()
        self._highlight(0)
        for action, handler, args in (("menu-down", self._move, [1]), ("menu-up", self._move, [-1]),
                                      ("menu-select", self._activate, [])):
            for key in self.keys.get(action, []):
                self.accept(key, handler, args)

    def hide(self) -> None:
        self.frame.hide()
        self.ignoreAll()

    def _move(self, delta: int) -> None:
        self._highlight((self.focus + delta) % len(self.buttons))

    def _highlight(self, index: int) -> None:
        self.focus = index
        for i, button in enumerate(self.buttons):
            button["frameColor"] = FOCUS_COLOR if i == index else BUTTON_COLOR

    def _activate(self) -> None:
        self.buttons[self.focus].commandFunc(None)

    def destroy(self) -> None:
        self.hide()
        self.frame.destroy()


class Hud:
    """The scene's name and the key hint in the top-left corner, short notices in the middle, captions
    at the bottom, and the frame rate in the top-right corner when the citizen asks for it."""

    def __init__(self, base):
        self.place = OnscreenText(parent=base.a2dTopLeft, text="", pos=(0.05, -0.1), scale=0.06, font=font(),
                                  fg=(1, 1, 1, 1), shadow=(0, 0, 0, 0.8), align=TextNode.ALeft, mayChange=True)
        self.hint = OnscreenText(parent=base.a2dTopLeft, text="", mayChange=True,
                                 pos=(0.05, -0.17), scale=0.04, font=font(), fg=(1, 1, 1, 0.9),
                                 shadow=(0, 0, 0, 0.8), align=TextNode.ALeft)
        self.notice = OnscreenText(text="", pos=(0, 0.3), scale=0.07, font=font(), fg=(1, 1, 1, 1),
                                   shadow=(0, 0, 0, 0.8), mayChange=True)
        self.captions = OnscreenText(parent=base.a2dBottomCenter, text="", pos=(0, 0.35), scale=0.055, font=font(),
                                     fg=(1, 1, 1, 1), bg=(0, 0, 0, 0.75), mayChange=True)
        self.fps = OnscreenText(parent=base.a2dTopRight, text="", pos=(-0.05, -0.1), scale=0.05, font=font(),
                                fg=(1, 1, 1, 1), bg=(0, 0, 0, 0.6), align=TextNode.ARight, mayChange=True)
        self.show_fps = False
        self._base = base

    def apply(self, settings, keys: dict[str, list[str]]) -> None:
        """Caption size and colours, text size and contrast from the settings; the key hint from the keymap."""
        scale = 1.35 if settings.large_text else 1.0
        size = {"normal": 0.055, "large": 0.075, "huge": 0.1}[settings.caption_size]
        fg, bg = CAPTION_COLORS[settings.caption_colors]
        self.captions.setScale(size)
        self.captions.setFg(fg)
        self.captions.setBg((*bg[:3], 1.0) if settings.high_contrast else bg)
        self.place.setScale(0.06 * scale)
        self.notice.setScale(0.07 * scale)
        self.hint.setScale(0.04 * scale)
        self.hint.setPos(0.05, -0.1 - 0.07 * scale)
        self.place.setBg((0, 0, 0, 0.85) if settings.high_contrast else (0, 0, 0, 0))
        self.hint.setBg((0, 0, 0, 0.85) if settings.high_contrast else (0, 0, 0, 0))
        self.show_fps = settings.show_fps
        self.fps.setText("")
        name = lambda action: "/".join(dict.fromkeys(label(k) for k in keys.get(action, [])[:2])) or "-"  # noqa: E731
        self.hint.setText(_("{menu}: menu · {walk}: walk · {run}: run · {jump}: jump · {where}: where am I · "
                            "{around}: around · {ahead}: ahead · {guide}: guide me").format(
            menu=name("menu"), walk=name("forward"), run=name("run"), jump=name("jump"), where=name("where"),
            around=name("around"), ahead=name("ahead"), guide=name("guide")))

    def update(self, place: dict[str, str], captions: TimedText, notice: TimedText) -> None:
        """Show what the visit says now; text is laid out again only when it changes."""
        for node, text in ((self.place, i18n.pick(place)), (self.captions, captions.text), (self.notice, notice.text)):
            if node.getText() != text:
                node.setText(text)
        if self.show_fps:
            rate = f"{self._base.clock.getAverageFrameRate():.0f} fps"
            if self.fps.getText() != rate:
                self.fps.setText(rate)

    def destroy(self) -> None:
        for text in (self.place, self.hint, self.notice, self.captions, self.fps):
            text.destroy()
