"""What the realtime tests share: a guest token for a device of its own, a socket on the realtime
channel, and reading frames until one of a kind arrives."""

from __future__ import annotations

import json
import secrets
import time

import httpx
from websockets.sync.client import connect


def guest_token(server) -> str:
    """A guest token for a device of its own: banning one guest then leaves the others (all on 127.0.0.1) alone."""
    device = {"X-Device-Key": secrets.token_urlsafe(24)}
    return httpx.post(server.url + "/auth/guest", headers=device).json()["access_token"]


def channel(server, max_size: int | None = 2**20):
    return connect(server.url.replace("http", "ws") + "/realtime/v1", open_timeout=10, max_size=max_size)


def wait_for(socket, kind: str, timeout: float = 10.0, where=lambda m: True) -> dict:
    """The next frame of type ``kind`` (for which ``where`` holds), skipping others."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message["type"] == kind and where(message):
            return message
