"""Reading a file a scene names without trusting it: regular files only, size checked before reading.

A FIFO would block ``open``/``read`` forever and ``/dev/zero`` never ends, so every file is opened
non-blocking, checked with ``fstat`` on the open descriptor (no race with a swapped path) and read
to at most ``limit + 1`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from metaseoul.i18n import _

MiB = 1024 * 1024
SCENE_FILE_LIMIT = 4 * MiB  # the largest built-in scene is a few dozen KiB
ASSET_FILE_LIMIT = 64 * MiB  # a glTF, GLB or buffer file


class Unreadable(ValueError):
    """A file that may not or cannot be read; the message says why in plain words."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


def _too_big(limit: int) -> Unreadable:
    return Unreadable(_("the file is larger than the limit of {limit} MiB").format(limit=limit // MiB))


def check_regular(path: Path, limit: int) -> int:
    """The size of ``path`` if it is a regular file within ``limit`` bytes (symlinks followed)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Unreadable(_("file not found")) from None
    except OSError as exc:
        raise Unreadable(_("cannot read it: {problem}").format(problem=exc.strerror or exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise Unreadable(_("expected a regular file, found {kind}").format(kind=_kind(info.st_mode)))
    if info.st_size > limit:
        raise _too_big(limit)
    return info.st_size


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else raises :class:`Unreadable`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise Unreadable(_("file not found")) from None
    except OSError as exc:
        raise Unreadable(_("cannot read it: {problem}").format(problem=exc.strerror or exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(_("expected a regular file, found {kind}").format(kind=_kind(info.st_mode)))
        if info.st_size > limit:
            raise _too_big(limit)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, MiB))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise Unreadable(_("cannot read it: {problem}").format(problem=exc.strerror or exc)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while being read
        raise _too_big(limit)
    return data
