"""The citizen's outbox: complaints are written to disk first and sent until the backend confirms.

Each complaint gets a random idempotency key when it is filed. Sending it again after a lost answer,
a crash of either side or a restart can never create a second request: the backend returns the one
it already made. Nothing the citizen filed is lost: refused complaints are kept with the reason.

Several threads and processes may use one outbox folder at once. ``deliver`` runs one at a time
(an exclusive ``flock`` on ``deliver.lock``, taken on an open file of each call's own, so threads
exclude each other as processes do, and freed by the kernel when its holder is killed). Files and
locks rather than an SQLite queue: each complaint stays one JSON file a person can read, and there is
nothing to repair after a kill. A file is written under a temporary name and renamed; opening the
outbox deals with temporary files a killed writer left, holding ``files.lock`` exclusively while
every write holds it shared, so no write in progress is mistaken for one: in ``pending/`` a complete
one is a complaint fully written whose filing was cut short, and is kept; a partial one was never
filed (``file`` had not returned) and is removed. In ``sent/`` and ``refused/`` they are removed:
the complaint is still in ``pending/`` until its answer is renamed into place, so it is sent again
and the backend answers as before. The folders are 0700 and the files 0600: they are the citizen's.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from metaseoul.backend.client import BackendClient, BackendUnavailable, Complaint, ComplaintRejected, Forbidden


@dataclass(frozen=True)
class Receipt:
    key: str
    service_request_id: str


@contextmanager
def _locked(path: Path, mode: int) -> Iterator[None]:
    """``path`` flocked (``fcntl.LOCK_EX`` or ``LOCK_SH``) through an open file of this call's own."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, mode)
        yield
    finally:
        os.close(descriptor)  # also unlocks


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write(path: Path, data: dict) -> None:
    """Write a small JSON file so that it is either all there or not there, even after a crash."""
    tmp = path.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _sync_folder(path.parent)


def _complete(tmp: Path) -> bool:
    """Whether a temporary file in pending/ holds the whole complaint its name promises."""
    try:
        item = json.loads(tmp.read_text("utf-8"))
    except ValueError:  # cut short: not JSON, or not even UTF-8
        return False
    return isinstance(item, dict) and item.get("key") == tmp.stem and {"filed", "complaint"} <= item.keys()


class Outbox:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pending_dir = folder / "pending"
        self.sent_dir = folder / "sent"
        self.refused_dir = folder / "refused"
        for d in (folder, self.pending_dir, self.sent_dir, self.refused_dir):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
            d.chmod(0o700)  # also an outbox made before it was kept private
        with self._files(fcntl.LOCK_EX):
            self._recover()

    def _files(self, mode: int):
        """The lock every write holds shared and the recovery at open exclusively."""
        return _locked(self.folder / "files.lock", mode)

    def _recover(self) -> None:
        """Settle the temporary files of writes that were killed (see the module's docstring)."""
        for tmp in self.pending_dir.glob("*.tmp"):
            if _complete(tmp):
                os.replace(tmp, tmp.with_suffix(".json"))
            else:
                tmp.unlink()
        for tmp in (*self.sent_dir.glob("*.tmp"), *self.refused_dir.glob("*.tmp")):
            tmp.unlink()

    def file(self, complaint: Complaint) -> str:
        key = uuid.uuid4().hex
        with self._files(fcntl.LOCK_SH):
            _write(self.pending_dir / f"{key}.json",
                   {"key": key, "filed": time.time(), "complaint": complaint.to_json()})
        return key

    def pending(self) -> list[dict]:
        """What is still to send, oldest first; a file delivered while this looks is left out."""
        items = []
        for path in self.pending_dir.glob("*.json"):
            try:
                items.append(json.loads(path.read_text("utf-8")))
            except FileNotFoundError:
                continue
        return sorted(items, key=lambda item: item["filed"])

    def receipt(self, key: str) -> Receipt | None:
        path = self.sent_dir / f"{key}.json"
        if not path.is_file():
            return None
        return Receipt(key, json.loads(path.read_text("utf-8"))["service_request_id"])

    def deliver(self, client: BackendClient) -> list[Receipt]:
        """Send what is pending, oldest first; stops at the first sign the backend is away. One call
        at a time delivers, across threads and processes; the others wait for it, then send what it left."""
        receipts = []
        with _locked(self.folder / "deliver.lock", fcntl.LOCK_EX):
            for item in self.pending():
                key = item["key"]
                try:
                    ident = client.submit(Complaint(**item["complaint"]), key)
                except (BackendUnavailable, Forbidden):  # away, or not serving this citizen now: kept for later
                    break
                except ComplaintRejected as exc:
                    self._settle(key, self.refused_dir, item | {"reason": str(exc)})
                    continue
                self._settle(key, self.sent_dir, {"key": key, "service_request_id": ident})
                receipts.append(Receipt(key, ident))
        return receipts

    def _settle(self, key: str, folder: Path, record: dict) -> None:
        """Record the backend's answer in ``folder``, then take the complaint out of pending/: in that
        order, so a kill between the two leaves it pending, to be sent again for the same answer."""
        with self._files(fcntl.LOCK_SH):
            _write(folder / f"{key}.json", record)
            (self.pending_dir / f"{key}.json").unlink(missing_ok=True)
