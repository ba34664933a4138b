"""The reference backend as a real process on a real socket: discovery, Open311 complaints that
are never duplicated, data that survives SIGKILL, and the client outbox that delivers exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from conftest import Server, free_port

from metaseoul.backend.client import BackendClient, Complaint
from metaseoul.backend.outbox import Outbox
from metaseoul.launcher.backends import check_backend


COMPLAINT = Complaint("street-light", "The lamp by the floor fountain is out", 37.5655, 126.9775,
                      scene_id="city-hall", x=-60.0, y=-24.0, z=0.0)


def test_discovery_names_the_contract_and_the_launcher_accepts_it(server):
    doc = httpx.get(server.url + "/.well-known/metaseoul").json()
    assert doc["contract_version"].startswith("1.") and {"complaints", "city-data"} <= set(doc["capabilities"])
    assert doc["endpoints"]["open311"] == "/open311/v2" and set(doc["languages"]) >= {"ko", "en"}
    result = check_backend(server.url)
    assert result.ok and result.reason == "metaseoul reference backend"


def test_open311_services_in_both_languages(server):
    en = httpx.get(server.url + "/open311/v2/services.json").json()
    ko = httpx.get(server.url + "/open311/v2/services.json?locale=ko").json()
    assert {s["service_code"] for s in en} >= {"street-light", "illegal-parking", "accessibility-barrier"}
    assert next(s for s in ko if s["service_code"] == "street-light")["service_name"] == "가로등 고장"
    definition = httpx.get(server.url + "/open311/v2/services/street-light.json").json()
    assert [a["code"] for a in definition["attributes"]] == ["scene_id", "x", "y", "z"]


def test_a_retried_submission_returns_the_same_request(server):
    client = BackendClient(server.url)
    first = client.submit(COMPLAINT, "key-1")
    again = client.submit(COMPLAINT, "key-1")
    other = client.submit(COMPLAINT, "key-2")
    assert first == again != other
    stored = httpx.get(server.url + f"/open311/v2/requests/{first}.json").json()[0]
    assert stored["attributes"] == {"scene_id": "city-hall", "x": "-60.0", "y": "-24.0", "z": "0.0"}
    assert stored["status"] == "open" and stored["lat"] == pytest.approx(37.5655)
    assert len(httpx.get(server.url + "/open311/v2/requests.json").json()) == 2


@pytest.mark.parametrize("body, words", [
    ({"service_code": ["noise"], "lat": 37.5, "long": 127}, "service_code must be text"),
    ({"service_code": "noise", "lat": 37.5, "address_string": "Seoul Plaza"}, "give both lat and long"),
    ({"service_code": "noise", "address_string": {"street": "x"}}, "address_string must be text"),
    ({"service_code": "noise", "lat": True, "long": 127}, "lat and long must be numbers"),
])
def test_badly_typed_json_complaints_get_400(server, body, words):
    response = httpx.post(server.url + "/open311/v2/requests.json", json=body)
    assert response.status_code == 400 and words in response.json()[0]["description"]


def test_oversized_bodies_are_refused_before_they_are_read(server):
    response = httpx.post(server.url + "/open311/v2/requests.json", content=b"x" * 70_000,
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    response = httpx.post(server.url + "/reservations/v1/bookings", content=b"{" * 70_000,
                          headers={"Authorization": "Bearer nobody"})
    assert response.status_code in (401, 413)
    for path in ("/auth/token", "/auth/register"):  # every JSON body is limited the same way
        assert httpx.post(server.url + path, content=b"{" * 70_000).status_code == 413


def test_filters_by_time_range_codes_and_statuses(server):
    client = BackendClient(server.url)
    client.submit(COMPLAINT, "r-1")
    client.submit(Complaint("noise", "Drums at 3 am", 37.56, 126.97), "r-2")
    rows = httpx.get(server.url + "/open311/v2/requests.json", params={"service_code": "noise,street-light"}).json()
    assert len(rows) == 2
    assert len(httpx.get(server.url + "/open311/v2/requests.json", params={"status": "open,closed"}).json()) == 2
    in_seoul = datetime.now(timezone(timedelta(hours=9)))
    hour = timedelta(hours=1)
    around = {"start_date": (in_seoul - hour).isoformat(), "end_date": (in_seoul + hour).isoformat()}
    assert len(httpx.get(server.url + "/open311/v2/requests.json", params=around).json()) == 2
    later = {"start_date": (in_seoul + hour).isoformat()}
    assert httpx.get(server.url + "/open311/v2/requests.json", params=later).json() == []
    bad = httpx.get(server.url + "/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400


@pytest.mark.parametrize("fields, words", [
    ({"service_code": "dragons", "lat": "37.5", "long": "127"}, "service_code must be one of"),
    ({"service_code": "noise"}, "give lat and long, or address_string"),
    ({"service_code": "noise", "lat": "north", "long": "127"}, "lat and long must be numbers"),
    ({"service_code": "noise", "lat": "37.5", "long": "127", "description": "x" * 4001}, "longer than 4000"),
])
def test_bad_complaints_get_open311_errors(server, fields, words):
    response = httpx.post(server.url + "/open311/v2/requests.json", data=fields)
    assert response.status_code == 400
    assert words in response.json()[0]["description"]


def test_health_and_prometheus_metrics(server):
    BackendClient(server.url).submit(COMPLAINT, "m-1")
    text = httpx.get(server.url + "/metrics").text
    assert "# TYPE metaseoul_http_requests_total counter" in text
    assert 'metaseoul_http_requests_total{route="/open311/v2/requests.json",status="201"} 1' in text
    assert "metaseoul_service_requests 1" in text


def test_complaint_filed_while_the_backend_is_down_arrives_exactly_once(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    server = Server(tmp_path / "data", free_port())
    client = BackendClient(server.url, timeout=2)
    key = outbox.file(COMPLAINT)
    assert outbox.deliver(client) == [] and len(outbox.pending()) == 1, "kept while nobody answers"
    server.start()
    try:
        receipts = outbox.deliver(client)
        assert [r.key for r in receipts] == [key] and outbox.pending() == []
        assert outbox.deliver(client) == []
        assert len(httpx.get(server.url + "/open311/v2/requests.json").json()) == 1
    finally:
        server.stop()


def test_killed_mid_request_and_restarted_still_exactly_once(tmp_path):
    """The first attempt reached the backend but its answer was lost when the backend was killed
    (SIGKILL); the retry after the restart must find that request, not make a second one."""
    outbox = Outbox(tmp_path / "outbox")
    server = Server(tmp_path / "data", free_port()).start()
    key = outbox.file(COMPLAINT)
    lost_answer = BackendClient(server.url).submit(COMPLAINT, key)  # committed; the answer never arrives
    server.kill()
    client = BackendClient(server.url, timeout=2)
    assert outbox.deliver(client) == [], "down: still pending"
    server.start()
    try:
        receipts = outbox.deliver(client)
        assert receipts[0].service_request_id == lost_answer
        requests = httpx.get(server.url + "/open311/v2/requests.json").json()
        assert [r["service_request_id"] for r in requests] == [lost_answer]
        assert outbox.receipt(key).service_request_id == lost_answer
    finally:
        server.stop()


@pytest.mark.parametrize("status", [404, 429, 503])
def test_busy_or_misrouted_backends_keep_the_complaint_pending(tmp_path, status):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"not now")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        outbox = Outbox(tmp_path / "outbox")
        outbox.file(COMPLAINT)
        assert outbox.deliver(BackendClient(f"http://127.0.0.1:{httpd.server_address[1]}")) == []
        assert len(outbox.pending()) == 1, f"a {status} answer must not give the complaint up"
    finally:
        httpd.shutdown()


def test_refused_complaints_are_kept_with_the_reason(server, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    key = outbox.file(Complaint("dragons", "A dragon in the plaza", 37.56, 126.97))
    assert outbox.deliver(BackendClient(server.url)) == []
    refused = (tmp_path / "outbox" / "refused" / f"{key}.json").read_text()
    assert "service_code must be one of" in refused and outbox.pending() == []


def test_data_survives_a_restart(tmp_path):
    server = Server(tmp_path / "data", free_port()).start()
    ident = BackendClient(server.url).submit(COMPLAINT, "persist-1")
    server.kill()
    server.start()
    try:
        assert httpx.get(server.url + f"/open311/v2/requests/{ident}.json").json()[0]["service_request_id"] == ident
    finally:
        server.stop()


def test_answers_match_the_openapi_contract(server):
    import json
    from importlib import resources

    import jsonschema

    contract = json.loads((resources.files("metaseoul.backend") / "contract" / "openapi.json").read_text())

    def check(value, schema_ref: str) -> None:
        schema = {"$ref": schema_ref, "components": contract["components"]}
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(value)

    client = BackendClient(server.url)
    ident = client.submit(COMPLAINT, "contract-1")
    check(httpx.get(server.url + "/.well-known/metaseoul").json(), "#/components/schemas/Discovery")
    for service in httpx.get(server.url + "/open311/v2/services.json").json():
        check(service, "#/components/schemas/Service")
    check(httpx.get(server.url + "/open311/v2/services/noise.json").json(), "#/components/schemas/ServiceDefinition")
    for request in httpx.get(server.url + "/open311/v2/requests.json").json():
        check(request, "#/components/schemas/Request")
    check(httpx.post(server.url + "/open311/v2/requests.json", data=COMPLAINT.form(),
                     headers={"Idempotency-Key": "contract-1"}).json(), "#/components/schemas/Submitted")
    st = server.url + "/sensorthings/v1.1"
    check(httpx.get(st + "/Things", params={"$count": "true", "$top": "3"}).json(), "#/components/schemas/EntityPage")
    for observation in httpx.get(st + "/Datastreams(4)/Observations", params={"$top": "5"}).json()["value"]:
        check(observation, "#/components/schemas/Observation")
    check(httpx.get(st + "/Things", params={"$top": "x"}).json(), "#/components/schemas/SensorThingsError")
    assert ident
