"""The settings file followed while the client runs: read once at the start, and a change saved by
the launcher (or by hand) is applied within half a second, without restarting the visit. The one
place the client reads settings from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from metaseoul.paths import config_dir
from metaseoul.settings import Settings

CHECK_SECONDS = 0.5


class LivePreferences:
    def __init__(self, base, path: Path | None = None):
        self.path = path or config_dir() / "settings.json"
        self._stamp = self._stat()
        self.current = Settings.load(self.path)
        self.listeners: list[Callable[[Settings], None]] = []  # told of each change, in order
        self._task = base.taskMgr.doMethodLater(CHECK_SECONDS, self._check, "metaseoul-settings")

    def save(self, settings: Settings) -> None:
        """Write ``settings`` and apply them now (once: the watcher knows this change already)."""
        settings.save(self.path)
        self._stamp = self._stat()
        self.changed(settings)

    def changed(self, settings: Settings) -> None:
        """Use ``settings`` from now on: every listener hears of them."""
        self.current = settings
        for listener in self.listeners:
            listener(settings)

    def _stat(self) -> tuple[float, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _check(self, task):
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            self.changed(Settings.load(self.path))
        return task.again

    def close(self) -> None:
        self._task.remove()
