"""The citizen's outbox: complaints are written to disk first and sent until the backend confirms.

Each complaint gets a random idempotency key when it is filed. Sending it again after a lost answer,
a crash of either side or a restart can never create a second request: the backend returns the one
it already made. Nothing the citizen filed is lost: refused complaints are kept with the reason.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from metaseoul.backend.client import BackendClient, BackendUnavailable, Complaint, ComplaintRejected


@dataclass(frozen=True)
class Receipt:
    key: str
    service_request_id: str


def _write(path: Path, data: dict) -> None:
    """Write a small JSON file so that it is either all there or not there, even after a crash."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class Outbox:
    def __init__(self, folder: Path):
        self.pending_dir = folder / "pending"
        self.sent_dir = folder / "sent"
        self.refused_dir = folder / "refused"
        for d in (self.pending_dir, self.sent_dir, self.refused_dir):
            d.mkdir(parents=True, exist_ok=True)

    def file(self, complaint: Complaint) -> str:
        key = uuid.uuid4().hex
        _write(self.pending_dir / f"{key}.json",
               {"key": key, "filed": time.time(), "complaint": complaint.to_json()})
        return key

    def pending(self) -> list[dict]:
        items = [json.loads(p.read_text("utf-8")) for p in self.pending_dir.glob("*.json")]
        return sorted(items, key=lambda item: item["filed"])

    def receipt(self, key: str) -> Receipt | None:
        path = self.sent_dir / f"{key}.json"
        if not path.is_file():
            return None
        return Receipt(key, json.loads(path.read_text("utf-8"))["service_request_id"])

    def deliver(self, client: BackendClient) -> list[Receipt]:
        """Send what is pending, oldest first; stops at the first sign the backend is away."""
        receipts = []
        for item in self.pending():
            key = item["key"]
            try:
                ident = client.submit(Complaint(**item["complaint"]), key)
            except BackendUnavailable:
                break
            except ComplaintRejected as exc:
                _write(self.refused_dir / f"{key}.json", item | {"reason": str(exc)})
                (self.pending_dir / f"{key}.json").unlink()
                continue
            _write(self.sent_dir / f"{key}.json", {"key": key, "service_request_id": ident})
            (self.pending_dir / f"{key}.json").unlink()
            receipts.append(Receipt(key, ident))
        return receipts
