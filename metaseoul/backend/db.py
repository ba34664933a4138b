"""One SQLite database per backend data folder, shared by the stores, durable on every commit.

WAL journaling with a full fsync on each commit: what the backend confirmed survives a crash or a
power cut. ``write()`` runs a function in one immediate transaction under a lock, so concurrent
requests see each other's results (no double bookings, no duplicate complaints).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class Database:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(folder / "metaseoul.sqlite3", check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
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
