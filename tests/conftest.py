"""Shared fixtures: one offscreen Panda3D engine per test session (Panda3D allows one ShowBase)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# Qt draws offscreen; settings and cached thumbnails go to a folder of this test session's own.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["METASEOUL_CONFIG_DIR"] = tempfile.mkdtemp(prefix="metaseoul-test-config-")
os.environ["METASEOUL_LANG"] = "en"


@pytest.fixture(scope="session")
def offscreen_base():
    from metaseoul.client import engine

    return engine.start(offscreen=True)


@pytest.fixture(scope="session")
def openxr_runtime(tmp_path_factory) -> Path:
    """The OpenXR test runtime (tests/openxr_runtime), built here; yields its manifest for XR_RUNTIME_JSON."""
    assert shutil.which("gcc") and Path("/usr/include/openxr/openxr.h").exists(), \
        "gcc or the OpenXR headers are missing: run installer/setup-debian"
    folder = tmp_path_factory.mktemp("openxr-runtime")
    library = folder / "libmetaseoul_test_runtime.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-fvisibility=hidden", "-O1", "-Wall", "-Werror", "-o", str(library),
                    str(Path(__file__).parent / "openxr_runtime" / "test_runtime.c"), "-lGL"], check=True)
    manifest = folder / "runtime.json"
    manifest.write_text('{"file_format_version": "1.0.0", "runtime": '
                        f'{{"name": "metaseoul test runtime", "library_path": "{library}"}}}}')
    return manifest


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def x_display():
    """A virtual X display (Xvfb) for the client's real window; yields its DISPLAY value."""
    assert shutil.which("Xvfb"), "Xvfb is missing: run installer/setup-debian"
    for number in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield f":{number}"
    server.terminate()
    server.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``metaseoul serve`` in its own process, started and killed like a real deployment."""

    def __init__(self, data, port: int):
        self.data, self.port, self.process = data, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> Server:
        self.process = subprocess.Popen([sys.executable, "-m", "metaseoul", "serve", "--port", str(self.port),
                                         "--data", str(self.data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.process.stderr.read().decode()
            assert time.monotonic() < deadline, "the backend did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def server(tmp_path):
    """A reference backend of this test's own, on a free port."""
    running = Server(tmp_path / "data", free_port()).start()
    yield running
    running.stop()




@pytest.fixture
def moderator(server) -> tuple[str, str]:
    """A registered user of ``server`` made moderator with ``metaseoul moderator``: (name, password)."""
    name, password = "moderator-kim", "correct horse battery"
    assert httpx.post(server.url + "/auth/register", json={"name": name, "password": password}).status_code == 201
    granted = subprocess.run([sys.executable, "-m", "metaseoul", "moderator", name, "--data", str(server.data)],
                             capture_output=True, text=True, timeout=60)
    assert granted.returncode == 0, granted.stderr
    return name, password


@pytest.fixture
def dead_url():
    """An address where nothing answers: the port is held but never listened on."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"
