"""The realtime channel with real sockets: two citizens see each other arrive, move and chat, the
word filter masks, and bad frames are answered without disturbing anyone else."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from websockets.sync.client import connect


def guest_token(server) -> str:
    return httpx.post(server.url + "/auth/guest").json()["access_token"]


def channel(server):
    return connect(server.url.replace("http", "ws") + "/realtime/v1", open_timeout=10)


def hello(socket, server, name: str, scene: str = "city-hall") -> dict:
    socket.send(json.dumps({"type": "hello", "token": guest_token(server), "scene": scene, "name": name}))
    welcome = json.loads(socket.recv(timeout=10))
    assert welcome["type"] == "welcome", welcome
    return welcome


def wait_for(socket, kind: str, timeout: float = 5.0, where=lambda m: True) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message["type"] == kind and where(message):
            return message


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
