"""What a builder is given besides the mesh: material choices, assets, fonts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from panda3d.core import NodePath


@dataclass(frozen=True)
class BuildContext:
    """Per-object services: ``material`` resolves a slot; ``text`` and ``model`` make attachments."""

    obj: dict
    asset: Callable[[str], Path]
    text: Callable[..., NodePath]

    def material(self, slot: str, default: str) -> str:
        """The material for a named slot: the object's ``materials[slot]``, its ``material``, or the default."""
        if slot in self.obj.get("materials", {}):
            return self.obj["materials"][slot]
        if slot == "main" and "material" in self.obj:
            return self.obj["material"]
        return default


class BuildError(Exception):
    """An object that cannot be built (say, an unreadable model); the loader adds where it is."""
