"""The conformance checker: it passes the reference backend and names what a broken one gets wrong."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


def check(url: str, *args: str, out=None) -> subprocess.CompletedProcess:
    extra = ["--json", str(out)] if out else []
    return subprocess.run([sys.executable, "-m", "metaseoul", "check-backend", url, *args, *extra],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, METASEOUL_LANG="en"))


def test_the_reference_backend_passes_every_check(server, moderator, tmp_path):
    result = check(server.url, "--write", "--moderator", ":".join(moderator), out=tmp_path / "report.json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["passed"] and len(report["checks"]) >= 12
    capabilities = {c["capability"] for c in report["checks"]}
    assert capabilities == {"discovery", "accounts", "complaints", "city-data", "reservations", "content", "realtime",
                            "moderation"}
    assert "FAIL" not in result.stdout and "skipped" not in result.stdout
    assert REFUSED_EDGES <= {c["check"] for c in report["checks"] if c["passed"]}


def test_writing_checks_only_with_write(server):
    result = check(server.url)
    assert result.returncode == 0
    assert "skipped: needs --write" in result.stdout and "skipped: needs --moderator" in result.stdout


# The checks of what a backend must refuse: keys it cannot keep, and password guessing.
REFUSED_EDGES = {"empty and malformed Idempotency-Key refused",
                 "an Idempotency-Key reused with another body refused (409)",
                 "repeated wrong passwords answered 429 with Retry-After"}


class StandIn(BaseHTTPRequestHandler):
    """A stand-in backend's handler: JSON answers, nothing logged."""

    def answer(self, status: int, body) -> None:
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


class Broken(StandIn):
    """Claims complaints and accounts, but its services list is not Open311, it makes duplicates whatever
    the Idempotency-Key, and it lets anyone guess passwords for ever."""

    def do_GET(self):  # noqa: N802
        answers = {
            "/.well-known/metaseoul": {"contract_version": "1.0.0", "name": "Broken City",
                                       "capabilities": ["complaints", "accounts"],
                                       "endpoints": {"open311": "/open311/v2"}, "limits": {}, "languages": ["ko"]},
            "/open311/v2/services.json": {"services": "none"},
        }
        body = answers.get(self.path.split("?")[0])
        self.answer(200 if body is not None else 404, body or [{"code": 404, "description": "no"}])

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        status, body = {"/auth/token": (401, {"code": 401, "message": "wrong user name or password"}),
                        "/auth/register": (201, {"name": "someone"})}.get(
            self.path, (201, [{"service_request_id": os.urandom(4).hex()}]))
        self.answer(status, body)


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A stand-in backend answering with ``handler`` on a free localhost port, while the block runs: its URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def test_a_broken_backend_fails_naming_the_check(tmp_path):
    with serving(Broken) as url:
        result = check(url, "--write", out=tmp_path / "report.json")
    assert result.returncode == 1
    assert "FAIL  complaints: services and definitions" in result.stdout
    assert "FAIL  complaints: malformed and oversized input refused" in result.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert not report["passed"]
    failed = {c["check"] for c in report["checks"] if not c["passed"]}
    assert "submission is idempotent and readable" in failed and REFUSED_EDGES <= failed
    assert "FAIL  accounts: repeated wrong passwords answered 429 with Retry-After" in result.stdout
    assert "PASS  discovery: discovery document" in result.stdout


OLD_THINGS = [{"@iot.id": i, "@iot.selfLink": f"/sensorthings/v1.1/Things({i})", "name": f"spot {i:02}"}
              for i in range(1, 13)]


class OldSensorThings(StandIn):
    """City data as the reference backend served it before SensorThings 1.1 was kept: links that are
    paths, no serverSettings, "ASC" refused, and a filter on a property nobody has answering nothing."""

    def do_GET(self):  # noqa: N802
        path, _, query = self.path.partition("?")
        params = dict(parse_qsl(query))
        status, body = 404, {"code": 404, "message": "no"}
        if path == "/.well-known/metaseoul":
            status, body = 200, {"contract_version": "1.0.0", "name": "Old City", "capabilities": ["city-data"],
                                 "endpoints": {"sensorthings": "/sensorthings/v1.1"}, "limits": {}, "languages": ["ko"]}
        elif path == "/sensorthings/v1.1":
            status, body = 200, {"value": [{"name": "Things", "url": "/sensorthings/v1.1/Things"}]}
        elif path == "/sensorthings/v1.1/Things":
            if params.get("$orderby", "").split()[-1:] not in ([], ["asc"], ["desc"]):
                status, body = 400, {"code": 400, "message": "$orderby: expected asc or desc"}
            else:
                top, skip = int(params.get("$top", "100")), int(params.get("$skip", "0"))
                rows = [] if "$filter" in params else OLD_THINGS
                status, body = 200, {"@iot.count": len(rows), "value": rows[skip:skip + top],
                                     "@iot.nextLink": f"/sensorthings/v1.1/Things?$top={top}&$skip={skip + top}"}
        self.answer(status, body)


def test_city_data_that_breaks_sensorthings_clients_fails_naming_the_checks(tmp_path):
    with serving(OldSensorThings) as url:
        result = check(url, out=tmp_path / "report.json")
    assert result.returncode == 1
    failed = {c["check"]: c["detail"] for c in json.loads((tmp_path / "report.json").read_text())["checks"]
              if not c["passed"]}
    assert "the service root lacks" in failed["service root: every entity set and serverSettings.conformance"]
    assert "does not match '^https?://'" in failed["Things, $top, $count and absolute self and next links"]
    assert "got 400" in failed["$orderby direction in any case (asc, ASC, Asc)"]
    assert "not 400" in failed["unknown properties in $filter, $orderby and $select refused (400)"]
