"""Who is asking: guest sessions for kiosks and visitors (no personal data), and registered users
who sign in for a bearer token. Tokens expire. (Room is left for the OAuth device flow: a device
code grant would end in the same kind of bearer token.)"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from metaseoul.backend.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, kind TEXT NOT NULL, expires REAL NOT NULL
);
"""
GUEST_SECONDS = 12 * 3600
USER_SECONDS = 3600
ITERATIONS = 200_000


@dataclass(frozen=True)
class Session:
    subject: str  # "guest:…" or the user's name
    kind: str  # "guest" or "user"


class AuthError(Exception):
    """Signing in or a token failed; the message is safe to show."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # tokens are stored only as hashes


class Accounts:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)

    def _issue(self, subject: str, kind: str, seconds: int) -> dict:
        token = secrets.token_urlsafe(32)
        now = self.clock()

        def work(conn):
            conn.execute("DELETE FROM tokens WHERE expires < ?", (now,))  # expired tokens go for good
            conn.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_digest(token), subject, kind, now + seconds))
        self.db.write(work)
        return {"access_token": token, "token_type": "Bearer", "kind": kind, "expires_in": seconds}

    def guest(self) -> dict:
        return self._issue(f"guest:{secrets.token_hex(6)}", "guest", GUEST_SECONDS)

    def register(self, name: str, password: str) -> None:
        if not (3 <= len(name) <= 64) or not name.isprintable():
            raise AuthError("a user name has 3 to 64 printable characters")
        if len(password) < 10:
            raise AuthError("a password has at least 10 characters")
        salt = secrets.token_bytes(16)
        hashed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)

        def work(conn):
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AuthError("that user name is taken")
            conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)", (name, salt, hashed, self.clock()))
        self.db.write(work)

    def sign_in(self, name: str, password: str) -> dict:
        rows = self.db.read("SELECT salt, hash FROM users WHERE name = ?", (name,))
        salt, stored = (rows[0]["salt"], rows[0]["hash"]) if rows else (b"0" * 16, b"")
        hashed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
        if not rows or not hmac.compare_digest(hashed, stored):
            raise AuthError("wrong user name or password")
        return self._issue(name, "user", USER_SECONDS)

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
