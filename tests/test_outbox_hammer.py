"""One outbox folder used at once by four threads and two processes against a real ``metaseoul serve``,
through SIGKILLs of delivering processes and of the backend: every complaint filed reaches the
backend exactly once, nothing escapes ``deliver()``, and no temporary file is left. Also: what a
killed write leaves is settled when the outbox opens, and the outbox's files are private."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx

from metaseoul.backend.client import BackendClient, Complaint
from metaseoul.backend.outbox import Outbox

THREADS, THREAD_COMPLAINTS = 4, 10
PACE = 0.6  # at most this many seconds between a thread's filings, so they span the kills below
ROUNDS, PROCESS_COMPLAINTS = 3, 8  # each round: two processes, the first killed mid-way, then the backend
CITIZEN = """
import sys
from pathlib import Path
from metaseoul.backend.client import BackendClient, Complaint
from metaseoul.backend.outbox import Outbox

folder, url, name, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
outbox, client = Outbox(folder), BackendClient(url, timeout=2)
for i in range(count):
    outbox.file(Complaint("noise", f"{name}-{i}", 37.56, 126.97))
    print(f"{name}-{i}", flush=True)
    outbox.deliver(client)
"""


def complaint(description: str) -> Complaint:
    return Complaint("noise", description, 37.56, 126.97)


class Citizens:
    """Threads filing and delivering in this process; what they filed, and what escaped them."""

    def __init__(self, folder: Path, url: str):
        self.folder, self.url = folder, url
        self.filed: set[str] = set()
        self.escaped: list[BaseException] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.citizen, args=(n,)) for n in range(THREADS)]

    def citizen(self, n: int) -> None:
        outbox, client = Outbox(self.folder), BackendClient(self.url, timeout=2)
        try:
            for i in range(THREAD_COMPLAINTS):
                outbox.file(complaint(f"thread{n}-{i}"))
                with self.lock:
                    self.filed.add(f"thread{n}-{i}")
                outbox.deliver(client)
                threading.Event().wait(random.uniform(0, PACE))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.escaped.append(exc)


def citizen_process(folder: Path, url: str, name: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as err:
        return subprocess.Popen([sys.executable, "-c", CITIZEN, str(folder), url, name, str(PROCESS_COMPLAINTS)],
                                stdout=subprocess.PIPE, stderr=err, text=True)


def kill_after(process: subprocess.Popen, lines: int) -> list[str]:
    """SIGKILL ``process`` soon after it printed ``lines`` filings (mid-delivery); every filing it printed."""
    said = [process.stdout.readline().strip() for _ in range(lines)]
    threading.Event().wait(random.uniform(0, 0.05))
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    return [*said, *process.stdout.read().split()]


def test_hammered_outbox_delivers_each_complaint_exactly_once(backend_process, tmp_path):
    server, folder, log = backend_process.start(), tmp_path / "outbox", tmp_path / "citizens.log"
    citizens = Citizens(folder, server.url)
    processes: list[subprocess.Popen] = []
    try:
        for thread in citizens.threads:
            thread.start()
        for n in range(ROUNDS):
            killed, survivor = (citizen_process(folder, server.url, f"process{n}{k}", log) for k in "ab")
            processes += [killed, survivor]
            citizens.filed.update(kill_after(killed, 2 + n))
            server.kill()
            server.start()
            citizens.filed.update(survivor.communicate(timeout=60)[0].split())
            assert survivor.returncode == 0
        for thread in citizens.threads:
            thread.join(60)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    outbox = Outbox(folder)  # as the next start of the client: settles what the kills left
    outbox.deliver(BackendClient(server.url))
    assert citizens.escaped == [] and "Traceback" not in log.read_text("utf-8")
    assert outbox.pending() == [] and list(folder.rglob("*.tmp")) == []
    rows = httpx.get(server.url + "/open311/v2/requests.json").json()
    counts = Counter(row["description"] for row in rows)
    assert [d for d, times in counts.items() if times > 1] == [], "filed twice"
    assert citizens.filed - set(counts) == set(), "lost"
    sent = {json.loads(p.read_text())["service_request_id"] for p in (folder / "sent").glob("*.json")}
    assert sent == {row["service_request_id"] for row in rows}, "every request in the backend has its receipt"
    assert len(citizens.filed) >= THREADS * THREAD_COMPLAINTS + ROUNDS * (PROCESS_COMPLAINTS + 2)


def test_what_killed_writes_left_is_settled_at_open(server, tmp_path):
    folder = tmp_path / "outbox"
    outbox = Outbox(folder)
    kept = outbox.file(complaint("filed, then killed before its answer was renamed into place"))
    (folder / "sent" / f"{kept}.tmp").write_text('{"key": "' + kept)  # the answer, half written
    whole = {"key": "b" * 32, "filed": 1.0, "complaint": complaint("fully written, not yet renamed").to_json()}
    (folder / "pending" / f"{'b' * 32}.tmp").write_text(json.dumps(whole))
    (folder / "pending" / f"{'c' * 32}.tmp").write_text('{"key": "ccc')  # cut short: never filed
    reopened = Outbox(folder)
    assert list(folder.rglob("*.tmp")) == []
    assert sorted(item["key"] for item in reopened.pending()) == sorted([kept, "b" * 32])
    receipts = reopened.deliver(BackendClient(server.url))
    assert {r.key for r in receipts} == {kept, "b" * 32}
    assert len(httpx.get(server.url + "/open311/v2/requests.json").json()) == 2


def test_the_outbox_files_are_private(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    key = Outbox(folder).file(complaint("mine alone"))
    for d in (folder, folder / "pending", folder / "sent", folder / "refused"):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, d
    for f in (folder / "pending" / f"{key}.json", folder / "files.lock"):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
