"""Accounts, reservations and the scene catalogue of the reference backend, over HTTP to its application."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from starlette.testclient import TestClient

from metaseoul.backend.accounts import Accounts, AuthError
from metaseoul.backend.app import create_app
from metaseoul.backend.db import Database
from metaseoul.backend.ratelimit import Policy
from metaseoul.scenes.catalog import builtin_dir

DAY = (date.today() + timedelta(days=30)).isoformat()  # slots that have begun cannot be booked


def guest(app_client) -> dict:
    response = app_client.post("/auth/guest")
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def citizen(app_client, name: str) -> dict:
    """A registered citizen's bearer header (guests may not book)."""
    assert app_client.post("/auth/register", json={"name": name, "password": "correct horse"}).status_code == 201
    token = app_client.post("/auth/token", json={"name": name, "password": "correct horse"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def roomy_client(tmp_path):
    """The backend with room for more registrations from one address than the abuse policy's five an
    hour: the races below need many citizens, and the test client has a single address."""
    with TestClient(create_app(tmp_path / "data", policy=Policy(registrations_per_hour=20))) as client:
        yield client


def test_discovery_lists_the_new_capabilities(app_client):
    doc = app_client.get("/.well-known/metaseoul").json()
    assert {"accounts", "reservations", "content"} <= set(doc["capabilities"])
    assert doc["endpoints"]["reservations"] == "/reservations/v1"


def test_register_sign_in_and_bad_tokens(app_client):
    assert app_client.post("/auth/register", json={"name": "minji", "password": "correct horse"}).status_code == 201
    taken = app_client.post("/auth/register", json={"name": "minji", "password": "another one!"})
    assert taken.status_code == 400 and "taken" in taken.json()["message"]
    short = app_client.post("/auth/register", json={"name": "jun", "password": "short"})
    assert short.status_code == 400 and "at least 10" in short.json()["message"]
    wrong = app_client.post("/auth/token", json={"name": "minji", "password": "wrong password"})
    assert wrong.status_code == 401
    token = app_client.post("/auth/token", json={"name": "minji", "password": "correct horse"}).json()
    assert token["token_type"] == "Bearer" and token["kind"] == "user" and token["expires_in"] > 0
    mine = app_client.get("/reservations/v1/bookings", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert mine.status_code == 200 and mine.json() == []
    for header in ({}, {"Authorization": "Bearer made-up"}, {"Authorization": "Basic abc"}):
        answer = app_client.get("/reservations/v1/bookings", headers=header)
        assert answer.status_code == 401 and answer.json()["message"]


def test_tokens_expire(tmp_path):
    now = [1000.0]
    accounts = Accounts(Database(tmp_path), clock=lambda: now[0])
    token = accounts.guest()["access_token"]
    assert accounts.session(f"Bearer {token}").kind == "guest"
    now[0] += 13 * 3600
    with pytest.raises(AuthError, match="expired"):
        accounts.session(f"Bearer {token}")


def test_book_list_and_cancel(app_client):
    who = citizen(app_client, "minji")
    slots = app_client.get("/reservations/v1/services/city-hall-tour/slots", params={"date": DAY}).json()
    assert [s["start"] for s in slots][0] == f"{DAY}T10:00:00+09:00" and slots[0]["remaining"] == 20
    booked = app_client.post("/reservations/v1/bookings", json={"slot_id": slots[0]["slot_id"]}, headers=who)
    assert booked.status_code == 201
    after = app_client.get("/reservations/v1/services/city-hall-tour/slots", params={"date": DAY}).json()
    assert after[0]["remaining"] == 19
    ident = booked.json()["booking_id"]
    assert [b["booking_id"] for b in app_client.get("/reservations/v1/bookings", headers=who).json()] == [ident]
    other = guest(app_client)
    assert app_client.delete(f"/reservations/v1/bookings/{ident}", headers=other).status_code == 404
    assert app_client.delete(f"/reservations/v1/bookings/{ident}", headers=who).status_code == 204
    assert app_client.get("/reservations/v1/bookings", headers=who).json() == []


@pytest.mark.parametrize("service, capacity, racers", [("citizens-hall-room", 1, 20), ("city-hall-tour", 20, 30)])
def test_never_double_booked_under_concurrent_requests(roomy_client, service, capacity, racers):
    slot = roomy_client.get(f"/reservations/v1/services/{service}/slots", params={"date": DAY}).json()[1]["slot_id"]
    people = [citizen(roomy_client, f"racer-{n}") for n in range(-(-racers // 3))]  # each may hold 3 bookings
    requests = (people * 3)[:racers]

    def attempt(headers):
        return roomy_client.post("/reservations/v1/bookings", json={"slot_id": slot}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=racers) as pool:
        codes = list(pool.map(attempt, requests))
    assert codes.count(201) == capacity and codes.count(409) == racers - capacity
    remaining = roomy_client.get(f"/reservations/v1/services/{service}/slots", params={"date": DAY}).json()[1]
    assert remaining["remaining"] == 0


def test_bad_reservation_requests(app_client):
    who = citizen(app_client, "minji")
    assert app_client.get("/reservations/v1/services/city-hall-tour/slots", params={"date": "soon"}).status_code == 400
    assert app_client.get("/reservations/v1/services/karaoke/slots", params={"date": DAY}).status_code == 404
    for body in ({"slot_id": "city-hall-tour@2026-12-01T03:00"}, {"slot_id": "nonsense"}):
        assert app_client.post("/reservations/v1/bookings", json=body, headers=who).status_code == 404
    assert app_client.post("/reservations/v1/bookings", content=b"[1]", headers=who).status_code == 400
    # other spellings of the same day must not count as other slots
    for odd in ("citizens-hall-room@20261201T09:00", "citizens-hall-room@2026-W48-2T09:00"):
        assert app_client.post("/reservations/v1/bookings", json={"slot_id": odd}, headers=who).status_code == 404


def test_one_person_cannot_take_every_place(app_client):
    who = citizen(app_client, "minji")
    slots = app_client.get("/reservations/v1/services/sign-language-counselling/slots", params={"date": DAY}).json()
    codes = [app_client.post("/reservations/v1/bookings", json={"slot_id": s["slot_id"]}, headers=who).status_code
             for s in slots]
    assert codes[:3] == [201] * 3 and set(codes[3:]) == {409}


def test_bearer_scheme_is_case_insensitive(app_client):
    token = app_client.post("/auth/guest").json()["access_token"]
    assert app_client.get("/reservations/v1/bookings", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_scene_catalogue_and_download(app_client):
    listing = app_client.get("/content/v1/scenes").json()
    assert {s["id"] for s in listing} >= {"city-hall", "gwanghwamun"}
    entry = next(s for s in listing if s["id"] == "city-hall")
    data = app_client.get(entry["url"])
    assert hashlib.sha256(data.content).hexdigest() == entry["sha256"] and len(data.content) == entry["size"]
    assert data.headers["etag"] == f'"{entry["sha256"]}"'
    assert json.loads(data.content)["id"] == "city-hall"
    assert (builtin_dir() / "city-hall.json").read_bytes() == data.content
    assert set(entry["languages"]) >= {"ko", "en"}


def test_answers_match_the_openapi_contract(app_client):
    from importlib import resources

    import jsonschema

    contract = json.loads((resources.files("metaseoul.backend") / "contract" / "openapi.json").read_text())

    def check(value, name: str) -> None:
        jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": contract["components"]},
                                        format_checker=jsonschema.FormatChecker()).validate(value)

    check(app_client.post("/auth/guest").json(), "Token")
    who = citizen(app_client, "minji")
    slots = app_client.get("/reservations/v1/services/city-hall-tour/slots", params={"date": DAY}).json()
    for slot in slots:
        check(slot, "Slot")
    check(app_client.post("/reservations/v1/bookings", json={"slot_id": slots[0]["slot_id"]}, headers=who).json(), "Booking")
    check(app_client.get("/reservations/v1/bookings").json(), "Problem")
    for entry in app_client.get("/content/v1/scenes").json():
        check(entry, "SceneEntry")
