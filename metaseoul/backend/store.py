"""Durable storage for civil complaints (Open311 service requests), in SQLite.

WAL journaling with a full fsync on every commit: a complaint the server has confirmed survives a
crash or a power cut. The idempotency key is unique, so a retried submission finds the request it
already made instead of making another. Other databases plug in by implementing the same methods.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    service_request_id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    service_code TEXT NOT NULL,
    description TEXT NOT NULL,
    lat REAL, long REAL, address_string TEXT,
    attributes TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_datetime TEXT NOT NULL,
    updated_datetime TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (requested_datetime);
"""


@dataclass(frozen=True)
class NewRequest:
    service_code: str
    description: str
    lat: float | None
    long: float | None
    address_string: str | None
    attributes: dict[str, str]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ComplaintStore:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "metaseoul.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def submit(self, new: NewRequest, idempotency_key: str | None) -> tuple[dict, bool]:
        """Store a request; returns it and whether it was created now (False: a retry of an old one)."""
        stamp = now()
        with self._lock:
            if idempotency_key is not None:
                row = self._db.execute("SELECT * FROM requests WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
                if row is not None:
                    return _as_dict(row), False
            ident = uuid.uuid4().hex[:12]
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                (ident, idempotency_key, new.service_code, new.description, new.lat, new.long,
                 new.address_string, json.dumps(new.attributes, ensure_ascii=False), stamp, stamp),
            )
            self._db.execute("COMMIT")
            return self.get(ident), True

    def get(self, ident: str) -> dict | None:
        row = self._db.execute("SELECT * FROM requests WHERE service_request_id = ?", (ident,)).fetchone()
        return _as_dict(row) if row else None

    def search(self, service_code: str | None = None, status: str | None = None,
               start: str | None = None, end: str | None = None, limit: int = 1000) -> list[dict]:
        query, args = "SELECT * FROM requests WHERE 1=1", []
        for column, op, value in (("service_code", "=", service_code), ("status", "=", status),
                                  ("requested_datetime", ">=", start), ("requested_datetime", "<=", end)):
            if value is not None:
                query += f" AND {column} {op} ?"
                args.append(value)
        query += " ORDER BY requested_datetime DESC LIMIT ?"
        rows = self._db.execute(query, (*args, limit)).fetchall()
        return [_as_dict(r) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def _as_dict(row: sqlite3.Row) -> dict:
    data = dict(row)
    data["attributes"] = json.loads(data["attributes"])
    data.pop("idempotency_key")
    return data
