"""This computer's guest sessions, kept between visits in its private state folder: a random device key,
made once (a backend bans the device behind a guest session by it, not the whole network it is on),
and per backend the last guest token while it has an hour left (backends limit guest sessions per
address, and a kiosk starts a visit for every citizen)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from metaseoul.backend.client import BackendClient
from metaseoul.paths import state_dir

KEEP_SECONDS = 3600  # a kept token is used again only while it has at least this long left


def device_key() -> str:
    path = state_dir() / "device-key"
    try:
        return path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        key = secrets.token_urlsafe(24)
        _write_private(path, key)
        return key


def guest_token(client: BackendClient, auth: str) -> str:
    """A guest token for ``client``'s backend: the kept one while it lasts, else a new one (kept)."""
    kept = _kept()
    entry = kept.get(client.base_url)
    if isinstance(entry, dict) and isinstance(entry.get("token"), str) and \
            isinstance(entry.get("until"), (int, float)) and entry["until"] - time.time() > KEEP_SECONDS:
        return entry["token"]
    session = client.guest_session(auth, device_key())
    kept[client.base_url] = {"token": session["access_token"], "until": time.time() + float(session["expires_in"])}
    _write_private(_kept_path(), json.dumps(kept))
    return session["access_token"]


def forget(base_url: str) -> None:
    """Drop the kept token of a backend that refused it (expired early, or its data was replaced)."""
    kept = _kept()
    if kept.pop(base_url.rstrip("/"), None) is not None:
        _write_private(_kept_path(), json.dumps(kept))


def _kept_path() -> Path:
    return state_dir() / "guest-sessions.json"


def _kept() -> dict:
    try:
        kept = json.loads(_kept_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _write_private(path: Path, text: str) -> None:
    """``text`` as ``path``, readable by this user only, replaced whole (never half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)
