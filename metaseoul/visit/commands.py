"""The commands a citizen can give in a visit: one registry that every presenter shows (keys on the
desktop, the Esc menu, the headset's wrist menu, the kiosk's touch buttons), so a feature registers
its command once and can be reached everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from metaseoul.i18n import _
from metaseoul.visit.keys import MENU, MOVEMENT, OPEN_MENU

RESERVED = MOVEMENT | OPEN_MENU | MENU  # actions that presenters handle themselves
MENU_ONLY_KEYS = {key for keys in MENU.values() for key in keys}  # the menu takes them only while open


@dataclass(frozen=True)
class Command:
    id: str
    label: str  # English, translated when shown (so a language change re-labels every presenter)
    run: Callable[..., None]  # called with no argument, or with the target when ``needs_target``
    keys: tuple[str, ...] = ()  # default keys (Panda3D names); the citizen may remap them
    needs_target: bool = False  # acts on what the citizen faces or points at (an object, a person)

    @property
    def title(self) -> str:
        return _(self.label)


@dataclass
class Commands:
    """Commands by id, in the order they were registered (the order menus list them in)."""

    _by_id: dict[str, Command] = field(default_factory=dict)
    changes: int = 0  # counts registrations, so a presenter knows when to lay its buttons out again

    def register(self, command: Command) -> Command:
        """Add ``command``; its id must be new and not a walking or menu action, and its default keys
        free, so that one key never does two things (the citizen may still remap any of them)."""
        if command.id in self._by_id or command.id in RESERVED:
            raise ValueError(f"a command or action {command.id!r} exists already")
        taken = {key: owner for owner, keys in (RESERVED | self.default_keys()).items() for key in keys}
        clash = [f"{key} ({taken[key]})" for key in command.keys if key in taken and key not in MENU_ONLY_KEYS]
        if clash:
            raise ValueError(f"the keys of {command.id!r} are taken: {', '.join(clash)}")
        self._by_id[command.id] = command
        self.changes += 1
        return command

    def __iter__(self) -> Iterator[Command]:
        return iter(list(self._by_id.values()))

    def __contains__(self, ident: str) -> bool:
        return ident in self._by_id

    def __getitem__(self, ident: str) -> Command:
        return self._by_id[ident]

    def default_keys(self) -> dict[str, list[str]]:
        return {c.id: list(c.keys) for c in self}
