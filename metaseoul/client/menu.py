"""On-screen text for the desktop client: the Esc menu and the heads-up display."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectButton, DirectFrame, OnscreenText
from direct.showbase.DirectObject import DirectObject
from panda3d.core import TextNode

from metaseoul import i18n
from metaseoul.client.keymap import MENU, label
from metaseoul.i18n import _
from metaseoul.scenes.builders.text import font

FOCUS_COLOR = (0.31, 0.56, 0.8, 1)  # byeokcheong blue
CAPTION_COLORS = {"white-on-black": ((1, 1, 1, 1), (0, 0, 0, 0.75)),
                  "yellow-on-black": ((1, 0.9, 0.2, 1), (0, 0, 0, 0.8)),
                  "black-on-white": ((0, 0, 0, 1), (1, 1, 1, 0.9))}
BUTTON_COLOR = (0.15, 0.17, 0.2, 1)


class Menu(DirectObject):
    """Esc menu: Resume and Quit, by mouse or keyboard (menu-up, menu-down and menu-select in the
    keymap: arrows and Enter unless remapped).

    Its own DirectObject, so the keys it takes while open are given back to walking after.
    """

    def __init__(self, base, on_resume: Callable[[], None], on_quit: Callable[[], None]):
        super().__init__()
        self.base = base
        self.frame = DirectFrame(frameColor=(0, 0, 0, 0.6), frameSize=(-2, 2, -1, 1))
        self.title = OnscreenText(parent=self.frame, text="", pos=(0, 0.35), scale=0.09, font=font(),
                                  fg=(1, 1, 1, 1), align=TextNode.ACenter)
        self.buttons = [
            self._button(_("Resume"), 0.1, on_resume),
            self._button(_("Quit"), -0.12, on_quit),
        ]
        self.focus = 0
        self.keys = {action: list(keys) for action, keys in MENU.items()}  # the client sets the remapped ones
        self.frame.hide()

    def _button(self, label: str, z: float, command) -> DirectButton:
        return DirectButton(parent=self.frame, text=label, text_font=font(), scale=0.075, pos=(0, 0, z),
                            frameSize=(-4, 4, -0.7, 1.1), frameColor=BUTTON_COLOR, text_fg=(1, 1, 1, 1),
                            relief=DGG.FLAT, command=command)

    @property
    def shown(self) -> bool:
        return not self.frame.isHidden()

    def show(self, title: str) -> None:
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


class Hud:
    """The scene's name and the key hint in the top-left corner; short notices in the middle."""

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
        name = lambda action: "/".join(dict.fromkeys(label(k) for k in keys.get(action, [])[:2])) or "-"  # noqa: E731
        self.hint.setText(_("{menu}: menu · {walk}: walk · {run}: run · {jump}: jump · {where}: where am I · "
                            "{around}: around · {ahead}: ahead · {guide}: guide me").format(
            menu=name("menu"), walk=name("forward"), run=name("run"), jump=name("jump"), where=name("where"),
            around=name("around"), ahead=name("ahead"), guide=name("guide")))

    def set_place(self, name: dict[str, str]) -> None:
        self.place.setText(i18n.pick(name))

    def caption(self, text: str, seconds: float) -> None:
        """Captions for what is being said, white on black at the bottom, until they are read."""
        self.captions.setText(text)
        self._base.taskMgr.remove("hud-caption")
        self._base.taskMgr.doMethodLater(seconds, lambda task: self.captions.setText(""), "hud-caption")

    def announce(self, text: str, seconds: float = 3.0) -> None:
        self.notice.setText(text)
        self._base.taskMgr.remove("hud-notice")
        self._base.taskMgr.doMethodLater(seconds, lambda task: self.notice.setText(""), "hud-notice")
