"""Destination thumbnails, rendered by the headless scene mode in the background and cached.

A thumbnail is keyed by the scene file's content hash, so an edited scene gets a fresh picture and
an unchanged one is never rendered twice.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from metaseoul import paths
from metaseoul.scenes.catalog import Scene

SIZE = "320x180"


class ThumbnailCache(QObject):
    """``request(scenes)`` renders what is missing, one process at a time; ``ready`` fires per scene."""

    ready = Signal(str, str)  # scene id, image path

    def __init__(self, folder: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.folder = folder
        self._queue: list[Scene] = []
        self._process: QProcess | None = None
        self._work: Path | None = None

    def path_for(self, scene: Scene) -> Path:
        digest = hashlib.sha256(scene.source.read_bytes()).hexdigest()[:16]
        return self.folder / f"{scene.id}-{digest}.png"

    def cached(self, scene: Scene) -> Path | None:
        path = self.path_for(scene)
        return path if path.is_file() else None

    def request(self, scenes: list[Scene]) -> None:
        for scene in scenes:
            if self.cached(scene) is None and scene not in self._queue:
                self._queue.append(scene)
        self._next()

    def _next(self) -> None:
        if self._process is not None or not self._queue:
            return
        scene = self._queue[0]
        self._work = Path(tempfile.mkdtemp(prefix="metaseoul-thumb-"))
        process = QProcess(self)
        program, *prefix = paths.own_command()
        process.setProgram(program)
        process.setArguments([*prefix, "render", str(scene.source), "--out", str(self._work),
                              "--size", SIZE, "--views", scene.views[0]["name"], "--frames", "1"])
        process.finished.connect(lambda code, _status: self._done(scene, code))
        self._process = process
        process.start()

    def _done(self, scene: Scene, code: int) -> None:
        self._queue.pop(0)
        image = self._work / f"{scene.id}-{scene.views[0]['name']}.png"
        if code == 0 and image.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.path_for(scene)
            shutil.move(str(image), target)
            self.ready.emit(scene.id, str(target))
        shutil.rmtree(self._work, ignore_errors=True)
        self._process.deleteLater()
        self._process = None
        self._next()

    def stop(self) -> None:
        """Abandon the queue (the window is closing): end the render and forget its files."""
        self._queue.clear()
        if self._process is not None:
            self._process.finished.disconnect()
            self._process.kill()
            self._process.waitForFinished(5000)
            self._process = None
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def wait(self, msecs: int = 60_000) -> None:
        """Block until the queue is done (the screenshot command needs real pictures)."""
        while self._process is not None:
            self._process.waitForFinished(msecs)
