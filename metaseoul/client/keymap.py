"""Every action of the client and the keys that do it: one table, remappable by the citizen
(``keys`` in settings.json: action -> list of keys, Panda3D key names such as ``f1``, ``k``,
``arrow_up``). A key given to a remapped action is taken away from the action that had it, so one
key never does two things."""

from __future__ import annotations

from collections.abc import Callable

from direct.showbase.DirectObject import DirectObject

from metaseoul.i18n import _

MOVEMENT = {
    "forward": ["w", "arrow_up"],
    "back": ["s", "arrow_down"],
    "left": ["a"],
    "right": ["d"],
    "turn-left": ["arrow_left", "q"],
    "turn-right": ["arrow_right", "e"],
    "run": ["shift", "lshift", "rshift"],
    "jump": ["space"],
}
COMMANDS = {
    "menu": ["escape"],
    "where": ["f1"],  # where am I
    "around": ["f2"],  # what is around me
    "ahead": ["f3"],  # what is ahead
    "guide": ["f4"],  # guide me to the next notable place (again: the one after)
    "stop-guide": ["f5"],
    "captions": ["f6"],  # captions on or off
    "sign-avatar": ["f7"],  # the signing avatar on or off
    "dismiss": ["enter"],  # dismiss an alert
}
MENU = {"menu-up": ["arrow_up"], "menu-down": ["arrow_down"], "menu-select": ["enter"]}  # only while the menu is open
DEFAULT_KEYMAP = MOVEMENT | COMMANDS | MENU


def action_label(action: str) -> str:
    """What a command does, in the citizen's language (for menus, such as the VR panel)."""
    return {"menu": _("Menu"), "where": _("Where am I"), "around": _("What is around"), "ahead": _("What is ahead"),
            "guide": _("Guide me"), "stop-guide": _("Stop guiding"), "captions": _("Captions on or off"),
            "sign-avatar": _("Signing avatar on or off"), "dismiss": _("Dismiss the alert")}[action]


def label(key: str) -> str:
    """A key as people write it: Esc, F1, ↑, Shift, Space, K."""
    names = {"escape": "Esc", "arrow_up": "↑", "arrow_down": "↓", "arrow_left": "←", "arrow_right": "→",
             "shift": "Shift", "lshift": "Shift", "rshift": "Shift", "space": "Space", "enter": "Enter"}
    return names.get(key, key.upper() if len(key) <= 3 else key.replace("_", " ").title())


def keymap(remapped: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The default keys with the citizen's changes; unknown actions are ignored."""
    chosen = {action: list(keys) for action, keys in (remapped or {}).items() if action in DEFAULT_KEYMAP}
    result = {}
    for action, keys in DEFAULT_KEYMAP.items():
        # the menu's keys live apart from the others: it takes them only while it is open
        taken = {k for other, ks in chosen.items() if (other in MENU) == (action in MENU) for k in ks}
        result[action] = [k for k in keys if k not in taken]
    return result | chosen


class KeyBindings(DirectObject):
    """Binds actions to handlers; ``bind`` again to apply a new keymap at once."""

    def __init__(self, handlers: dict[str, Callable[[], None]], release: dict[str, Callable[[], None]] | None = None):
        super().__init__()
        self.handlers, self.release = handlers, release or {}

    def bind(self, keys: dict[str, list[str]]) -> None:
        self.ignoreAll()
        for action, names in keys.items():
            for name in names:
                if action in self.handlers:
                    self.accept(name, self.handlers[action])
                if action in self.release:
                    self.accept(f"{name}-up", self.release[action])
