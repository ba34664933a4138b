"""The scene catalogue a backend offers: every scene with its version, SHA-256, size and languages,
and the file itself, so clients can fetch scenes and check them before use."""

from __future__ import annotations

import hashlib
import json

from metaseoul.scenes.catalog import builtin_dir


def catalogue() -> dict[str, tuple[dict, bytes]]:
    out = {}
    for path in sorted(builtin_dir().glob("*.json")):
        data = path.read_bytes()
        doc = json.loads(data)
        out[doc["id"]] = ({
            "id": doc["id"], "version": doc.get("version", "1.0.0"), "name": doc["name"],
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "languages": sorted(doc["name"]),
        }, data)
    return out
