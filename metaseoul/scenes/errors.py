"""Errors that locate a problem in a scene file (or a sign lexicon, checked the same way)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from metaseoul.errors import InvalidContent, UnknownName

__all__ = ["SceneError", "SceneInvalid", "UnknownName", "json_path", "path_order"]


@dataclass(frozen=True)
class SceneError:
    """One problem: the file, the path to the field (``objects[3].size``) and what was expected."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class SceneInvalid(InvalidContent):
    """A scene that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[SceneError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def json_path(parts) -> str:
    """``['objects', 3, 'size']`` → ``objects[3].size``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def path_order(path: str) -> list:
    """Sort key that puts ``objects[2]`` before ``objects[10]``: document order."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]
