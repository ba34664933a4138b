"""The keys of a visit: walking, the menu, and each command's default keys (visit/commands.py), all
remappable by the citizen (``keys`` in settings.json: action -> list of Panda3D key names such as
``f1``, ``k``, ``arrow_up``). A key given to a remapped action is taken away from the action that had
it, so one key never does two things."""

from __future__ import annotations

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
OPEN_MENU = {"menu": ["escape"]}
MENU = {"menu-up": ["arrow_up"], "menu-down": ["arrow_down"], "menu-select": ["enter"]}  # only while the menu is open


def label(key: str) -> str:
    """A key as people write it: Esc, F1, ↑, Shift, Space, K."""
    names = {"escape": "Esc", "arrow_up": "↑", "arrow_down": "↓", "arrow_left": "←", "arrow_right": "→",
             "shift": "Shift", "lshift": "Shift", "rshift": "Shift", "space": "Space", "enter": "Enter"}
    return names.get(key, key.upper() if len(key) <= 3 else key.replace("_", " ").title())


def keymap(commands: dict[str, list[str]], remapped: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The default keys (walking, the menu, and ``commands``' own) with the citizen's changes;
    unknown actions are ignored."""
    defaults = MOVEMENT | OPEN_MENU | commands | MENU
    chosen = {action: list(keys) for action, keys in (remapped or {}).items() if action in defaults}
    result = {}
    for action, keys in defaults.items():
        # the menu's keys live apart from the others: it takes them only while it is open
        taken = {k for other, ks in chosen.items() if (other in MENU) == (action in MENU) for k in ks}
        result[action] = [k for k in keys if k not in taken]
    return result | chosen
