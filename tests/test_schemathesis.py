"""The OpenAPI document against a real ``metaseoul serve``, by a tool of its own (schemathesis 4):
every operation, with every check it has (status codes, content types, response schemas and headers,
Allow on 405, negative data refused, positive data taken, auth not ignored, deleted things gone),
over seeded, bounded examples, and its stateful phase along the document's links.

The server runs with METASEOUL_BACKEND_POLICY=relaxed, so that the thousand-odd calls from one address
meet the handlers instead of the abuse policy's 429 (which tests/test_abuse.py tests); calls go with a
moderator's token, so that the moderation operations are reached too (ignored_auth takes it away).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

CONTRACT = Path(__file__).parents[1] / "metaseoul" / "backend" / "contract" / "openapi.json"
SETTINGS = Path(__file__).parent / "schemathesis.toml"  # the answers a schema cannot predict, each with its reason
EXAMPLES = 100  # per operation and phase: about 3,000 cases, under a minute of the server's time
RUN_SECONDS = 300


@pytest.fixture
def server(backend_process, monkeypatch):
    """The reference backend with the relaxed policy (it says so in its log)."""
    monkeypatch.setenv("METASEOUL_BACKEND_POLICY", "relaxed")
    started = backend_process.start()
    assert "METASEOUL_BACKEND_POLICY=relaxed" in started.log.read_text("utf-8")
    return started


def test_the_backend_keeps_its_openapi_document(server, moderator, tmp_path):
    name, password = moderator
    token = httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(SETTINGS), "--no-color", "run", str(CONTRACT),
         "--url", server.url, "--checks", "all", "--max-examples", str(EXAMPLES), "--generation-deterministic",
         "--workers", "1", "--header", f"Authorization: Bearer {token}",
         "--report-dir", str(tmp_path / "report")],
        check=False, capture_output=True, text=True, timeout=RUN_SECONDS, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-2000:]
    operations = sum(method in ("get", "post", "put", "patch", "delete")
                     for path in json.loads(CONTRACT.read_text("utf-8"))["paths"].values() for method in path)
    assert f"Tested: {operations}\n" in run.stdout, run.stdout[-5000:]  # every operation was reached
