"""Shared fixtures: one offscreen Panda3D engine per test session (Panda3D allows one ShowBase)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

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
