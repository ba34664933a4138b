"""The settings file followed while the client runs: a change saved by the launcher (or by hand)
is applied within half a second, without restarting the visit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from metaseoul.paths import config_dir
from metaseoul.settings import Settings

CHECK_SECONDS = 0.5


class LivePreferences:
    def __init__(self, base, apply: Callable[[Settings], None], path: Path | None = None):
        self.path = path or config_dir() / "settings.json"
        self.apply = apply
        self._stamp = self._stat()
        apply(Settings.load(self.path))
        base.taskMgr.doMethodLater(CHECK_SECONDS, self._check, "metaseoul-settings")

    def save(self, settings: Settings) -> None:
        """Write ``settings`` and apply them now (once: the watcher knows this change already)."""
        settings.save(self.path)
        self._stamp = self._stat()
        self.apply(settings)

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
            self.apply(Settings.load(self.path))
        return task.again
