"""The built-in backend on this computer: where its data lives (and is moved from), and that its
process never outlives the program that started it, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from metaseoul.backend.client import BackendClient, Complaint
from metaseoul.backend.embedded import EmbeddedBackend, _move_folder

COMPLAINT = Complaint("street-light", "The lamp by the floor fountain is out", 37.5655, 126.9775)


@pytest.fixture
def folders(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """This test's own config and data folders: (config, data)."""
    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setenv("METASEOUL_CONFIG_DIR", str(config))
    monkeypatch.setenv("METASEOUL_DATA_DIR", str(data))
    return config, data


def file_a_complaint(backend: EmbeddedBackend) -> str:
    client = BackendClient(backend.start())
    try:
        return client.submit(COMPLAINT, "lamp-1")
    finally:
        client.close()
        backend.stop()


def test_the_built_in_backend_keeps_its_data_in_the_data_folder(folders):
    _config, data = folders
    backend = EmbeddedBackend.default()
    assert backend.data == data / "backend"
    file_a_complaint(backend)
    assert (data / "backend" / "metaseoul.sqlite3").is_file()


def test_a_complaint_filed_before_the_move_is_still_there_after_it(folders):
    config, data = folders
    ident = file_a_complaint(EmbeddedBackend(config / "backend"))  # where earlier versions kept it
    backend = EmbeddedBackend.default()
    assert backend.data == data / "backend" and not (config / "backend").exists()
    try:
        stored = httpx.get(backend.start() + f"/open311/v2/requests/{ident}.json").json()[0]
    finally:
        backend.stop()
    assert stored["description"] == COMPLAINT.description


def test_an_old_folder_is_left_alone_once_the_new_one_exists(folders):
    config, data = folders
    (config / "backend").mkdir(parents=True)
    (config / "backend" / "metaseoul.sqlite3").write_bytes(b"old")
    (data / "backend").mkdir(parents=True)
    (data / "backend" / "metaseoul.sqlite3").write_bytes(b"new")
    EmbeddedBackend.default()
    assert (config / "backend" / "metaseoul.sqlite3").read_bytes() == b"old"
    assert (data / "backend" / "metaseoul.sqlite3").read_bytes() == b"new"


def test_a_move_to_another_file_system_copies_everything_then_removes_the_old(tmp_path):
    other = Path("/dev/shm")
    if not other.is_dir() or other.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    old = tmp_path / "backend"
    (old / "logs").mkdir(parents=True)
    (old / "metaseoul.sqlite3").write_bytes(b"complaints")
    (old / "logs" / "backend.log").write_text("started")
    new = Path(f"/dev/shm/metaseoul-test-{os.getpid()}") / "backend"
    (new.parent / "backend.moving").mkdir(parents=True)  # what a move stopped half-way left behind
    try:
        _move_folder(old, new)
        assert (new / "metaseoul.sqlite3").read_bytes() == b"complaints"
        assert (new / "logs" / "backend.log").read_text() == "started"
        assert not old.exists() and not (new.parent / "backend.moving").exists()
    finally:
        subprocess.run(["rm", "-rf", str(new.parent)], check=True)


PARENT = """
import sys, time
from pathlib import Path
from metaseoul.backend.embedded import EmbeddedBackend
backend = EmbeddedBackend(Path(sys.argv[1]))
backend.start()
print(backend.process.pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody has reaped yet does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_backend_stops_when_its_parent_is_killed(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "data")], stdout=subprocess.PIPE, text=True)
    try:
        served = int(parent.stdout.readline())
        assert alive(served) and b"serve" in Path(f"/proc/{served}/cmdline").read_bytes()
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 30  # a bound on the wait, not a measure: SIGTERM, then uvicorn's shutdown
    while alive(served) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(served):
        os.kill(served, signal.SIGKILL)
        pytest.fail("metaseoul serve outlived the program that started it")
