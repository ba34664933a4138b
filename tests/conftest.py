"""Shared fixtures: one offscreen Panda3D engine per test session (Panda3D allows one ShowBase), the
reference backend in-process (app_client) or as its own process (server), and a check that no test
leaves a process of its own running."""

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
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

with warnings.catch_warnings():  # Starlette 1.x would rather its TestClient ran on httpx2; httpx still serves
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

FIXTURES = Path(__file__).parent / "fixtures"
# Qt draws offscreen; settings, data and cached thumbnails go to folders of this test session's own.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
FOLDER_KINDS = ("CONFIG", "DATA", "CACHE", "STATE")
RUN_FOLDERS = tuple(tempfile.mkdtemp(prefix=f"metaseoul-test-{kind.lower()}-") for kind in FOLDER_KINDS)
os.environ.update({f"METASEOUL_{kind}_DIR": folder for kind, folder in zip(FOLDER_KINDS, RUN_FOLDERS)})
os.environ["METASEOUL_LANG"] = "en"
LEFTOVER_GRACE_SECONDS = 10  # how long a test's process may take to finish exiting before it counts as left
SESSION_PROCESSES: set[int] = set()  # started by session fixtures (Xvfb), which end them when the run ends


@pytest.fixture(scope="session")
def offscreen_base():
    from metaseoul.runtime import engine

    return engine.start(offscreen=True)


@pytest.fixture
def visit(offscreen_base, tmp_path):
    """A visit of City Hall and Seoul Plaza with no presenter and no city, its settings in this test's folder."""
    from metaseoul.visit.core import Visit

    running = Visit(offscreen_base, "city-hall", settings_path=tmp_path / "settings.json")
    yield running
    running.close()
    running.walker.body.removeNode()


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
    SESSION_PROCESSES.add(server.pid)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)
        SESSION_PROCESSES.discard(server.pid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``metaseoul serve`` in its own process, started and killed like a real deployment; its log goes
    to a file beside its data, so a busy server never blocks on a full pipe."""

    def __init__(self, data: Path, port: int):
        self.data, self.port, self.process = data, port, None
        self.url = f"http://127.0.0.1:{port}"
        self.log = data.parent / f"serve-{port}.log"

    def start(self) -> Server:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "metaseoul", "serve", "--port", str(self.port),
                                             "--data", str(self.data)], stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the backend did not start:\n{self.log.read_text('utf-8', 'replace')[-2000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), as a deployment would; kill it if it has not within ten seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def backend_process(tmp_path) -> Iterator[Server]:
    """A reference backend process of this test's own on a free port, not started yet; the test starts,
    kills and restarts it, and it is stopped after the test whatever happened."""
    process = Server(tmp_path / "data", free_port())
    yield process
    process.stop()


@pytest.fixture
def server(backend_process) -> Server:
    """A reference backend of this test's own, on a free port, running."""
    return backend_process.start()


@pytest.fixture
def app_client(tmp_path) -> Iterator[TestClient]:
    """The reference backend's application in this process, its lifespan run, answering through httpx's
    ASGI seam instead of a socket: for tests of what the handlers answer. Its base URL is http://testserver."""
    from metaseoul.backend.app import create_app

    with TestClient(create_app(tmp_path / "data")) as client:
        yield client


@pytest.fixture
def moderator(server) -> tuple[str, str]:
    """A registered user of ``server`` made moderator with ``metaseoul moderator``: (name, password)."""
    name, password = "kim-minseo", "correct horse battery"  # names may not start like a role ("moderator")
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


@pytest.fixture
def serve_processes():
    """``serve_processes(marker)``: pids of the running backends with ``marker`` (a test's folder) in their
    command line; other tests, and other runs on this machine, have their own folders."""
    return lambda marker: [pid for pid, cmd in _processes_of_this_run((marker,)).items()
                           if " serve " in f" {cmd} " and marker in cmd]


def _ancestors() -> set[int]:
    """pytest and the processes above it (a timeout, a shell), whose command lines may name our folders."""
    found, pid = set(), os.getpid()
    while pid > 1:
        found.add(pid)
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat[stat.rindex(")") + 2:].split()[1])
    return found


def _processes_of_this_run(markers: tuple[str, ...]) -> dict[int, str]:
    """Running processes this test run started: children of pytest, and any process (an orphaned
    grandchild too) whose command line names one of this run's folders. Pid: command line."""
    found, skip = {}, _ancestors() | SESSION_PROCESSES
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # it ended while we looked
            continue
        state, parent = stat[stat.rindex(")") + 2:].split()[:2]  # the name in brackets may hold spaces
        if state in ("Z", "X"):  # ended, only not yet reaped: nothing is running
            continue
        if int(parent) == os.getpid() or any(marker in cmdline for marker in markers):
            found[int(entry.name)] = cmdline
    return found


def _left_running(before: dict[int, str], markers: tuple[str, ...]) -> dict[int, str]:
    """The processes started since ``before`` that still run after a grace period (they may be exiting)."""
    deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
    while True:
        left = {pid: cmd for pid, cmd in _processes_of_this_run(markers).items() if pid not in before}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _fail_for(left: dict[int, str], when: str) -> None:
    for pid in left:  # ended here, so that the next tests start clean
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    pytest.fail(f"{when} left processes running (now killed):\n"
                + "\n".join(f"  {pid}: {cmd}" for pid, cmd in left.items()), pytrace=False)


@pytest.fixture(scope="session")
def _run_folders(tmp_path_factory) -> tuple[str, ...]:
    return (f"{tmp_path_factory.getbasetemp()}/", *(f"{folder}/" for folder in RUN_FOLDERS))


@pytest.fixture(scope="session", autouse=True)
def _no_process_left_by_the_run(_run_folders):
    """Session fixtures (Xvfb) and everything else must have ended their processes by the end of the run."""
    yield
    left = _left_running({}, _run_folders)
    if left:
        _fail_for(left, "the test run")


@pytest.fixture(autouse=True)
def _no_process_left_by_the_test(_run_folders):
    """Each test ends the processes it started (a server, a client, the built-in backend a client started)."""
    before = _processes_of_this_run(_run_folders)
    yield
    left = _left_running(before, _run_folders)
    if left:
        _fail_for(left, "this test")
