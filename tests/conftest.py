"""Shared fixtures: one offscreen Panda3D engine per test session (Panda3D allows one ShowBase)."""

from __future__ import annotations

import ctypes
import json
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
# Qt draws offscreen; settings, data and cached thumbnails go to folders of this test session's own.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
for folder in ("CONFIG", "DATA", "CACHE", "STATE"):
    os.environ[f"METASEOUL_{folder}_DIR"] = tempfile.mkdtemp(prefix=f"metaseoul-test-{folder.lower()}-")
os.environ["METASEOUL_LANG"] = "en"


@pytest.fixture(scope="session")
def offscreen_base():
    from metaseoul.runtime import engine

    return engine.start(offscreen=True)


@pytest.fixture(scope="session")
def openxr_runtime(tmp_path_factory) -> Path:
    """The OpenXR test runtime (tests/openxr_runtime), built here; yields its manifest for XR_RUNTIME_JSON."""
    assert shutil.which("gcc") and Path("/usr/include/openxr/openxr.h").exists(), \
        "gcc or the OpenXR headers are missing: run installer/setup-debian"
    folder = tmp_path_factory.mktemp("openxr-runtime")
    library = folder / "libmetaseoul_test_runtime.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-fvisibility=hidden", "-O1", "-Wall", "-Werror",
                    f"-I{Path(__file__).parent}", "-o", str(library),
                    str(Path(__file__).parent / "openxr_runtime" / "test_runtime.c"), "-lGL"], check=True)
    manifest = folder / "runtime.json"
    manifest.write_text('{"file_format_version": "1.0.0", "runtime": '
                        f'{{"name": "metaseoul test runtime", "library_path": "{library}"}}}}')
    return manifest


def _openvr_layout() -> str:
    """openvr_layout.h for the OpenVR test runtime: function table positions and structure offsets,
    taken from the openvr package, which mirrors the openvr.h it was made from."""
    import openvr

    lines = [f'#define SYSTEM_VERSION "{openvr.IVRSystem_Version}"',
             f'#define COMPOSITOR_VERSION "{openvr.IVRCompositor_Version}"']
    for prefix, table in (("SYSTEM", openvr.IVRSystem_FnTable), ("COMPOSITOR", openvr.IVRCompositor_FnTable)):
        lines += [f"#define {prefix}_{name} {i}" for i, (name, _type) in enumerate(table._fields_)]
        lines.append(f"#define {prefix}_COUNT {len(table._fields_)}")
    offsets = {"EVENT_TYPE": (openvr.VREvent_t, "eventType"), "STATE_PACKET": (openvr.VRControllerState_t, "unPacketNum"),
               "STATE_AXES": (openvr.VRControllerState_t, "rAxis"),
               "POSE_MATRIX": (openvr.TrackedDevicePose_t, "mDeviceToAbsoluteTracking"),
               "POSE_VALID": (openvr.TrackedDevicePose_t, "bPoseIsValid"),
               "POSE_CONNECTED": (openvr.TrackedDevicePose_t, "bDeviceIsConnected"),
               "TEXTURE_HANDLE": (openvr.Texture_t, "handle"), "TEXTURE_TYPE": (openvr.Texture_t, "eType")}
    lines += [f"#define {name}_OFFSET {getattr(struct, field).offset}" for name, (struct, field) in offsets.items()]
    lines.append(f"#define POSE_SIZE {ctypes.sizeof(openvr.TrackedDevicePose_t)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def openvr_runtime(tmp_path_factory) -> Path:
    """The OpenVR test runtime (tests/openvr_runtime), built here; yields the path registry for
    VR_PATHREG_OVERRIDE, which points the openvr package's loader at it."""
    assert shutil.which("gcc"), "gcc is missing: run installer/setup-debian"
    folder = tmp_path_factory.mktemp("openvr-runtime")
    (folder / "openvr_layout.h").write_text(_openvr_layout())
    binaries = folder / "runtime" / "bin" / "linux64"
    binaries.mkdir(parents=True)
    subprocess.run(["gcc", "-shared", "-fPIC", "-fvisibility=hidden", "-O1", "-Wall", "-Werror", f"-I{folder}",
                    f"-I{Path(__file__).parent}",
                    "-o", str(binaries / "vrclient.so"), str(Path(__file__).parent / "openvr_runtime" / "vrclient.c"),
                    "-lGL"], check=True)
    registry = folder / "openvrpaths.vrpath"
    registry.write_text(json.dumps({"version": 1, "runtime": [str(folder / "runtime")], "config": [str(folder)],
                                    "log": [str(folder)]}))
    return registry


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


def _serve_processes(marker: str) -> list[int]:
    """Pids of ``metaseoul serve`` processes whose command line mentions ``marker`` (a test's folder:
    other tests, and other runs on this machine, have their own)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and any(marker.encode() in a for a in args):
            found.append(int(cmdline.parent.name))
    return found


@pytest.fixture
def serve_processes():
    """``serve_processes(marker)``: the running backends a test started with ``marker`` in their folder."""
    return _serve_processes
