"""Emergency alerts and announcements waiting to be read: one shown at a time, each until the citizen
dismisses it, those that arrive meanwhile waiting their turn. Presenters draw ``shown``."""

from __future__ import annotations

from collections.abc import Callable


class AlertQueue:
    def __init__(self, on_show: Callable[[dict], None]):
        self.on_show = on_show  # sound and signing start here
        self.queue: list[dict] = []
        self.seen: set[str] = set()  # the backend repeats active alerts to newcomers (each portal): once is enough
        self.shown_for = 0.0  # seconds the shown alert has been up (presenters flash its border by it)

    @property
    def shown(self) -> dict | None:
        return self.queue[0] if self.queue else None

    def show(self, alert: dict) -> None:
        """Add an announcement (``level`` emergency or info, ``text`` {ko, en}) to the queue."""
        if alert.get("id") is not None:
            if alert["id"] in self.seen:
                return
            self.seen.add(alert["id"])
        self.queue.append(alert)
        if len(self.queue) == 1:
            self._present()

    def dismiss(self) -> None:
        if self.queue:
            self.queue.pop(0)
        if self.queue:
            self._present()

    def tick(self, dt: float) -> None:
        if self.queue:
            self.shown_for += dt

    def _present(self) -> None:
        self.shown_for = 0.0
        self.on_show(self.queue[0])
