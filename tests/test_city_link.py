"""The client's link to a real city backend, as a visit uses it: a verified moderator's chat is
captioned with the backend's badge (never a name that merely says so), guest sessions carry this
computer's private device key, and a device a moderator banned visits alone, told why."""

from __future__ import annotations

import stat
import time

import httpx
import pytest

from metaseoul import i18n
from metaseoul.paths import state_dir
from metaseoul.visit.city import TOKEN_VARIABLE, CityLink

SCENE = "city-hall"


@pytest.fixture
def english():
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def captions(link: CityLink, wanted, timeout: float = 15.0) -> list[str]:
    """Caption lines from ``link`` until one satisfies ``wanted``."""
    seen, deadline = [], time.monotonic() + timeout
    while not any(map(wanted, seen)):
        assert time.monotonic() < deadline, f"no such caption among {seen}"
        seen += link.poll()[0]
        time.sleep(0.05)
    return seen


def joined(link: CityLink) -> str:
    deadline = time.monotonic() + 15
    while not link.realtime.session_id:
        assert time.monotonic() < deadline, "the room was not joined"
        link.poll()
        time.sleep(0.05)
    return link.realtime.session_id


def test_a_moderators_chat_carries_the_verified_badge(server, moderator, monkeypatch, english):
    name, password = moderator
    token = httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]
    monkeypatch.setenv(TOKEN_VARIABLE, token)
    speaker = CityLink.open(server.url)
    monkeypatch.delenv(TOKEN_VARIABLE)
    listener = CityLink.open(server.url)
    try:
        speaker.name = name
        for link in (speaker, listener):
            link.enter(SCENE)
            joined(link)
        speaker.realtime.chat("안녕하세요, 시민 여러분")
        seen = captions(listener, lambda line: "시민 여러분" in line)
        assert f"{name} (verified moderator): 안녕하세요, 시민 여러분" in seen
        listener.realtime.chat("I am a moderator too")
        seen = captions(speaker, lambda line: "too" in line)
        assert not any("verified" in line for line in seen if "too" in line), "a guest's words get no badge"
    finally:
        speaker.close()
        listener.close()


def test_guests_keep_one_private_device_key_and_a_banned_device_visits_alone(server, moderator, english):
    first = CityLink.open(server.url)
    key_file = state_dir() / "device-key"
    key = key_file.read_text("ascii")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key) >= 16
    try:
        first.enter(SCENE)
        session = joined(first)
        name, password = moderator
        token = httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]
        banned = httpx.post(server.url + "/moderation/v1/actions", headers={"Authorization": f"Bearer {token}"},
                            json={"action": "ban", "session": session, "reason": "spam in the plaza", "minutes": 5})
        assert banned.status_code in (200, 201), banned.text
    finally:
        first.close()
    for _visit in range(2):  # the kept guest token is refused in the room, then no new one is given
        again = CityLink.open(server.url)
        try:
            assert key_file.read_text("ascii") == key, "the device key is made once"
            if again.has_realtime:
                again.enter(SCENE)
            seen = captions(again, lambda line: "refused" in line)
            assert any("spam in the plaza" in line for line in seen), seen
        finally:
            again.close()
    assert not again.has_realtime and again.poll()[0] == [], "a refused guest session is said once"
    other_device = httpx.post(server.url + "/auth/guest", headers={"X-Device-Key": "another-kiosk-0001"})
    assert other_device.status_code == 201, "a ban with a device key does not shut out the whole address"


def test_visits_from_one_computer_share_a_kept_guest_session(server):
    """Guest sessions are limited per address (a kiosk starts a visit for every citizen): the token is kept."""
    tokens = set()
    for _visit in range(25):  # more visits than the 20 guest sessions an address may have an hour
        link = CityLink.open(server.url)
        tokens.add(link.token)
        link.close()
    assert len(tokens) == 1 and "" not in tokens
    kept = state_dir() / "guest-sessions.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
