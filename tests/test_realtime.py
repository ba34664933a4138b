"""The realtime channel with real sockets: two citizens see each other arrive, move and chat, the
word filter masks, bad frames are answered without disturbing anyone else, every frame keeps the
AsyncAPI contract, moderators act and alert."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from realtime_helpers import channel, guest_token, wait_for
from websockets.exceptions import ConnectionClosed

from metaseoul.backend.conformance import contract, frame_conforms


def hello(socket, server, name: str, scene: str = "city-hall") -> dict:
    socket.send(json.dumps({"type": "hello", "token": guest_token(server), "scene": scene, "name": name}))
    welcome = json.loads(socket.recv(timeout=10))
    assert welcome["type"] == "welcome", welcome
    return welcome




def test_two_citizens_see_each_other_arrive_move_and_chat(server):
    with channel(server) as a, channel(server) as b:
        welcome_a = hello(a, server, "Minji")
        welcome_b = hello(b, server, "Jun")
        assert welcome_a["room"] == welcome_b["room"] == "city-hall#1"
        assert [m["name"] for m in welcome_b["members"]] == ["Minji"]
        joined = wait_for(a, "presence", where=lambda m: m["joined"])
        assert joined["joined"][0]["name"] == "Jun"
        a.send(json.dumps({"type": "pose", "p": [1.5, -40.0, 0.0], "h": 350}))
        poses = wait_for(b, "poses", where=lambda m: any(p["id"] == welcome_a["session"] for p in m["poses"]))
        mine = next(p for p in poses["poses"] if p["id"] == welcome_a["session"])
        assert mine["p"] == [1.5, -40.0, 0.0] and mine["h"] == 350
        a.send(json.dumps({"type": "chat", "text": "안녕하세요! Meet at the fountain"}))
        said = wait_for(b, "chat")
        assert said["text"] == "안녕하세요! Meet at the fountain" and said["name"] == "Minji"
        a.close()
        left = wait_for(b, "presence", where=lambda m: m["left"])
        assert left["left"] == [welcome_a["session"]]
    with channel(server) as c:  # everyone left: the next visitor opens a fresh first instance
        assert hello(c, server, "Seo")["members"] == []


def test_filtered_words_arrive_masked(server):
    with channel(server) as a, channel(server) as b:
        hello(a, server, "A")
        hello(b, server, "B")
        a.send(json.dumps({"type": "chat", "text": "You IDIOT, 바보야"}))
        assert wait_for(b, "chat")["text"] == "You *****, **야"


def test_bad_frames_get_errors_and_others_carry_on(server):
    with channel(server) as rude, channel(server) as calm:
        hello(rude, server, "Rude")
        hello(calm, server, "Calm")
        for frame in ("not json", json.dumps({"type": "pose", "p": "here"}), "x" * 5000,
                      json.dumps({"type": "teleport"})):
            rude.send(frame)
            error = wait_for(rude, "error")
            assert error["code"] == 400 and error["message"]
        rude.send("still not json")  # the fifth strike
        wait_for(rude, "error")
        with pytest.raises(Exception):
            for _ in range(20):
                rude.recv(timeout=5)  # closed by the server
        calm.send(json.dumps({"type": "ping"}))
        assert wait_for(calm, "pong")["type"] == "pong"


def test_a_bad_token_is_refused_on_connect(server):
    with channel(server) as socket:
        socket.send(json.dumps({"type": "hello", "token": "made-up", "scene": "city-hall"}))
        answer = json.loads(socket.recv(timeout=10))
        assert answer["type"] == "error" and answer["code"] == 401 and "unknown token" in answer["message"]
        with pytest.raises(Exception):
            socket.recv(timeout=5)


def moderator_token(server, moderator) -> str:
    name, password = moderator
    return httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]


def test_every_frame_follows_the_asyncapi_contract(server):
    asyncapi = contract("asyncapi.json")
    seen = set()

    def received(socket, kind: str) -> dict:
        message = wait_for(socket, kind)
        frame_conforms(message, asyncapi)
        seen.add(kind)
        return message

    with channel(server) as a, channel(server) as b:
        welcome_a = hello(a, server, "A")
        frame_conforms(welcome_a, asyncapi)
        frame_conforms(hello(b, server, "B"), asyncapi)
        received(a, "presence")
        a.send(json.dumps({"type": "pose", "p": [1, 2, 0], "h": 10, "head": [0, 0, 1.6, 1, 0, 0, 0]}))
        assert received(b, "poses")["poses"][0]["head"] == [0, 0, 1.6, 1, 0, 0, 0]
        a.send(json.dumps({"type": "chat", "text": "hi"}))
        assert received(b, "chat")["seq"] >= 1
        a.send(json.dumps({"type": "emote", "name": "bow"}))
        assert received(b, "emote")["name"] == "bow"
        a.send(json.dumps({"type": "emote", "name": "dab"}))
        assert "bow" in received(a, "error")["message"]
        b.send(json.dumps({"type": "ping", "t": 12.5}))
        assert received(b, "pong")["t"] == 12.5
        b.send(json.dumps({"type": "report", "target": welcome_a["session"], "reason": "spam"}))
        assert received(b, "reported")["id"] >= 1
    assert seen == {"presence", "poses", "chat", "emote", "error", "pong", "reported"}


def test_moderators_warn_mute_kick_and_ban_and_everything_is_audited(server, moderator):
    staff = {"Authorization": f"Bearer {moderator_token(server, moderator)}"}
    act = lambda **body: httpx.post(server.url + "/moderation/v1/actions", json=body, headers=staff)  # noqa: E731
    with channel(server) as rude, channel(server) as calm:
        token = guest_token(server)
        rude.send(json.dumps({"type": "hello", "token": token, "scene": "city-hall", "name": "Rude"}))
        rude_session = wait_for(rude, "welcome")["session"]
        hello(calm, server, "Calm")
        calm.send(json.dumps({"type": "report", "target": rude_session, "reason": "shouting at people"}))
        report_id = wait_for(calm, "reported")["id"]
        reports = httpx.get(server.url + "/moderation/v1/reports", headers=staff).json()
        assert reports[0]["id"] == report_id and reports[0]["session"] == rude_session

        assert act(action="warn", session=rude_session, reason="be kind").status_code == 201
        assert wait_for(rude, "moderation")["action"] == "warn"
        muted = act(action="mute", session=rude_session, reason="spam", minutes=5)
        assert muted.status_code == 201 and muted.json()["until"] > time.time() + 200
        wait_for(rude, "moderation", where=lambda m: m["action"] == "mute")
        rude.send(json.dumps({"type": "chat", "text": "can you hear me"}))
        assert wait_for(rude, "error")["code"] == 403
        calm.send(json.dumps({"type": "chat", "text": "quiet now"}))
        assert wait_for(calm, "chat")["text"] == "quiet now"  # the muted line never reached anyone

        assert act(action="ban", session=rude_session, reason="kept going", minutes=60).status_code == 201
        assert wait_for(rude, "moderation")["action"] == "ban"
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                rude.recv(timeout=5)
        assert closed.value.rcvd.code == 4003
        assert wait_for(calm, "presence", where=lambda m: m["left"])["left"] == [rude_session]
    with channel(server) as again:  # a banned subject cannot come back
        again.send(json.dumps({"type": "hello", "token": token, "scene": "city-hall"}))
        refusal = wait_for(again, "error")
        assert refusal["code"] == 403 and "kept going" in refusal["message"]
    audit = httpx.get(server.url + "/moderation/v1/audit", headers=staff).json()
    assert [e["action"] for e in audit][:3] == ["ban", "mute", "warn"]
    assert all(e["actor"] == moderator[0] for e in audit[:3])
    citizen = {"Authorization": f"Bearer {guest_token(server)}"}
    assert httpx.post(server.url + "/moderation/v1/actions", headers=citizen,
                      json={"action": "ban", "subject": moderator[0], "reason": "revenge"}).status_code == 403
    assert act(action="ban", reason="nobody").status_code == 400


def test_emergency_alerts_reach_everyone_and_newcomers(server, moderator):
    staff = {"Authorization": f"Bearer {moderator_token(server, moderator)}"}
    with channel(server) as here, channel(server) as elsewhere:
        hello(here, server, "Here")
        hello(elsewhere, server, "Elsewhere", scene="gwanghwamun")
        alert = {"level": "emergency", "text": {"ko": "지진 발생, 대피하세요", "en": "Earthquake: evacuate"}}
        sent = httpx.post(server.url + "/moderation/v1/announcements", json=alert, headers=staff)
        assert sent.status_code == 201
        for socket in (here, elsewhere):
            got = wait_for(socket, "announcement")
            assert got["level"] == "emergency" and got["text"]["ko"] == "지진 발생, 대피하세요"
        local = {"level": "info", "text": {"ko": "분수 쇼 시작", "en": "The fountain show begins"}, "scene": "city-hall"}
        assert httpx.post(server.url + "/moderation/v1/announcements", json=local, headers=staff).status_code == 201
        assert wait_for(here, "announcement")["level"] == "info"
        with pytest.raises(TimeoutError):
            wait_for(elsewhere, "announcement", timeout=1)
    with channel(server) as late:
        hello(late, server, "Late")
        assert wait_for(late, "announcement")["text"]["en"] == "Earthquake: evacuate"
    bad = httpx.post(server.url + "/moderation/v1/announcements", json={"text": {"ko": "?"}}, headers=staff)
    assert bad.status_code == 400 and "text needs 'en'" in bad.json()["message"]


def test_poses_must_be_finite_and_headings_stay_below_360(server):
    with channel(server) as a, channel(server) as b:
        hello(a, server, "A")
        hello(b, server, "B")
        for bad, named in (('{"type":"pose","p":[NaN,0,0],"h":0}', "NaN"),
                           ('{"type":"pose","p":[0,0,0],"h":Infinity}', "Infinity"),
                           ('{"type":"pose","p":[true,0,0],"h":0}', "p[0] must be a number"),
                           ('{"type":"pose","p":[0,0,0],"h":360}', "h must be less than 360")):
            a.send(bad)
            assert named in wait_for(a, "error")["message"]
        a.send(json.dumps({"type": "pose", "p": [0, 0, 0], "h": 359.96}))
        assert wait_for(b, "poses")["poses"][0]["h"] == 0.0


def test_a_kicked_citizen_cannot_resume_their_place(server, moderator):
    staff = {"Authorization": f"Bearer {moderator_token(server, moderator)}"}
    token = guest_token(server)
    with channel(server) as watcher, channel(server) as rude:
        hello(watcher, server, "Watcher")
        rude.send(json.dumps({"type": "hello", "token": token, "scene": "city-hall", "name": "Rude"}))
        welcome = wait_for(rude, "welcome")
        kicked = httpx.post(server.url + "/moderation/v1/actions", headers=staff,
                            json={"action": "kick", "session": welcome["session"], "reason": "spam"})
        assert kicked.status_code == 201 and kicked.json()["connections"] == 1
        assert wait_for(watcher, "presence", where=lambda m: m["left"])["left"] == [welcome["session"]]
        with channel(server) as again:
            again.send(json.dumps({"type": "hello", "token": token, "scene": "city-hall", "resume": welcome["resume"],
                                   "since": welcome["seq"]}))
            back = wait_for(again, "welcome")
            assert not back["resumed"] and back["session"] != welcome["session"]
        with channel(server) as odd:  # a resume token that is not ASCII is just unknown
            odd.send(json.dumps({"type": "hello", "token": token, "scene": "city-hall", "resume": "토큰"}))
            assert not wait_for(odd, "welcome")["resumed"]


def test_a_scene_alert_is_not_shown_to_newcomers_elsewhere(server, moderator):
    staff = {"Authorization": f"Bearer {moderator_token(server, moderator)}"}
    alert = {"level": "emergency", "scene": "gwanghwamun", "text": {"ko": "광장 폐쇄", "en": "Square closed"}}
    assert httpx.post(server.url + "/moderation/v1/announcements", json=alert, headers=staff).status_code == 201
    with channel(server) as there, channel(server) as elsewhere:
        hello(there, server, "There", scene="gwanghwamun")
        hello(elsewhere, server, "Elsewhere", scene="city-hall")
        assert wait_for(there, "announcement")["text"]["en"] == "Square closed"
        with pytest.raises(TimeoutError):
            wait_for(elsewhere, "announcement", timeout=1)
