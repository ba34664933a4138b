"""The built-in backend: the reference backend started on this computer when no other is chosen,
on a free localhost port, and stopped with the program that started it, even when that program is
killed (on Linux the kernel sends it SIGTERM when its parent goes: PR_SET_PDEATHSIG).

The parent is, to the kernel, the thread that started it: start it from a thread that lives as
long as the program (the main thread), or it stops when that thread ends."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from metaseoul import paths
from metaseoul.errors import BackendUnreachable
from metaseoul.i18n import _

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class EmbeddedBackend:
    def __init__(self, data: Path):
        self.data = data
        self.process: subprocess.Popen | None = None
        self.url = ""

    @classmethod
    def default(cls) -> EmbeddedBackend:
        """This user's built-in backend, its database in the XDG data folder. Earlier versions kept it in
        the config folder: that folder is moved here first, so no account or complaint is lost."""
        data = paths.data_dir() / "backend"
        old = paths.config_dir() / "backend"
        if old.is_dir() and not data.exists():
            _move_folder(old, data)
        return cls(data)

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
            self.process = subprocess.Popen([*paths.own_command(), "serve", "--port", str(port),
                                             "--data", str(self.data)], stdout=subprocess.DEVNULL, stderr=sink,
                                            preexec_fn=_stop_with_parent())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                last = log.read_text("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
                raise BackendUnreachable(_("the built-in backend stopped at start: {problem}").format(problem=last[0]))
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self.url
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise BackendUnreachable(_("the built-in backend did not answer within {seconds} seconds").format(
            seconds=int(timeout)))

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


def _stop_with_parent() -> Callable[[], None] | None:
    """What the child runs before ``metaseoul serve``: ask for SIGTERM when the parent goes (Linux),
    and leave at once if the parent went already, between the fork and the request."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: no dlopen in the forked child

    def request() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)
    return request


def _move_folder(old: Path, new: Path) -> None:
    """Move ``old`` to ``new`` so that, stopped at any point, one of the two is whole: a rename on one
    file system; across two, a copy that is put in place by a rename before the old folder goes."""
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        old.rename(new)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    staging = new.with_name(new.name + ".moving")
    shutil.rmtree(staging, ignore_errors=True)  # a copy an earlier move did not finish
    shutil.copytree(old, staging, symlinks=True)
    staging.rename(new)
    shutil.rmtree(old)
