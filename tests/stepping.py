"""Frame stepping for the session scripts that drive a client in a real window (run under Xvfb)."""

from __future__ import annotations

import time
from collections.abc import Callable


def steppers(base) -> tuple[Callable[..., None], Callable[..., None]]:
    """``frames(n, sleep=0)`` steps ``base``'s task manager n times; ``frames_until(done, seconds=30)``
    steps until ``done()`` or the deadline: how far a walk or a turn gets in so many frames depends on
    how fast the frames come (the client moves by real time), and the settings file is read by the clock."""

    def frames(n: int, sleep: float = 0.0) -> None:
        for _ in range(n):
            base.taskMgr.step()
            if sleep:
                time.sleep(sleep)

    def frames_until(done: Callable[[], object], seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            base.taskMgr.step()

    return frames, frames_until
