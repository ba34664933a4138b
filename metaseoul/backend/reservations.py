"""Booking public services by time slot: list, book, cancel. A slot is never booked past its
capacity, however many requests race for it, nor a citizen past BOOKINGS_PER_PERSON active bookings
(slots that have not ended): the counts and the insert happen in one transaction. A slot that has
begun can no longer be booked."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from metaseoul.backend.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS bookings (
    booking_id TEXT PRIMARY KEY, slot_id TEXT NOT NULL, subject TEXT NOT NULL, created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_by_slot ON bookings (slot_id);
"""


SLOT_ID = re.compile(r"([a-z0-9-]+)@(\d{4}-\d\d-\d\d)T(\d\d:\d\d)")
BOOKINGS_PER_PERSON = 3  # active at once


class SlotFull(Exception):
    pass


class NotFound(Exception):
    pass


def offered() -> list[dict]:
    return json.loads((resources.files("metaseoul.backend") / "data" / "reservable.json").read_text("utf-8"))


class Reservations:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self.clock = clock
        db.schema(SCHEMA)
        self.services = {s["code"]: s for s in offered()}

    def slots(self, code: str, day: date) -> list[dict]:
        """The day's slots of a service (KST), with how many places are left."""
        service = self.services.get(code)
        if service is None:
            raise NotFound(f"no reservable service {code!r}")
        out = []
        for start in service["times"]:
            slot_id = f"{code}@{day.isoformat()}T{start}"
            taken = self.db.read("SELECT COUNT(*) FROM bookings WHERE slot_id = ?", (slot_id,))[0][0]
            begins = datetime.fromisoformat(f"{day.isoformat()}T{start}:00+09:00")
            out.append({"slot_id": slot_id, "service": code, "start": begins.isoformat(),
                        "end": (begins + timedelta(minutes=service["minutes"])).isoformat(),
                        "capacity": service["capacity"], "remaining": max(0, service["capacity"] - taken)})
        return out

    def _slot(self, slot_id: str) -> tuple[dict, datetime]:
        """The service of a slot given by its one canonical id (SERVICE@YYYY-MM-DDTHH:MM), and when it begins."""
        match = SLOT_ID.fullmatch(slot_id)
        service = self.services.get(match.group(1)) if match else None
        if service is None or match.group(3) not in service["times"]:
            raise NotFound(f"no slot {slot_id!r}")
        try:
            return service, datetime.fromisoformat(f"{match.group(2)}T{match.group(3)}:00+09:00")
        except ValueError:
            raise NotFound(f"no slot {slot_id!r}") from None

    def _active(self, slot_id: str, now: datetime) -> bool:
        """Whether a booking of ``slot_id`` still counts: its slot has not ended (nor left the offer)."""
        try:
            service, begins = self._slot(slot_id)
        except NotFound:
            return False
        return begins + timedelta(minutes=service["minutes"]) > now

    def book(self, slot_id: str, subject: str) -> dict:
        service, begins = self._slot(slot_id)
        capacity, now = service["capacity"], datetime.fromtimestamp(self.clock(), UTC)
        if begins <= now:
            raise SlotFull(f"{slot_id} has begun: choose a later slot")

        def work(conn):
            held = conn.execute("SELECT slot_id FROM bookings WHERE subject = ?", (subject,)).fetchall()
            if sum(self._active(row["slot_id"], now) for row in held) >= BOOKINGS_PER_PERSON:
                raise SlotFull(f"at most {BOOKINGS_PER_PERSON} active bookings at a time: cancel one first")
            taken = conn.execute("SELECT COUNT(*) FROM bookings WHERE slot_id = ?", (slot_id,)).fetchone()[0]
            if taken >= capacity:
                raise SlotFull(f"{slot_id} is fully booked")
            booking = {"booking_id": uuid.uuid4().hex[:12], "slot_id": slot_id, "subject": subject,
                       "created": now.astimezone().isoformat(timespec="seconds")}
            conn.execute("INSERT INTO bookings VALUES (:booking_id, :slot_id, :subject, :created)", booking)
            return booking
        return self.db.write(work)

    def cancel(self, booking_id: str, subject: str) -> None:
        def work(conn):
            gone = conn.execute("DELETE FROM bookings WHERE booking_id = ? AND subject = ?", (booking_id, subject))
            if gone.rowcount == 0:
                raise NotFound(f"no booking {booking_id!r} of yours")
        self.db.write(work)

    def mine(self, subject: str) -> list[dict]:
        return [dict(r) for r in self.db.read("SELECT * FROM bookings WHERE subject = ? ORDER BY created", (subject,))]
