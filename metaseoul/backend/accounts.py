"""Who is asking: guest sessions for kiosks and visitors (no personal data), and registered users
who sign in for a bearer token. Tokens expire. (Room is left for the OAuth device flow: a device
code grant would end in the same kind of bearer token.)

A token is kept (as a hash) with where it was asked for: the client's address and the device key
the client sent, if any, so that a ban reaches the person behind a guest session (moderation.py).
User names are display names (names.py) and unique by their skeleton: a look-alike of a name is
that name, taken."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass

from metaseoul.backend.db import Database
from metaseoul.backend.migrations import add_columns
from metaseoul.backend.names import NAME_LIMIT, display_name, skeleton

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL, created REAL NOT NULL, skeleton TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, kind TEXT NOT NULL, expires REAL NOT NULL,
    address TEXT, device TEXT
);
"""
ADDED_COLUMNS = {"users": {"skeleton": "TEXT"}, "tokens": {"address": "TEXT", "device": "TEXT"}}  # since 1.1
INDEXES = """
CREATE INDEX IF NOT EXISTS users_by_skeleton ON users (skeleton);
CREATE INDEX IF NOT EXISTS tokens_by_subject ON tokens (subject);
"""
GUEST_SECONDS = 12 * 3600
USER_SECONDS = 3600
ITERATIONS = 200_000
SHORTEST_NAME = 3
DEVICE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")  # a random id the client keeps, e.g. secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Session:
    subject: str  # "guest:…" or the user's name
    kind: str  # "guest" or "user"


@dataclass(frozen=True)
class Origin:
    """Where a token was asked for: the client's address, and the device key it sent, if any."""

    address: str
    device: str | None = None


class AuthError(Exception):
    """Signing in or a token failed; the message is safe to show."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # tokens are stored only as hashes


class Accounts:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)
        for table, columns in ADDED_COLUMNS.items():
            add_columns(db, table, columns)
        db.schema(INDEXES)
        self._fill_skeletons()

    def _fill_skeletons(self) -> None:
        """Users registered before names had skeletons get theirs, so look-alikes of them are taken too."""
        def work(conn):
            for row in conn.execute("SELECT name FROM users WHERE skeleton IS NULL").fetchall():
                conn.execute("UPDATE users SET skeleton = ? WHERE name = ?", (skeleton(row["name"]), row["name"]))
        self.db.write(work)

    def _issue(self, subject: str, kind: str, seconds: int, origin: Origin | None) -> dict:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        address, device = (origin.address, origin.device) if origin else (None, None)

        def work(conn):
            conn.execute("DELETE FROM tokens WHERE expires < ?", (now,))  # expired tokens go for good
            conn.execute("INSERT INTO tokens (token_hash, subject, kind, expires, address, device) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (_digest(token), subject, kind, now + seconds, address, device))
        self.db.write(work)
        return {"access_token": token, "token_type": "Bearer", "kind": kind, "expires_in": seconds}

    def guest(self, origin: Origin | None = None) -> dict:
        return self._issue(f"guest:{secrets.token_hex(6)}", "guest", GUEST_SECONDS, origin)

    def register(self, name: str, password: str) -> str:
        """Register ``name`` (as its display name, which is returned); names.BadName or AuthError say why not."""
        name = display_name(name)
        if len(name) < SHORTEST_NAME:
            raise AuthError(f"a user name has {SHORTEST_NAME} to {NAME_LIMIT} characters")
        if len(password) < 10:
            raise AuthError("a password has at least 10 characters")
        shape = skeleton(name)
        taken = "SELECT 1 FROM users WHERE skeleton = ? OR name = ?"
        if self.db.read(taken, (shape, name)):  # before the costly hash; checked again as it is written
            raise AuthError("that user name is taken")
        salt = secrets.token_bytes(16)
        hashed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)

        def work(conn):
            if conn.execute(taken, (shape, name)).fetchone():
                raise AuthError("that user name is taken")
            conn.execute("INSERT INTO users (name, salt, hash, created, skeleton) VALUES (?, ?, ?, ?, ?)",
                         (name, salt, hashed, self.clock(), shape))
        self.db.write(work)
        return name

    def sign_in(self, name: str, password: str, origin: Origin | None = None) -> dict:
        """A user's token; the name as registered (NFC) or as typed, where an older account was kept so."""
        rows = self.db.read("SELECT name, salt, hash FROM users WHERE name IN (?, ?) ORDER BY name != ?",
                            (name, unicodedata.normalize("NFC", name), name))
        salt, stored = (rows[0]["salt"], rows[0]["hash"]) if rows else (b"0" * 16, b"")
        hashed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
        if not rows or not hmac.compare_digest(hashed, stored):
            raise AuthError("wrong user name or password")
        return self._issue(rows[0]["name"], "user", USER_SECONDS, origin)

    def session(self, authorization: str | None) -> Session:
        """The session behind an ``Authorization: Bearer …`` header."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("sign in first: send Authorization: Bearer TOKEN (POST /auth/guest gives one)")
        rows = self.db.read("SELECT subject, kind, expires FROM tokens WHERE token_hash = ?",
                            (_digest(token.strip()),))
        if not rows:
            raise AuthError("unknown token")
        if rows[0]["expires"] < self.clock():
            raise AuthError("the token has expired: get a new one")
        return Session(rows[0]["subject"], rows[0]["kind"])
