"""The built-in backend: the reference backend started on this computer when no other is chosen,
on a free localhost port, and stopped with the program that started it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from metaseoul.i18n import _


class EmbeddedBackend:
    def __init__(self, data: Path):
        self.data = data
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> str:
        """Start it (once) and return its address when it answers."""
        if self.running:
            return self.url
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.data.mkdir(parents=True, exist_ok=True)
        log = self.data / "backend.log"  # a file, not a pipe: a long visit's logs can never fill a pipe and stall it
        with open(log, "ab") as sink:
            self.process = subprocess.Popen([sys.executable, "-m", "metaseoul", "serve", "--port", str(port),
                                             "--data", str(self.data)], stdout=subprocess.DEVNULL, stderr=sink)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                last = log.read_text("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
                raise RuntimeError(_("the built-in backend stopped at start: {problem}").format(problem=last[0]))
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self.url
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(_("the built-in backend did not answer within {seconds} seconds").format(seconds=int(timeout)))

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
