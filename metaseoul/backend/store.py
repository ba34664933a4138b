"""Civil complaints (Open311 service requests) in the backend's database.

The idempotency key is unique, so a retried submission finds the request it already made instead of
making another. Each key is stored with a fingerprint of the complaint it filed: the same key with a
different complaint is refused (``KeyReused``), never answered with the first one's id while the new
one is dropped. Rows from before the fingerprint column have none; for them the fingerprint of their
stored fields stands in. Attribute values are kept in their datatypes (numbers as numbers); the
fingerprint spells a number as Python spells a float, which is how the client library sends one,
so a complaint filed when values were kept as text and sent again now is still the same complaint.
A media URL counts only when given, for the same reason. Other databases plug in by implementing
the same methods.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from metaseoul.backend.db import Database
from metaseoul.backend.migrations import add_columns

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
    updated_datetime TEXT NOT NULL,
    request_hash TEXT,
    media_url TEXT
);
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (requested_datetime);
"""
ADDED_COLUMNS = {"request_hash": "TEXT", "media_url": "TEXT"}  # added since the first schema
AttributeValue = str | float | list[str]  # text, a number, or a multivaluelist's keys


@dataclass(frozen=True)
class NewRequest:
    service_code: str
    description: str
    lat: float | None
    long: float | None
    address_string: str | None
    attributes: dict[str, AttributeValue]
    media_url: str | None = None


class KeyReused(ValueError):
    """The idempotency key already filed a different complaint."""


def fingerprint(new: NewRequest) -> str:
    """SHA-256 of the complaint in one canonical form: the same for a form and a JSON body saying the same."""
    attributes = {code: repr(v) if isinstance(v, float) else v for code, v in new.attributes.items()}
    fields = [new.service_code, new.description, new.lat, new.long, new.address_string, attributes]
    canonical = json.dumps(fields + ([new.media_url] if new.media_url else []),
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ComplaintStore:
    def __init__(self, db: Database):
        self.db = db
        db.schema(SCHEMA)
        add_columns(db, "requests", ADDED_COLUMNS)

    def submit(self, new: NewRequest, idempotency_key: str | None) -> tuple[dict, bool]:
        """Store a request; returns it and whether it was created now (False: a retry of an old one).
        Raises KeyReused when the key filed a different complaint before."""
        digest = fingerprint(new)

        def work(conn: sqlite3.Connection) -> tuple[str, bool]:
            if idempotency_key is not None:
                row = conn.execute("SELECT * FROM requests WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
                if row is not None:
                    if (row["request_hash"] or fingerprint(_as_new(row))) != digest:
                        raise KeyReused("this Idempotency-Key was already used for a different complaint; "
                                        "use a new key for a new complaint")
                    return row["service_request_id"], False
            ident, stamp = uuid.uuid4().hex[:12], now()
            conn.execute(
                "INSERT INTO requests (service_request_id, idempotency_key, service_code, description, lat, long,"
                " address_string, attributes, status, requested_datetime, updated_datetime, request_hash, media_url)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                (ident, idempotency_key, new.service_code, new.description, new.lat, new.long, new.address_string,
                 json.dumps(new.attributes, ensure_ascii=False), stamp, stamp, digest, new.media_url),
            )
            return ident, True

        ident, created = self.db.write(work)
        return self.get(ident), created

    def get(self, ident: str) -> dict | None:
        rows = self.db.read("SELECT * FROM requests WHERE service_request_id = ?", (ident,))
        return _as_dict(rows[0]) if rows else None

    def search(self, service_codes: list[str] | None = None, statuses: list[str] | None = None,
               start: str | None = None, end: str | None = None, limit: int = 1000) -> list[dict]:
        """Requests, newest first; ``start``/``end`` are UTC times as stored (see ``now``)."""
        query, args = "SELECT * FROM requests WHERE 1=1", []
        for column, values in (("service_code", service_codes), ("status", statuses)):
            if values:
                query += f" AND {column} IN ({', '.join('?' * len(values))})"
                args += values
        for op, value in ((">=", start), ("<=", end)):
            if value is not None:
                query += f" AND requested_datetime {op} ?"
                args.append(value)
        query += " ORDER BY requested_datetime DESC LIMIT ?"
        return [_as_dict(r) for r in self.db.read(query, (*args, limit))]

    def count(self) -> int:
        return self.db.read("SELECT COUNT(*) FROM requests")[0][0]


def _as_new(row: sqlite3.Row) -> NewRequest:
    """The complaint as it was filed, from its stored fields."""
    return NewRequest(row["service_code"], row["description"], row["lat"], row["long"], row["address_string"],
                      json.loads(row["attributes"]), row["media_url"])


def _as_dict(row: sqlite3.Row) -> dict:
    data = dict(row)
    data["attributes"] = json.loads(data["attributes"])
    data.pop("idempotency_key")
    data.pop("request_hash")
    return data
