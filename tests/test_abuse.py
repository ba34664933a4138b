"""The abuse policy (docs/backend-contract.md, "Abuse policy") against the backend's application:
every limit answers 429 with Retry-After at its threshold and frees after its window (on a clock the
test steps, never by sleeping), guests cannot book, bans reach the device or address behind a guest,
names cannot pass as someone else's, and no hostile body gets anything but a 400 naming the problem."""

from __future__ import annotations

import itertools
import json
import secrets
import sqlite3
import time
from datetime import date, timedelta
from importlib import resources

import pytest
from starlette.testclient import TestClient

from metaseoul.backend.accounts import Accounts, AuthError
from metaseoul.backend.app import create_app
from metaseoul.backend.client import BackendClient, RateLimited
from metaseoul.backend.db import Database
from metaseoul.backend.moderation import Moderation
from metaseoul.backend.ratelimit import POLICY

PASSWORD = "correct horse"
HOUR = 3600


class Clock:
    """Time for the backend that the test moves on."""

    def __init__(self):
        self.now = time.time()  # today, so that the slots of the days ahead are still to come

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def city(tmp_path, clock):
    """The backend on a fresh data folder, under the abuse policy and the test's clock."""
    with TestClient(create_app(tmp_path / "data", clock=clock)) as client:
        yield client


def register(city, name: str) -> None:
    assert city.post("/auth/register", json={"name": name, "password": PASSWORD}).status_code == 201


def sign_in(city, name: str, password: str = PASSWORD):
    return city.post("/auth/token", json={"name": name, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def citizen(city, name: str) -> dict:
    register(city, name)
    return bearer(sign_in(city, name).json()["access_token"])


def guest(city, device: str | None = None):
    return city.post("/auth/guest", headers={"X-Device-Key": device} if device else {})


def grant(tmp_path, name: str, role: str = "moderator") -> None:
    """Give ``name`` a role on the backend's database, as `metaseoul moderator` does."""
    db = Database(tmp_path / "data")
    try:
        Moderation(db).grant(name, role=role)
    finally:
        db.close()


def moderator(city, tmp_path) -> dict:
    register(city, "kim-minseo")
    grant(tmp_path, "kim-minseo")
    return bearer(sign_in(city, "kim-minseo").json()["access_token"])


def refused_for(answer, seconds: int) -> None:
    """``answer`` is a 429 asking to wait ``seconds``, in the header and in the Problem body."""
    assert answer.status_code == 429, answer.text
    assert answer.headers["retry-after"] == str(seconds)
    body = answer.json()
    assert body["code"] == 429 and body["retry_after"] == seconds
    assert f"try again in {seconds} seconds" in body["message"]


def test_failed_sign_ins_lock_the_name_with_doubling_back_off(city, clock):
    register(city, "minji")
    for _ in range(POLICY.name_failures):
        assert sign_in(city, "minji", "wrong password").status_code == 401
    refused_for(sign_in(city, "minji"), 30)  # locked: the right password too
    lockouts = [30, 60, 120, 240, 480, 900, 900]
    for ended, lockout in itertools.pairwise(lockouts):
        clock.advance(ended)
        assert sign_in(city, "minji", "wrong password").status_code == 401
        refused_for(sign_in(city, "minji"), lockout)
        refused_for(sign_in(city, "minji", "wrong password"), lockout)
    clock.advance(900)
    assert sign_in(city, "minji").status_code == 200
    for _ in range(POLICY.name_failures - 1):  # the success forgot the failures
        assert sign_in(city, "minji", "wrong password").status_code == 401
    assert sign_in(city, "minji").status_code == 200


def test_failed_sign_ins_from_one_address_are_refused_after_twenty(city, clock):
    register(city, "minji")
    for n in range(POLICY.address_failures):  # four names of five attempts each: no name is locked
        assert sign_in(city, f"someone-{n % 5}", "wrong password").status_code == 401
    refused_for(sign_in(city, "minji"), 900)
    assert "from this address" in sign_in(city, "minji").json()["message"]
    clock.advance(900)
    assert sign_in(city, "minji").status_code == 200


def test_guest_tokens_are_limited_per_address(city, clock):
    for _ in range(POLICY.guests_per_hour):
        assert guest(city).status_code == 201
    refused_for(guest(city, secrets.token_urlsafe(24)), HOUR)  # a new device key does not help
    clock.advance(HOUR)
    assert guest(city).status_code == 201


def test_registrations_are_limited_per_address_and_refusals_do_not_count(city, clock):
    assert city.post("/auth/register", json={"name": "guest:bob", "password": PASSWORD}).status_code == 400
    for n in range(POLICY.registrations_per_hour):
        register(city, f"citizen-{n}")
    refused_for(city.post("/auth/register", json={"name": "one-more", "password": PASSWORD}), HOUR)
    clock.advance(HOUR)
    register(city, "one-more")


def day(ahead: int) -> str:
    return (date.today() + timedelta(days=ahead)).isoformat()


def slots(city, service: str, ahead: int) -> list[str]:
    found = city.get(f"/reservations/v1/services/{service}/slots", params={"date": day(ahead)}).json()
    return [s["slot_id"] for s in found]


def test_guests_cannot_book(city):
    token = guest(city).json()["access_token"]
    answer = city.post("/reservations/v1/bookings", json={"slot_id": slots(city, "city-hall-tour", 3)[0]},
                       headers=bearer(token))
    assert answer.status_code == 403 and answer.json()["message"] == "sign in to book"
    assert city.get("/reservations/v1/bookings", headers=bearer(token)).json() == []


def test_three_active_bookings_at_most_and_ended_ones_stop_counting(city, clock):
    register(city, "minji")

    def book(slot: str):
        token = sign_in(city, "minji").json()["access_token"]  # a user's token lasts an hour
        return city.post("/reservations/v1/bookings", json={"slot_id": slot}, headers=bearer(token))

    soon = slots(city, "sign-language-counselling", 1)
    assert [book(s).status_code for s in soon[:3]] == [201, 201, 201]
    full = book(soon[3])
    assert full.status_code == 409 and "at most 3 active bookings" in full.json()["message"]
    clock.advance(3 * 86400)  # those slots are over
    late = book(soon[4])
    assert late.status_code == 409 and "has begun" in late.json()["message"]
    assert [book(s).status_code for s in slots(city, "sign-language-counselling", 5)[:3]] == [201, 201, 201]


def test_booking_requests_are_limited_per_citizen(city, clock):
    who = citizen(city, "minji")
    later = slots(city, "city-hall-tour", 10)
    for _ in range(POLICY.bookings_per_minute):
        assert city.delete("/reservations/v1/bookings/none", headers=who).status_code == 404
    refused_for(city.post("/reservations/v1/bookings", json={"slot_id": later[0]}, headers=who), 60)
    other = citizen(city, "jun")  # counted per citizen
    assert city.post("/reservations/v1/bookings", json={"slot_id": later[0]}, headers=other).status_code == 201
    clock.advance(60)
    assert city.post("/reservations/v1/bookings", json={"slot_id": later[0]}, headers=who).status_code == 201


def ban(city, staff: dict, token: str, **extra):
    subject = city.app_state["accounts"].session(f"Bearer {token}").subject
    answer = city.post("/moderation/v1/actions", headers=staff,
                       json={"action": "ban", "subject": subject, "reason": "spamming the plaza", **extra})
    assert answer.status_code == 201
    return subject, answer.json()


def hello(city, token: str) -> dict:
    with city.websocket_connect("/realtime/v1") as socket:
        socket.send_text(json.dumps({"type": "hello", "token": token, "scene": "city-hall", "name": "Visitor"}))
        return json.loads(socket.receive_text())


def test_a_ban_reaches_the_device_behind_a_guest(city, tmp_path):
    staff = moderator(city, tmp_path)
    device = secrets.token_urlsafe(24)
    first, second = (guest(city, device).json()["access_token"] for _ in range(2))  # two tabs of one device
    _, entry = ban(city, staff, first)
    assert entry["covers"] == "device"
    again = guest(city, device)
    assert again.status_code == 403 and again.json()["reason"] == "spamming the plaza"
    assert "spamming the plaza" in again.json()["message"] and again.json()["until"] > time.time()
    other = city.app_state["accounts"].session(f"Bearer {second}").subject
    assert city.app_state["moderation"].sanction(other, "ban").reason == "spamming the plaza"
    refusal = hello(city, second)
    assert refusal["type"] == "error" and refusal["code"] == 403
    assert guest(city, secrets.token_urlsafe(24)).status_code == 201  # another device at the address is not banned
    assert guest(city, "short").status_code == 400


def test_without_a_device_key_the_ban_covers_the_address_for_a_day_at_most(city, clock, tmp_path):
    staff = moderator(city, tmp_path)
    banned, entry = ban(city, staff, guest(city).json()["access_token"])  # indefinitely
    assert entry["covers"] == "address"
    for device in (None, secrets.token_urlsafe(24)):
        assert guest(city, device).status_code == 403
    clock.advance(24 * HOUR)
    assert guest(city).status_code == 201
    assert city.app_state["moderation"].sanction(banned, "ban") is not None  # the guest itself stays banned
    staff = bearer(sign_in(city, "kim-minseo").json()["access_token"])  # a user's token lasts an hour
    ban(city, staff, guest(city).json()["access_token"])
    assert guest(city).status_code == 403
    audit = city.get("/moderation/v1/audit", headers=staff).json()
    city.post("/moderation/v1/actions", headers=staff, json={"action": "unban", "subject": audit[0]["subject"],
                                                               "reason": "a mistake"})
    assert guest(city).status_code == 201  # unbanning the guest lifts its address ban too


@pytest.mark.parametrize("name, words", [
    ("plаza", "different alphabets"),  # Cyrillic а
    ("guest:bob", "kept for the city"),
    ("Moderator", "kept for the city"),
    ("min\u200bji", "invisible"),
    ("mi", "name must have at least 3 characters"),
    ("  mi  ", "a user name has 3 to 40 characters"),
])
def test_names_that_pass_as_someone_else_are_refused(city, name, words):
    answer = city.post("/auth/register", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 400 and words in answer.json()["message"]


def test_a_look_alike_of_a_registered_name_is_taken(city):
    register(city, "cope")
    for look_alike in ("соре", "ＣＯＰＥ", "Cope"):  # Cyrillic letters, full-width letters, capitals
        answer = city.post("/auth/register", json={"name": look_alike, "password": PASSWORD})
        assert answer.status_code == 400 and answer.json()["message"] == "that user name is taken"
    made = city.post("/auth/register", json={"name": "  Ha\u0301n   Mi  ", "password": PASSWORD})
    assert made.json() == {"name": "Hán Mi"}  # NFC, spaces collapsed
    assert sign_in(city, "Hán Mi").status_code == 200


def test_an_older_database_gets_skeletons_and_origins(tmp_path):
    old = sqlite3.connect(tmp_path / "metaseoul.sqlite3")
    old.executescript("""
        CREATE TABLE users (name TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL, created REAL NOT NULL);
        CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, subject TEXT NOT NULL, kind TEXT NOT NULL,
                             expires REAL NOT NULL);
        INSERT INTO users VALUES ('Cope', x'00', x'00', 0);
    """)
    old.close()
    db = Database(tmp_path)
    try:
        accounts = Accounts(db)
        with pytest.raises(AuthError, match="taken"):
            accounts.register("соре", PASSWORD)
        assert accounts.session(f"Bearer {accounts.guest()['access_token']}").kind == "guest"
    finally:
        db.close()


@pytest.mark.parametrize("body, words", [
    (b'{"name": ' + b"[" * 20 + b"]" * 20 + b', "password": "correct horse"}', "nested deeper than 16"),
    (b'{"name": "minji", "password": 1' + b"0" * 30 + b"}", "out of range"),
    (b'{"name": "minji", "password": NaN}', "NaN is not a JSON number"),
    (b'{"name": "minji", "name": "jun", "password": "correct horse"}', "appears twice"),
    (b'{"name": "\\ud800minji", "password": "correct horse"}', "unpaired surrogate"),
    (b'{"name": "min\xffji", "password": "correct horse"}', "UTF-8"),
    (b'["minji"]', "must be a JSON object"),
    (b'{"name": 7, "password": "correct horse"}', "name must be text"),
    (b'{"password": "correct horse"}', "needs 'name'"),
    (b"[" * 30000 + b"]" * 30000, "nested deeper than 16"),
])
@pytest.mark.parametrize("path", ["/auth/register", "/auth/token"])
def test_hostile_bodies_get_400_naming_the_problem(city, path, body, words):
    answer = city.post(path, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400 and words in answer.json()["message"], answer.text


def test_every_body_is_checked_against_the_contract(city, tmp_path):
    staff = moderator(city, tmp_path)
    who = citizen(city, "minji")
    cases = [
        ("/reservations/v1/bookings", who, {"slot_id": ["x"]}, "slot_id must be text"),
        ("/reservations/v1/bookings", who, {"slot_id": "x" * 101}, "slot_id must have at most 100 characters"),
        ("/moderation/v1/actions", staff, {"action": "ban", "subject": "x", "reason": "r", "minutes": 10**15},
         "minutes must be at most 52560000"),
        ("/moderation/v1/actions", staff, {"action": "smite", "subject": "x", "reason": "r"}, "action must be one of"),
        ("/moderation/v1/actions", staff, {"action": "ban", "subject": "x", "reason": ""}, "reason must have at least"),
        ("/moderation/v1/announcements", staff, {"text": {"ko": "안녕"}}, "text needs 'en'"),
        ("/moderation/v1/announcements", staff, {"text": {"ko": "a", "en": "b"}, "scene": "../etc"},
         "scene has characters"),
        ("/moderation/v1/announcements", staff, {"text": {"ko": "a", "en": "b"}, "level": "panic"},
         "level must be one of"),
    ]
    for path, headers, body, words in cases:
        answer = city.post(path, json=body, headers=headers)
        assert answer.status_code == 400 and words in answer.json()["message"], (path, answer.text)


def test_the_contract_states_the_policy(city):
    contract = json.loads((resources.files("metaseoul.backend") / "contract" / "openapi.json").read_text())
    stated = {(rule["operation"], rule["per"]): rule for rule in contract["x-rate-limits"]["limits"]}
    assert stated[("POST /auth/token", "account name")]["limit"] == POLICY.name_failures
    assert stated[("POST /auth/token", "account name")]["lockout_s"] == {
        "first": POLICY.first_lockout_s, "doubling": True, "longest": POLICY.longest_lockout_s}
    assert stated[("POST /auth/token", "address")]["limit"] == POLICY.address_failures
    assert stated[("POST /auth/guest", "address")]["limit"] == POLICY.guests_per_hour
    assert stated[("POST /auth/register", "address")]["limit"] == POLICY.registrations_per_hour
    assert next(r for (op, _), r in stated.items() if "bookings" in op)["limit"] == POLICY.bookings_per_minute
    for path, method in [("/auth/token", "post"), ("/auth/guest", "post"), ("/auth/register", "post"),
                         ("/reservations/v1/bookings", "post"), ("/reservations/v1/bookings/{id}", "delete")]:
        answer = contract["paths"][path][method]["responses"]["429"]["$ref"].rsplit("/", 1)[1]
        assert "Retry-After" in contract["components"]["responses"][answer]["headers"]


def test_the_client_sends_its_device_key_and_names_the_wait(server):
    client = BackendClient(server.url)
    device = secrets.token_urlsafe(24)
    try:
        for _ in range(POLICY.guests_per_hour):
            client.guest_token(device_key=device)
        with pytest.raises(RateLimited) as limited:
            client.guest_token(device_key=device)
    finally:
        client.close()
    assert 0 < limited.value.retry_after <= HOUR and "guest sessions an hour" in str(limited.value)
    db = Database(server.data)
    try:
        devices = {row["device"] for row in db.read("SELECT device FROM tokens")}
    finally:
        db.close()
    assert devices == {device}


def test_moderators_see_the_verified_role_of_whom_they_act_on(city, tmp_path):
    staff = moderator(city, tmp_path)
    register(city, "park-jiwoo")
    grant(tmp_path, "park-jiwoo", "staff")
    city.post("/moderation/v1/actions", headers=staff, json={"action": "warn", "subject": "park-jiwoo", "reason": "r"})
    assert city.get("/moderation/v1/audit", headers=staff).json()[0]["subject_role"] == "staff"
    assert city.app_state["moderation"].role("kim-minseo") == "moderator"
    with pytest.raises(ValueError, match="role must be one of"):
        grant(tmp_path, "park-jiwoo", "mayor")
