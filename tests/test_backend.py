"""The reference backend: discovery and Open311 complaints that are never duplicated, answered
in-process; as a real process on a real socket, data that survives SIGKILL and the client outbox
that delivers exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from metaseoul.backend.client import BackendClient, Complaint
from metaseoul.backend.outbox import Outbox
from metaseoul.launcher.backends import check_backend

COMPLAINT = Complaint("street-light", "The lamp by the floor fountain is out", 37.5655, 126.9775,
                      scene_id="city-hall", x=-60.0, y=-24.0, z=0.0)


def submit(app_client, complaint: Complaint, key: str) -> httpx.Response:
    """``complaint`` filed as BackendClient files it: form-encoded, with a guest's token as its api_key
    and an idempotency key."""
    token = app_client.post("/auth/guest").json()["access_token"]
    return app_client.post("/open311/v2/requests.json", data=complaint.form() | {"api_key": token},
                           headers={"Idempotency-Key": key})


def test_discovery_names_the_contract(app_client):
    doc = app_client.get("/.well-known/metaseoul").json()
    assert doc["contract_version"].startswith("1.") and {"complaints", "city-data"} <= set(doc["capabilities"])
    assert doc["endpoints"]["open311"] == "/open311/v2" and set(doc["languages"]) >= {"ko", "en"}


def test_the_launcher_accepts_the_running_backend(server):
    result = check_backend(server.url)
    assert result.ok and result.reason == "metaseoul reference backend"


def test_open311_services_in_both_languages(app_client):
    en = app_client.get("/open311/v2/services.json").json()
    ko = app_client.get("/open311/v2/services.json?locale=ko").json()
    assert {s["service_code"] for s in en} >= {"street-light", "illegal-parking", "accessibility-barrier"}
    assert next(s for s in ko if s["service_code"] == "street-light")["service_name"] == "가로등 고장"
    definition = app_client.get("/open311/v2/services/street-light.json").json()
    assert [a["code"] for a in definition["attributes"]] == ["scene_id", "x", "y", "z"]


def test_a_retried_submission_returns_the_same_request(app_client):
    first, again, other = (submit(app_client, COMPLAINT, key) for key in ("key-1", "key-1", "key-2"))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    ident = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == ident != other.json()[0]["service_request_id"]
    stored = app_client.get(f"/open311/v2/requests/{ident}.json").json()[0]
    assert stored["attributes"] == {"scene_id": "city-hall", "x": -60.0, "y": -24.0, "z": 0.0}
    assert stored["status"] == "open" and stored["lat"] == pytest.approx(37.5655)
    assert len(app_client.get("/open311/v2/requests.json").json()) == 2


@pytest.mark.parametrize("body, words", [
    ({"service_code": ["noise"], "lat": 37.5, "long": 127}, "service_code must be text"),
    ({"service_code": "noise", "lat": 37.5, "address_string": "Seoul Plaza"}, "give both lat and long"),
    ({"service_code": "noise", "address_string": {"street": "x"}}, "address_string must be text"),
    ({"service_code": "noise", "lat": True, "long": 127}, "lat and long must be numbers"),
])
def test_badly_typed_json_complaints_get_400(app_client, body, words):
    response = app_client.post("/open311/v2/requests.json", json=body)
    assert response.status_code == 400 and words in response.json()[0]["description"]


def test_oversized_bodies_are_refused_before_they_are_read(app_client):
    response = app_client.post("/open311/v2/requests.json", content=b"x" * 70_000,
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    response = app_client.post("/reservations/v1/bookings", content=b"{" * 70_000,
                               headers={"Authorization": "Bearer nobody"})
    assert response.status_code in (401, 413)
    for path in ("/auth/token", "/auth/register"):  # every JSON body is limited the same way
        assert app_client.post(path, content=b"{" * 70_000).status_code == 413


def test_filters_by_time_range_codes_and_statuses(app_client):
    submit(app_client, COMPLAINT, "r-1")
    submit(app_client, Complaint("noise", "Drums at 3 am", 37.56, 126.97), "r-2")
    rows = app_client.get("/open311/v2/requests.json", params={"service_code": "noise,street-light"}).json()
    assert len(rows) == 2
    assert len(app_client.get("/open311/v2/requests.json", params={"status": "open,closed"}).json()) == 2
    in_seoul = datetime.now(timezone(timedelta(hours=9)))
    hour = timedelta(hours=1)
    around = {"start_date": (in_seoul - hour).isoformat(), "end_date": (in_seoul + hour).isoformat()}
    assert len(app_client.get("/open311/v2/requests.json", params=around).json()) == 2
    later = {"start_date": (in_seoul + hour).isoformat()}
    assert app_client.get("/open311/v2/requests.json", params=later).json() == []
    bad = app_client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400


@pytest.mark.parametrize("fields, words", [
    ({"service_code": "dragons", "lat": "37.5", "long": "127"}, "service_code must be one of"),
    ({"service_code": "noise"}, "give lat and long, or address_string"),
    ({"service_code": "noise", "lat": "north", "long": "127"}, "lat and long must be numbers"),
    ({"service_code": "noise", "lat": "37.5", "long": "127", "description": "x" * 4001}, "longer than 4000"),
])
def test_bad_complaints_get_open311_errors(app_client, fields, words):
    response = app_client.post("/open311/v2/requests.json", data=fields)
    assert response.status_code == 400
    assert words in response.json()[0]["description"]


def test_health_and_prometheus_metrics(app_client):
    submit(app_client, COMPLAINT, "m-1")
    assert app_client.get("/healthz").json() == {"status": "ok", "requests": 1}
    text = app_client.get("/metrics").text
    assert "# TYPE metaseoul_http_requests_total counter" in text
    assert 'metaseoul_http_requests_total{route="/open311/v2/requests.json",status="201"} 1' in text
    assert "metaseoul_service_requests 1" in text


def test_complaint_filed_while_the_backend_is_down_arrives_exactly_once(backend_process, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    client = BackendClient(backend_process.url, timeout=2)
    key = outbox.file(COMPLAINT)
    assert outbox.deliver(client) == [] and len(outbox.pending()) == 1, "kept while nobody answers"
    backend_process.start()
    receipts = outbox.deliver(client)
    assert [r.key for r in receipts] == [key] and outbox.pending() == []
    assert outbox.deliver(client) == []
    assert len(httpx.get(backend_process.url + "/open311/v2/requests.json").json()) == 1


def test_killed_mid_request_and_restarted_still_exactly_once(backend_process, tmp_path):
    """The first attempt reached the backend but its answer was lost when the backend was killed
    (SIGKILL); the retry after the restart must find that request, not make a second one."""
    outbox = Outbox(tmp_path / "outbox")
    server = backend_process.start()
    key = outbox.file(COMPLAINT)
    lost_answer = BackendClient(server.url).submit(COMPLAINT, key)  # committed; the answer never arrives
    server.kill()
    client = BackendClient(server.url, timeout=2)
    assert outbox.deliver(client) == [], "down: still pending"
    server.start()
    receipts = outbox.deliver(client)
    assert receipts[0].service_request_id == lost_answer
    requests = httpx.get(server.url + "/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in requests] == [lost_answer]
    assert outbox.receipt(key).service_request_id == lost_answer


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


def test_data_survives_a_restart(backend_process):
    server = backend_process.start()
    ident = BackendClient(server.url).submit(COMPLAINT, "persist-1")
    server.kill()
    server.start()
    assert httpx.get(server.url + f"/open311/v2/requests/{ident}.json").json()[0]["service_request_id"] == ident


def test_answers_match_the_openapi_contract(app_client):
    import json
    from importlib import resources

    import jsonschema

    contract = json.loads((resources.files("metaseoul.backend") / "contract" / "openapi.json").read_text())

    def check(value, schema_ref: str) -> None:
        schema = {"$ref": schema_ref, "components": contract["components"]}
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(value)

    check(submit(app_client, COMPLAINT, "contract-1").json(), "#/components/schemas/Submitted")  # created
    check(app_client.get("/.well-known/metaseoul").json(), "#/components/schemas/Discovery")
    for service in app_client.get("/open311/v2/services.json").json():
        check(service, "#/components/schemas/Service")
    check(app_client.get("/open311/v2/services/noise.json").json(), "#/components/schemas/ServiceDefinition")
    for request in app_client.get("/open311/v2/requests.json").json():
        check(request, "#/components/schemas/Request")
    check(submit(app_client, COMPLAINT, "contract-1").json(), "#/components/schemas/Submitted")  # found again
    st = "/sensorthings/v1.1"
    check(app_client.get(st + "/Things", params={"$count": "true", "$top": "3"}).json(), "#/components/schemas/EntityPage")
    for observation in app_client.get(st + "/Datastreams(4)/Observations", params={"$top": "5"}).json()["value"]:
        check(observation, "#/components/schemas/Observation")
    check(app_client.get(st + "/Things", params={"$top": "x"}).json(), "#/components/schemas/SensorThingsError")
