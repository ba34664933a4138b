"""One SQLite database per backend data folder, shared by the stores, durable on every commit.

WAL journaling with a full fsync on each commit: what the backend confirmed survives a crash or a
power cut. ``write()`` runs a function in one immediate transaction under a lock, so concurrent
requests see each other's results (no double bookings, no duplicate complaints).

The folder is the backend's own (0700) and the database with its ``-wal``/``-shm`` files 0600:
accounts, sessions and complaints are nobody else's to read. SQLite gives the ``-wal`` and ``-shm``
files the database file's mode, so the database is made 0600 before SQLite opens it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
FILE_NAME = "metaseoul.sqlite3"


class Database:
    def __init__(self, folder: Path):
        path = _private(folder) / FILE_NAME
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        for companion in (path.with_name(FILE_NAME + "-wal"), path.with_name(FILE_NAME + "-shm")):
            if companion.exists():  # made 0600 already unless an older version left them wider
                _tighten(companion, 0o600)
        self.lock = threading.Lock()

    def schema(self, sql: str) -> None:
        with self.lock:
            self.connection.executescript(sql)

    def read(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.connection.execute(sql, args).fetchall()

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(self.connection)
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:  # also after a failed COMMIT (disk full, I/O error)
                    self.connection.execute("ROLLBACK")
                raise
            return result

    def close(self) -> None:
        self.connection.close()


def _private(folder: Path) -> Path:
    """``folder`` made (or tightened) to 0700, with an empty database file of mode 0600 in it if none
    was there, so SQLite never creates one with the umask's wider mode."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _tighten(folder, 0o700)
    os.close(os.open(folder / FILE_NAME, os.O_RDONLY | os.O_CREAT, 0o600))
    _tighten(folder / FILE_NAME, 0o600)
    return folder


def _tighten(path: Path, mode: int) -> None:
    """``path`` given ``mode`` if it has another (a chmod only where needed: only the owner may)."""
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)
