"""Starting a backend for the backend benchmarks (run them as scripts from this folder): a server
process on a free localhost port, waited for until it answers /healthz."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference_command(port: int, folder: Path) -> list[str]:
    return [sys.executable, "-m", "metaseoul", "serve", "--port", str(port), "--data", str(folder)]


def start(command: list[str], port: int) -> tuple[subprocess.Popen, str]:
    """Run ``command`` (which serves on ``port``) and wait until it answers; (process, base URL)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the backend did not start")
