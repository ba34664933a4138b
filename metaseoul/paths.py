"""Where metaseoul keeps things on this computer: the XDG base directories, in one place.

config: settings.json; data: the built-in backend's database and logs; cache: what can be made
again (launcher thumbnails); state: what is worth keeping between runs but is not a setting (logs).
``METASEOUL_CONFIG_DIR`` and its siblings override each folder, as the tests do. And where metaseoul
itself is, to start it again as a helper process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_XDG = {  # kind -> (metaseoul's override, the XDG variable, the XDG default under $HOME)
    "config": ("METASEOUL_CONFIG_DIR", "XDG_CONFIG_HOME", ".config"),
    "data": ("METASEOUL_DATA_DIR", "XDG_DATA_HOME", ".local/share"),
    "cache": ("METASEOUL_CACHE_DIR", "XDG_CACHE_HOME", ".cache"),
    "state": ("METASEOUL_STATE_DIR", "XDG_STATE_HOME", ".local/state"),
}


def _folder(kind: str) -> Path:
    override, variable, default = _XDG[kind]
    if os.environ.get(override):
        return Path(os.environ[override])
    base = os.environ.get(variable)
    return (Path(base) if base and os.path.isabs(base) else Path.home() / default) / "metaseoul"


def config_dir() -> Path:
    return _folder("config")


def data_dir() -> Path:
    return _folder("data")


def cache_dir() -> Path:
    return _folder("cache")


def state_dir() -> Path:
    return _folder("state")


def own_command() -> list[str]:
    """The command that starts metaseoul again: in a standalone build (frozen, docs/builds.md) the
    build's executable is the command; elsewhere this Python runs the package."""
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "metaseoul"]
