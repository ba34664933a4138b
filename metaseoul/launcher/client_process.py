"""Starting the client as its own process and following it until it is ready, or telling why not.

The client prints ``metaseoul-status: WORD TEXT`` lines on its standard output: ``backend`` (it
starts the built-in city backend), ``loading SCENE``, ``notice TEXT`` (say, why VR fell back to the
desktop) and ``ready SCENE``; failures end with a one-line reason on standard error and a non-zero
exit code. ``progress_sentence`` says each step in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from metaseoul import i18n, paths
from metaseoul.i18n import _
from metaseoul.scenes import builtin_ids, load
from metaseoul.settings import Settings

STATUS = "metaseoul-status:"


@dataclass(frozen=True)
class LaunchRequest:
    scene: str
    settings: Settings
    idle_exit: int | None = None  # kiosks: the client quits after this many seconds without input
    backend: str | None = None  # the city backend's address; None: the client starts the built-in one
    touch: bool = False  # kiosks: the client takes touch input (``metaseoul play --touch``)

    def arguments(self) -> list[str]:
        s = self.settings
        args = ["--lang", s.language if s.language in ("ko", "en") else "en",
                "play", self.scene, "--quality", s.quality]
        if s.fullscreen:
            args.append("--fullscreen")
        if s.vr:
            args.append("--vr")
        if self.idle_exit is not None:
            args += ["--idle-exit", str(self.idle_exit)]
        if self.backend is not None:
            args += ["--backend", self.backend]
        if self.touch:
            args.append("--touch")
        return args


def place_name(scene: str) -> str:
    """A destination's name in the current language; the id itself when it is no built-in scene."""
    return i18n.pick(load(scene).name) if scene in builtin_ids() else scene


def progress_sentence(step: str, scene: str) -> str:
    """What the client is doing, for the citizen: ``step`` is ``starting`` or a status word."""
    if step == "backend":
        return _("Starting the built-in city backend…")
    if step == "loading":
        return _("Loading {place}…").format(place=place_name(scene))
    return _("Starting Metaverse Seoul…")


class ClientProcess(QObject):
    progress = Signal(str, str)  # the step ("starting", "backend", "loading") and the scene: see progress_sentence
    ready = Signal(str)  # scene id
    notice = Signal(str)  # something the citizen should know, e.g. why VR fell back to the desktop
    failed = Signal(str)  # a sentence for the citizen
    ended = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.process: QProcess | None = None
        self.request: LaunchRequest | None = None
        self.command: list[str] = []
        self._stderr = b""

    def start(self, request: LaunchRequest, environment: dict[str, str] | None = None) -> bool:
        """Start the client; returns False (and does nothing) while one is already running."""
        if self.running:
            return False
        self.command = [*paths.own_command(), *request.arguments()]
        process = QProcess(self)
        process.setProgram(self.command[0])
        process.setArguments(self.command[1:])
        if environment is not None:
            env = QProcessEnvironment()
            for key, value in environment.items():
                env.insert(key, value)
            process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self._read_status)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self._stderr = b""
        self.process = process
        self.request = request
        self.progress.emit("starting", request.scene)
        process.start()
        return True

    def stop(self) -> None:
        """End the client on purpose: no failure is reported for it."""
        if self.process is not None and self.process.state() != QProcess.NotRunning:
            self.process.finished.disconnect(self._finished)
            self.process.terminate()
            if not self.process.waitForFinished(3000):
                self.process.kill()
                self.process.waitForFinished(3000)
            self.ended.emit()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.NotRunning

    def _read_status(self) -> None:
        while self.process.canReadLine():
            line = bytes(self.process.readLine()).decode("utf-8", "replace").strip()
            if not line.startswith(STATUS):
                continue
            word, _space, text = line[len(STATUS):].strip().partition(" ")
            if word in ("backend", "loading"):
                self.progress.emit(word, self.request.scene)
            elif word == "ready":
                self.ready.emit(text.strip() or self.request.scene)
            elif word == "notice":
                self.notice.emit(text.strip())

    def _read_errors(self) -> None:
        self._stderr += bytes(self.process.readAllStandardError())

    def _finished(self, code: int, _status) -> None:
        self._read_errors()
        if code != 0:
            self.failed.emit(self._reason(code))
        self.ended.emit()

    def _error(self, error) -> None:
        if error == QProcess.FailedToStart:  # no finished signal follows this one
            self.failed.emit(_("The client could not be started: {problem}").format(problem=self.process.errorString()))
            self.ended.emit()

    def _reason(self, code: int) -> str:
        lines = [ln.strip() for ln in self._stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        said = [ln.split("metaseoul: ", 1)[1] for ln in lines if ln.startswith("metaseoul: ")]
        if said:
            return said[-1]
        return _("The client stopped unexpectedly (exit code {code}).").format(code=code)
