"""How often one address, account name or citizen may do what costs the city or other citizens:
failed sign-ins, guest tokens, registrations, booking requests. The numbers are the abuse policy
(docs/backend-contract.md, "Abuse policy"; openapi.json's ``x-rate-limits``); a test passes its own
Policy and clock instead of sleeping.

Everything is in memory and forgotten on restart. Each table forgets keys whose events have left
their window and keeps at most ``MAX_KEYS`` keys (the least recently active go first), so a flood of
addresses or names cannot exhaust memory. The tables are used from the event loop only, between
awaits, so they need no lock and two racing requests cannot both pass one check.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_KEYS = 100_000
Clock = Callable[[], float]


@dataclass(frozen=True)
class Policy:
    """The decided limits (docs/backend-contract.md, "Abuse policy")."""

    name_failures: int = 5  # failed sign-ins per account name within failure_window_s lock that name
    address_failures: int = 20  # failed sign-ins per address within failure_window_s refuse that address
    failure_window_s: float = 15 * 60
    first_lockout_s: float = 30  # a name's first lock-out; each further failure doubles it up to the longest
    longest_lockout_s: float = 15 * 60
    guests_per_hour: int = 20  # guest tokens per address
    registrations_per_hour: int = 5  # new accounts per address
    bookings_per_minute: int = 10  # booking requests (book or cancel) per citizen


POLICY = Policy()


def retry_after(wait: float) -> int:
    """``wait`` as the whole seconds of a Retry-After header (at least 1)."""
    return max(1, math.ceil(wait))


class Window:
    """At most ``limit`` events per key within any ``seconds`` (a sliding log of each key's last
    ``limit`` event times)."""

    def __init__(self, limit: int, seconds: float, clock: Clock = time.time):
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self.events: OrderedDict[str, deque[float]] = OrderedDict()  # least recently active first

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may act again; 0 when it may now."""
        times = self.events.get(key)
        if times is None or len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.seconds - self.clock())

    def take(self, key: str) -> float:
        """Count an event of ``key`` unless it must wait first; the wait (0: counted)."""
        wait = self.wait(key)
        if wait > 0:
            return wait
        now = self.clock()
        times = self.events.setdefault(key, deque(maxlen=self.limit))
        times.append(now)
        self.events.move_to_end(key)
        self._forget(now)
        return 0.0

    def give_back(self, key: str) -> None:
        """Uncount ``key``'s latest event: the attempt turned out not to count (a sign-in that succeeded)."""
        times = self.events.get(key)
        if times:
            times.pop()

    def _forget(self, now: float) -> None:
        while self.events:
            key, times = next(iter(self.events.items()))
            if len(self.events) <= MAX_KEYS and times and times[-1] > now - self.seconds:
                return
            del self.events[key]


@dataclass
class _Name:
    failures: deque[float]
    lockouts: int = 0
    until: float = 0.0


@dataclass
class Lockout:
    """Failed sign-ins per account name: the ``limit``-th failure within ``window`` locks the name
    for ``first`` seconds, and each failure after a lock-out locks it again for twice as long, up to
    ``longest``, until the name has been left alone for ``window`` after its last lock-out ended.
    A success forgets the name."""

    limit: int
    window: float
    first: float
    longest: float
    clock: Clock = time.time
    names: OrderedDict[str, _Name] = field(default_factory=OrderedDict)  # oldest last failure first

    def wait(self, name: str) -> float:
        entry = self.names.get(name)
        return max(0.0, entry.until - self.clock()) if entry else 0.0

    def failed(self, name: str) -> None:
        now = self.clock()
        entry = self.names.get(name)
        if entry is None or not self._recent(entry, now):  # left alone long enough: start again
            entry = self.names[name] = _Name(deque(maxlen=self.limit))
        entry.failures.append(now)
        self.names.move_to_end(name)
        if entry.lockouts or (len(entry.failures) == self.limit and entry.failures[0] > now - self.window):
            entry.lockouts += 1
            entry.until = now + min(self.first * 2 ** min(entry.lockouts - 1, 32), self.longest)
        self._forget(now)

    def succeeded(self, name: str) -> None:
        self.names.pop(name, None)

    def _recent(self, entry: _Name, now: float) -> bool:
        return max(entry.failures[-1], entry.until) > now - self.window

    def _forget(self, now: float) -> None:
        while self.names:
            name, entry = next(iter(self.names.items()))
            if len(self.names) <= MAX_KEYS and self._recent(entry, now):
                return
            del self.names[name]


class Limits:
    """One application's limits, under one policy and clock."""

    def __init__(self, policy: Policy = POLICY, clock: Clock = time.time):
        self.policy = policy
        self.names = Lockout(policy.name_failures, policy.failure_window_s, policy.first_lockout_s,
                             policy.longest_lockout_s, clock)
        self.failing_addresses = Window(policy.address_failures, policy.failure_window_s, clock)
        self.guests = Window(policy.guests_per_hour, 3600, clock)
        self.registrations = Window(policy.registrations_per_hour, 3600, clock)
        self.bookings = Window(policy.bookings_per_minute, 60, clock)
