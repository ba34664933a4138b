"""Moderation records: who is a moderator, bans and mutes with reason and duration, citizens'
reports, and an append-only audit log of every action (people's and the server's own).

The vocabulary follows Matrix policy rules: an entity (the account subject), a recommendation
(ban, mute), a reason. Records live in the backend database, so they survive restarts.

A ban also reaches the person behind the account: it covers the device key the subject's latest
token was asked with (accounts.Origin) or, without one, its address, for at most a day because a
kiosk or a NAT gives many people one address. Such a ban refuses new guest tokens from there and
answers ``sanction`` for every guest session asked from there; registered accounts are judged by
their own bans only. Clearing storage or changing network escapes it: it slows, it cannot stop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from metaseoul.backend.accounts import Origin
from metaseoul.backend.db import Database
from metaseoul.errors import UnknownName
from metaseoul.i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS roles (subject TEXT PRIMARY KEY, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sanctions (
    subject TEXT NOT NULL, kind TEXT NOT NULL, until REAL NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (subject, kind)
);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, reporter TEXT NOT NULL, subject TEXT NOT NULL,
    session TEXT NOT NULL, room TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, reason TEXT NOT NULL, until REAL
);
CREATE TABLE IF NOT EXISTS origin_bans (
    via TEXT PRIMARY KEY, origin TEXT NOT NULL, value TEXT NOT NULL, until REAL NOT NULL, reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS origin_bans_by_value ON origin_bans (value);
"""
GUEST_BANS = """SELECT b.until, b.reason FROM origin_bans b JOIN tokens t ON t.subject = ? AND b.until > ?
    AND ((b.origin = 'device' AND b.value = t.device) OR (b.origin = 'address' AND b.value = t.address))"""
ACTIONS = ("warn", "mute", "unmute", "kick", "ban", "unban")
MODERATOR = "moderator"
ROLES = (MODERATOR, "staff")  # verified roles: shown as a badge next to the name, never typed into it
FOREVER = 100 * 365 * 86400.0
ADDRESS_BAN_SECONDS = 24 * 3600  # the longest a ban covers an address: kiosks and NATs share one
REASON_LIMIT = 500


@dataclass(frozen=True)
class Sanction:
    kind: str  # "ban" or "mute"
    until: float  # seconds since the epoch
    reason: str


class Moderation:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)

    def grant(self, name: str, revoke: bool = False, role: str = MODERATOR) -> None:
        """Give the registered user ``name`` a verified ``role`` (one of ROLES), or (``revoke``) make
        them an ordinary citizen again; UnknownName if no one registered that name."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")

        def work(conn):
            if not conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise UnknownName(_("no registered user {name!r}: register first (Sign in in the launcher, "
                                    "or POST /auth/register)").format(name=name))
            conn.execute("DELETE FROM roles WHERE subject = ?", (name,))
            if not revoke:
                conn.execute("INSERT INTO roles VALUES (?, ?)", (name, role))
        self.db.write(work)

    def is_moderator(self, subject: str) -> bool:
        return bool(self.db.read("SELECT 1 FROM roles WHERE subject = ? AND role = ?", (subject, MODERATOR)))

    def role(self, subject: str) -> str | None:
        """The verified role of ``subject`` ("moderator" or "staff"), or None for a citizen."""
        rows = self.db.read("SELECT role FROM roles WHERE subject = ?", (subject,))
        return rows[0]["role"] if rows else None

    def sanction(self, subject: str, kind: str) -> Sanction | None:
        """The ban or mute in force on ``subject`` now, if any; for a guest also a ban on the device
        key or address its token was asked from."""
        now = self.clock()
        rows = self.db.read("SELECT until, reason FROM sanctions WHERE subject = ? AND kind = ? AND until > ?",
                            (subject, kind, now))
        if kind == "ban" and subject.startswith("guest:"):
            rows += self.db.read(GUEST_BANS, (subject, now))
        return _longest(kind, rows)

    def origin_ban(self, origin: Origin) -> Sanction | None:
        """The ban in force on a device key or address, which refuses new guest tokens asked from there."""
        rows = self.db.read("SELECT until, reason FROM origin_bans WHERE until > ? AND ((origin = 'device' AND "
                            "value = ?) OR (origin = 'address' AND value = ?))", (self.clock(), origin.device,
                                                                                  origin.address))
        return _longest("ban", rows)

    def act(self, actor: str, action: str, subject: str, reason: str, minutes: float | None = None) -> dict:
        """Record a moderator's action (and the ban or mute it imposes or lifts); returns the audit entry."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        if not reason.strip() or len(reason) > REASON_LIMIT:
            raise ValueError(f"a reason of 1 to {REASON_LIMIT} characters is required")
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                                    or not 0 < minutes <= FOREVER / 60):
            raise ValueError("minutes must be a positive number")
        now = self.clock()
        until = None
        if action in ("ban", "mute"):
            until = now + (minutes * 60 if minutes is not None else FOREVER)

        def work(conn):
            if action in ("ban", "mute"):
                conn.execute("INSERT OR REPLACE INTO sanctions VALUES (?, ?, ?, ?)", (subject, action, until, reason))
            elif action in ("unban", "unmute"):
                conn.execute("DELETE FROM sanctions WHERE subject = ? AND kind = ?", (subject, action[2:]))
            if action in ("ban", "unban"):
                conn.execute("DELETE FROM origin_bans WHERE via = ?", (subject,))
            entry = _audit(conn, now, actor, action, subject, reason, until)
            return entry | {"covers": _ban_origin(conn, subject, now, until, reason)} if action == "ban" else entry
        return self.db.write(work)

    def log(self, actor: str, action: str, subject: str, reason: str) -> dict:
        """Record something done that imposes nothing: an announcement, a connection the server closed."""
        return self.db.write(lambda conn: _audit(conn, self.clock(), actor, action, subject, reason[:REASON_LIMIT], None))

    def report(self, reporter: str, subject: str, session: str, room: str, reason: str) -> int:
        def work(conn):
            return conn.execute("INSERT INTO reports (at, reporter, subject, session, room, reason) VALUES (?, ?, ?, ?, ?, ?)",
                                (self.clock(), reporter, subject, session, room, reason[:REASON_LIMIT])).lastrowid
        return self.db.write(work)

    def reports(self, limit: int = 100) -> list[dict]:
        """The latest reports, each with the verified role of the one reported (None for a citizen)."""
        return [dict(r) for r in self.db.read("SELECT reports.*, roles.role AS subject_role FROM reports LEFT JOIN "
                                              "roles USING (subject) ORDER BY id DESC LIMIT ?", (limit,))]

    def audit(self, limit: int = 100) -> list[dict]:
        """The latest entries, each with the verified role of the one acted on (None for a citizen)."""
        return [dict(r) for r in self.db.read("SELECT audit.*, roles.role AS subject_role FROM audit LEFT JOIN "
                                              "roles USING (subject) ORDER BY id DESC LIMIT ?", (limit,))]


def _longest(kind: str, rows: list) -> Sanction | None:
    row = max(rows, key=lambda r: r["until"], default=None)
    return Sanction(kind, row["until"], row["reason"]) if row else None


def _ban_origin(conn, subject: str, now: float, until: float, reason: str) -> str | None:
    """Extend a ban on ``subject`` to the device key (else the address, for at most a day) of its
    latest token; which of the two it covers, or None when no token of it is left to tell."""
    row = conn.execute("SELECT device, address FROM tokens WHERE subject = ? ORDER BY expires DESC LIMIT 1",
                       (subject,)).fetchone()
    if row is None or not (row["device"] or row["address"]):
        return None
    origin, value = ("device", row["device"]) if row["device"] else ("address", row["address"])
    ends = until if origin == "device" else min(until, now + ADDRESS_BAN_SECONDS)
    conn.execute("INSERT INTO origin_bans VALUES (?, ?, ?, ?, ?)", (subject, origin, value, ends, reason))
    return origin


def _audit(conn, at: float, actor: str, action: str, subject: str, reason: str, until: float | None) -> dict:
    ident = conn.execute("INSERT INTO audit (at, actor, action, subject, reason, until) VALUES (?, ?, ?, ?, ?, ?)",
                         (at, actor, action, subject, reason, until)).lastrowid
    return {"id": ident, "at": at, "actor": actor, "action": action, "subject": subject, "reason": reason, "until": until}
