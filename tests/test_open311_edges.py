"""Open311 against hostile input: bodies (JSON and form) and dates that once gave 500s, idempotency keys
that once dropped a citizen's complaint, the api_key the spec requires, attribute values held to their
service's datatypes, the one jurisdiction, media URLs, XML that stays well-formed whatever is stored,
an old database migrated, and data files kept private."""

from __future__ import annotations

import os
import sqlite3
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metaseoul.backend import contract
from metaseoul.backend.db import Database
from metaseoul.backend.store import ComplaintStore, KeyReused, NewRequest

REQUESTS = "/open311/v2/requests.json"
REQUESTS_XML = "/open311/v2/requests.xml"
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
GOOD = {"service_code": "noise", "description": "Drums at 3 am", "lat": "37.5", "long": "127"}
DEEP = 5000


@pytest.fixture
def citizen(app_client):
    """The backend's application, its requests carrying a guest's token (Open311's api_key) as Authorization."""
    token = app_client.post("/auth/guest").json()["access_token"]
    app_client.headers["Authorization"] = f"Bearer {token}"
    return app_client


def refused(response, status: int = 400) -> str:
    """The description of an Open311 error answer with ``status``."""
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status and error["description"]
    return error["description"]


@pytest.mark.parametrize("body, words", [
    (b'{"service_code": "noise", "lat": 1e400, "long": 127}', "out of range"),
    (b'{"service_code": "noise", "lat": ' + b"7" * 5000 + b', "long": 127}', "out of range"),
    (b'{"service_code": "noise", "lat": ' + b"7" * 400 + b', "long": 127}', "out of range"),
    (b'{"service_code": "noise", "lat": NaN, "long": 127}', "not a JSON number"),
    (b'{"service_code": "noise", "lat": 91, "long": 127}', "lat must be between -90 and 90"),
    (b'{"service_code": "noise", "address_string": "x", "description": "\\ud800"}', "unpaired surrogate"),
    (b'{"service_code": "noise", "address_string": "x", "address_string": "y"}', "appears twice"),
    (b"[" * DEEP + b"]" * DEEP, "nested deeper"),
    (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "nested deeper"),
    (b'{"service_code": "noise", "address_string": "\xff"}', "UTF-8"),
    (b'["noise"]', "JSON object"),
    (b'{"service_code": "noise", "lat": 37.5, "long": 127, "attribute[x]": 1e7}', "attribute[x] must be between"),
    (b'{"service_code": "noise", "lat": 37.5, "long": 127, "attribute[y]": [1]}', "attribute[y] must be a number"),
])
def test_hostile_json_bodies_get_400_saying_why(app_client, body, words):
    assert words in refused(app_client.post(REQUESTS, content=body, headers=JSON))


@pytest.mark.parametrize("body, words", [
    (b"service_code=noise&lat=1e400&long=127", "lat must be between -90 and 90"),
    (b"service_code=noise&lat=" + b"7" * 5000 + b"&long=127", "lat and long must be numbers"),
    (b"service_code=noise&lat=nan&long=127", "lat and long must be numbers"),
    (b"service_code=noise&lat=-inf&long=127", "lat and long must be numbers"),
    (b"service_code=noise&lat=37.5&long=127&attribute[z]=1e9", "attribute[z] must be between"),
    (b"service_code=noise&address_string=x&description=%ED%A0%80", "UTF-8"),  # a lone surrogate, %-escaped
    (b"service_code=noise&address_string=%FF", "UTF-8"),
    (b"service_code=noise&address_string=\xff", "UTF-8"),
    (b"service_code=noise&address_string=x&address_string=y", "appears twice"),
    (b"service_code=noise&address_string=" + b"x" * 501, "address_string longer than 500"),
    (b"service_code=noise&address_string=x&attribute[scene_id]=" + b"s" * 101, "longer than 100"),
])
def test_hostile_form_bodies_get_400_saying_why(app_client, body, words):
    assert words in refused(app_client.post(REQUESTS, content=body, headers=FORM))


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59",
                                    "1" * 30 + "-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-05-15T09:00:00"])
def test_extreme_dates_get_400_saying_why(app_client, moment):
    for name in ("start_date", "end_date"):
        assert "ISO 8601" in refused(app_client.get(REQUESTS, params={name: moment}))


def test_the_last_and_first_instants_still_answer(app_client):
    early, late = "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"
    assert app_client.get(REQUESTS, params={"start_date": early, "end_date": late}).json() == []


def test_too_many_ids_in_one_search(app_client):
    assert "at most 100" in refused(app_client.get(REQUESTS, params={"service_request_id": ",".join("a" * 101)}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from([*GOOD, "address_string", "attribute[x]", "attribute[scene_id]"]),
                              st.text(max_size=30) | st.binary(max_size=10).map(lambda b: b.decode("latin-1"))),
       raw=st.binary(max_size=60))
def test_no_body_gives_a_server_error(citizen, fields, raw):
    """Whatever the fields hold, and whatever bytes come as a body, the answer is never a 5xx."""
    for body, headers in ((fields, None), (raw, FORM), (raw, JSON)):
        answer = (citizen.post(REQUESTS, data=body) if headers is None
                  else citizen.post(REQUESTS, content=body, headers=headers))
        assert answer.status_code in (200, 201, 400), answer.text
        if answer.status_code == 400:
            refused(answer)


@pytest.mark.parametrize("key", [b"", b"two words", b"\xed\x82\xa4", b"tab\tkey", b"k" * 256])
def test_empty_and_malformed_keys_are_refused(app_client, key):
    answer = app_client.post(REQUESTS, data=GOOD, headers={"Idempotency-Key": key})
    assert "Idempotency-Key" in refused(answer)
    assert app_client.get(REQUESTS).json() == [], "nothing filed"


def test_two_key_headers_are_refused(app_client):
    answer = app_client.post(REQUESTS, data=GOOD, headers=[("Idempotency-Key", "a"), ("Idempotency-Key", "b")])
    assert "at most one" in refused(answer)


def test_a_reused_key_files_once_and_refuses_another_complaint(citizen):
    key = {"Idempotency-Key": "k" * 255}
    first = citizen.post(REQUESTS, data=GOOD, headers=key)
    again = citizen.post(REQUESTS, data=GOOD, headers=key)
    as_json = citizen.post(REQUESTS, json=GOOD | {"lat": 37.5, "long": 127}, headers=key)
    other = citizen.post(REQUESTS, data=GOOD | {"description": "Someone else's complaint"}, headers=key)
    assert (first.status_code, again.status_code, as_json.status_code) == (201, 200, 200)
    ident = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == as_json.json()[0]["service_request_id"] == ident
    assert "different complaint" in refused(other, 409)
    assert [r["service_request_id"] for r in citizen.get(REQUESTS).json()] == [ident]


OLD_SCHEMA = """CREATE TABLE requests (service_request_id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE,
    service_code TEXT NOT NULL, description TEXT NOT NULL, lat REAL, long REAL, address_string TEXT,
    attributes TEXT NOT NULL, status TEXT NOT NULL, requested_datetime TEXT NOT NULL, updated_datetime TEXT NOT NULL);
INSERT INTO requests VALUES ('old1', 'old-key', 'noise', 'Drums', 37.5, 127.0, NULL, '{"scene_id": "city-hall"}',
    'open', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');"""


def test_a_database_from_before_fingerprints_is_migrated(tmp_path):
    with sqlite3.connect(tmp_path / "metaseoul.sqlite3") as old:
        old.executescript(OLD_SCHEMA)
    store = ComplaintStore(Database(tmp_path))
    same = NewRequest("noise", "Drums", 37.5, 127.0, None, {"scene_id": "city-hall"})
    record, created = store.submit(same, "old-key")
    assert (record["service_request_id"], created) == ("old1", False)
    with pytest.raises(KeyReused):
        store.submit(NewRequest("noise", "Drums!", 37.5, 127.0, None, {"scene_id": "city-hall"}), "old-key")
    assert store.count() == 1 and "request_hash" not in record


def test_the_contract_describes_the_rules(app_client):
    assert contract.body(REQUESTS, "post", b'{"service_code": "noise", "lat": 37.5, "long": 127}')
    for bad in (b'{"service_code": "noise", "lat": 91}', b'{"service_code": "noise", "lat": "north"}',
                b'{"service_code": "noise", "address_string": "' + b"x" * 501 + b'"}'):
        with pytest.raises(contract.Refused):
            contract.body(REQUESTS, "post", bad)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_files_are_private(citizen, tmp_path):
    assert citizen.post(REQUESTS, data=GOOD).status_code == 201  # the WAL and its index exist now
    data = tmp_path / "data"
    assert mode(data) == 0o700
    for name in ("metaseoul.sqlite3", "metaseoul.sqlite3-wal", "metaseoul.sqlite3-shm"):
        assert mode(data / name) == 0o600, name


def test_an_old_wide_open_data_folder_is_tightened(tmp_path):
    (tmp_path / "metaseoul.sqlite3").touch(mode=0o644)
    tmp_path.chmod(0o755)
    Database(tmp_path).close()
    assert (mode(tmp_path), mode(tmp_path / "metaseoul.sqlite3")) == (0o700, 0o600)


def test_a_complaint_needs_a_usable_api_key(app_client):
    """GeoReport v2 requires an api_key to POST: a citizen's or guest's bearer token, in the form or the header."""
    assert "api_key missing" in refused(app_client.post(REQUESTS, data=GOOD), 403)
    assert "unknown token" in refused(app_client.post(REQUESTS, data=GOOD | {"api_key": "made-up"}), 403)
    assert "unknown token" in refused(app_client.post(REQUESTS, data=GOOD, headers={"Authorization": "Bearer x"}), 403)
    answer = app_client.post(REQUESTS_XML, data=GOOD)
    error = ET.fromstring(answer.content).find("error")
    assert (answer.status_code, error.findtext("code")) == (403, "403") and "api_key" in error.findtext("description")
    assert app_client.get(REQUESTS).json() == [], "nothing filed"
    token = app_client.post("/auth/guest").json()["access_token"]
    assert app_client.post(REQUESTS, data=GOOD | {"api_key": token}).status_code == 201
    assert app_client.post(REQUESTS, json=GOOD, headers={"Authorization": f"Bearer {token}"}).status_code == 201


SPOT = b"lat=37.5&long=127"


@pytest.mark.parametrize("body, words", [
    (b"service_code=noise&attribute[x]=abc", "attribute[x] must be a number"),
    (b"service_code=illegal-parking&attribute[vehicles]=0", "attribute[vehicles] must be between 1 and 100"),
    (b"service_code=noise&attribute[source]=dragons", "attribute[source] must be one of building-site,"),
    (b"service_code=noise&attribute[heard_at]=yesterday", "attribute[heard_at] must be an ISO 8601 time with a zone"),
    (b"service_code=noise&attribute[heard_at]=2026-05-15T03:00:00", "attribute[heard_at] must be an ISO 8601"),
    (b"service_code=illegal-parking&attribute[blocking][]=hydrant&attribute[blocking][]=hydrant", "a value twice"),
    (b"service_code=illegal-parking&attribute[blocking][]=moon", "attribute[blocking] must be one of pavement,"),
    (b"service_code=noise&attribute[dragons]=1", "noise has no attribute 'dragons'"),
    (b"service_code=noise&attribute[x]=1&attribute[x][]=2", "not both"),
    (b"service_code=noise&attribute[x", "is not attribute[CODE]"),
    (b"service_code=accessibility-barrier", "attribute[barrier] is required"),
    (b"service_code=noise&attribute[scene_id]=a%0Ab", "attribute[scene_id] is one line"),
    (b"service_code=noise&attribute[details]=" + b"x" * 1001, "attribute[details] longer than 1000"),
    (b"service_code=noise&description=bell%07", "description holds a control character"),
    (b"service_code=noise&address_string=x&description=%EF%BF%BF", "description holds a control character"),
    (b"service_code=noise&media_url=javascript:alert(1)", "media_url must be an http or https URL"),
    (b"service_code=noise&media_url=https://", "media_url must be an http or https URL"),
    (b"service_code=noise&media_url=https://example.org:99999/a.jpg", "media_url must be an http"),
    (b"service_code=noise&media_url=https://example.org/" + b"a" * 2000, "media_url longer than 2000"),
])
def test_attributes_and_media_are_held_to_their_definitions(citizen, body, words):
    assert words in refused(citizen.post(REQUESTS, content=body + b"&" + SPOT, headers=FORM))


def test_attributes_come_back_in_their_types(citizen):
    body = (b"service_code=illegal-parking&attribute[blocking][]=hydrant&attribute[blocking][]=crossing"
            b"&attribute[vehicles]=3&attribute[x]=-60.0&media_url=https%3A%2F%2Fexample.org%2Fcar.jpg&" + SPOT)
    ident = citizen.post(REQUESTS, content=body, headers=FORM).json()[0]["service_request_id"]
    as_json = citizen.post(REQUESTS, json={"service_code": "noise", "lat": 37.5, "long": 127, "attribute[z]": 2,
                                           "attribute[source]": "traffic",
                                           "attribute[heard_at]": "2026-05-15T03:00:00+09:00"})
    [stored] = citizen.get(f"/open311/v2/requests/{ident}.json").json()
    assert stored["attributes"] == {"blocking": ["hydrant", "crossing"], "vehicles": 3.0, "x": -60.0}
    assert stored["media_url"] == "https://example.org/car.jpg"
    [other] = citizen.get("/open311/v2/requests.json", params={"service_code": "noise"}).json()
    assert other["service_request_id"] == as_json.json()[0]["service_request_id"]
    assert other["attributes"] == {"z": 2.0, "source": "traffic", "heard_at": "2026-05-15T03:00:00+09:00"}
    assert other["media_url"] is None


@pytest.mark.parametrize("path", ["/open311/v2/services.json", "/open311/v2/services/noise.xml", REQUESTS_XML])
def test_only_the_one_jurisdiction(app_client, path):
    for fine in ("seoul.go.kr", ""):
        assert app_client.get(path, params={"jurisdiction_id": fine}).status_code == 200
    answer = app_client.get(path, params={"jurisdiction_id": "sfgov.org"})
    assert answer.status_code == 404 and b"no jurisdiction 'sfgov.org'" in answer.content


def test_a_complaint_for_another_jurisdiction_is_refused(citizen):
    for where in ({"data": GOOD | {"jurisdiction_id": "sfgov.org"}}, {"data": GOOD, "params": {"jurisdiction_id": "x"}}):
        assert "this endpoint serves 'seoul.go.kr'" in refused(citizen.post(REQUESTS, **where), 404)
    assert citizen.post(REQUESTS, data=GOOD | {"jurisdiction_id": "seoul.go.kr"}).status_code == 201


def test_what_older_versions_stored_is_answered_well(tmp_path):
    """Numbers kept as text come back as numbers, a control character kept then never breaks the XML,
    and a complaint whose fingerprint was made from text values is still the same complaint."""
    from starlette.testclient import TestClient

    from metaseoul.backend.app import create_app

    with sqlite3.connect(tmp_path / "metaseoul.sqlite3") as old:
        old.executescript(OLD_SCHEMA)
        old.execute("UPDATE requests SET description = ?, attributes = ?", ("Drums\x07", '{"x": "-60.0"}'))
    store = ComplaintStore(Database(tmp_path))
    spelled = NewRequest("noise", "Gongs", 37.5, 127.0, None, {"x": "12.5"})  # as the older version kept it
    first, _ = store.submit(spelled, "text-key")
    again, created = store.submit(NewRequest("noise", "Gongs", 37.5, 127.0, None, {"x": 12.5}), "text-key")
    assert (again["service_request_id"], created) == (first["service_request_id"], False)
    store.db.close()
    with TestClient(create_app(tmp_path)) as client:
        rows = {r["service_request_id"]: r for r in client.get(REQUESTS).json()}
        assert rows["old1"]["attributes"]["x"] == -60.0 and rows[first["service_request_id"]]["attributes"]["x"] == 12.5
        tree = ET.fromstring(client.get(REQUESTS_XML).content)
    assert sorted(r.findtext("service_request_id") for r in tree.iter("request")) == sorted(rows)
    assert "Drums" in [r.findtext("description") for r in tree.iter("request")]
