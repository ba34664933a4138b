"""The realtime channel's door: how many sockets one address may hold, and how many may be open
before their hello proved who is there. An unauthenticated socket costs the server a task and its
buffers but proves nothing, so such sockets are bounded per address and in all. One over the bound
waits for a free place, first come first served, before the WebSocket handshake completes (so it
cannot send a frame the server reads), for at most the hello deadline; then it is refused (429).

The address is the client's as uvicorn reports it. Behind a reverse proxy that is the proxy's for
everyone unless uvicorn trusts the proxy's X-Forwarded-For (``--forwarded-allow-ips``; by default
it trusts 127.0.0.1). People behind one NAT (a venue's kiosks) share an address and its bounds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import AsyncIterator

PER_ADDRESS = 256  # sockets one address may hold: a venue's kiosks behind one NAT can fill a room (200)
UNPROVEN_PER_ADDRESS = 20  # of those, how many may not have said hello yet
UNPROVEN_TOTAL = 256  # sockets before hello, all addresses together
WAITING_TOTAL = 256  # sockets waiting for a place before hello, all addresses together


class Full(Exception):
    """No place for this socket now; the message says which bound, in plain words."""


class Ticket:
    """One socket's place at the door, held until the socket ends."""

    def __init__(self, gate: Gate, address: str):
        self.gate, self.address, self.unproven = gate, address, False

    def proven(self) -> None:
        """The hello was accepted: the socket no longer takes a place among the unauthenticated."""
        if self.unproven:
            self.unproven = False
            self.gate.release(self.address)


class Gate:
    def __init__(self, per_address: int = PER_ADDRESS, unproven_per_address: int = UNPROVEN_PER_ADDRESS,
                 unproven_total: int = UNPROVEN_TOTAL, waiting_total: int = WAITING_TOTAL):
        self.per_address, self.unproven_per_address = per_address, unproven_per_address
        self.unproven_total, self.waiting_total = unproven_total, waiting_total
        self.held: Counter[str] = Counter()  # every socket, by address
        self.unproven: Counter[str] = Counter()  # sockets holding a place before hello, by address
        self.waiting: deque[tuple[str, asyncio.Future]] = deque()

    @contextlib.asynccontextmanager
    async def entry(self, address: str, within: float) -> AsyncIterator[Ticket]:
        """A place for one socket from ``address`` among the unauthenticated, waiting up to ``within``
        seconds for one; Full when the address holds too many sockets or no place came in time."""
        if self.held[address] >= self.per_address:
            raise Full(f"{self.per_address} connections from your address are open already: close one first")
        if len(self.waiting) >= self.waiting_total:
            raise Full("the server is busy with new connections: try again in a few seconds")
        self.held[address] += 1
        ticket = Ticket(self, address)
        try:
            await self._place(address, within)
            ticket.unproven = True
            yield ticket
        finally:
            ticket.proven()
            self.held[address] -= 1
            if not self.held[address]:
                del self.held[address]

    def _room(self, address: str) -> bool:
        return (self.unproven[address] < self.unproven_per_address
                and self.unproven.total() < self.unproven_total)

    def _take(self, address: str) -> None:
        self.unproven[address] += 1

    async def _place(self, address: str, within: float) -> None:
        if self._room(address) and not any(waiting == address for waiting, _ in self.waiting):
            self._take(address)
            return
        ready = asyncio.get_running_loop().create_future()
        waiter = (address, ready)
        self.waiting.append(waiter)
        try:
            await asyncio.wait_for(ready, within)  # the place is taken for us when it is handed over
        except asyncio.CancelledError:
            if ready.done() and not ready.cancelled():  # handed over just as this socket was given up
                self.release(address)
            raise
        except TimeoutError:
            if self.unproven[address] < self.unproven_per_address:
                raise Full("too many connections are signing in at once: try again in a few seconds") from None
            raise Full(f"too many connections from your address are signing in at once "
                       f"(at most {self.unproven_per_address}): try again in a few seconds") from None
        finally:
            if waiter in self.waiting:
                self.waiting.remove(waiter)

    def release(self, address: str) -> None:
        """A place before hello is free again: hand it to the first waiting socket that fits."""
        self.unproven[address] -= 1
        if not self.unproven[address]:
            del self.unproven[address]
        for waiter in list(self.waiting):
            waiting, ready = waiter
            if ready.done():  # gave up (its deadline passed)
                continue
            if self._room(waiting):
                self._take(waiting)
                ready.set_result(None)
                self.waiting.remove(waiter)
