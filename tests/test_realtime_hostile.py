"""The realtime channel against an attacker, on a real ``metaseoul serve``: every kind of hostile
frame is refused with the contract's error frame while the room keeps delivering chat and pongs to
honest members; five refusals close the socket and the audit log says so; nothing refused is ever
replayed on resume; sockets that never sign in cost little memory; an expired token ends a live
socket; a verified moderator carries a badge nobody can type into a name."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time
from pathlib import Path

import httpx
import pytest
from realtime_helpers import channel, guest_token, wait_for
from websockets.exceptions import ConnectionClosed

from metaseoul.backend import admission
from metaseoul.backend.accounts import GUEST_SECONDS, Accounts
from metaseoul.backend.db import Database
from metaseoul.backend.realtime import HEARTBEAT_SECONDS, HELLO_SECONDS, PROTOCOL_FRAME_LIMIT

HOSTILE = {  # a frame of each kind the contract refuses, and a word its error message must hold
    "lone surrogate in chat": ('{"type":"chat","text":"\\ud800"}', "surrogate"),
    "binary frame": (b"\x00\x01\x02", "binary"),
    "deep nesting": ('{"type":"chat","text":"hi","x":' + "[" * 2000 + "]" * 2000 + "}", "nested"),
    "huge integer in a pose": ('{"type":"pose","p":[1' + "0" * 4000 + ",0,0]}", "out of range"),
    "NaN literal": ('{"type":"ping","t":NaN}', "NaN"),
    "duplicate keys": ('{"type":"chat","text":"a","text":"b"}', "twice"),
    "oversized frame": ('{"type":"chat","text":"' + "x" * 5000 + '"}', "larger than 4096"),
    "unknown type": ('{"type":"teleport"}', "teleport"),
    "a second hello": ('{"type":"hello","token":"t","scene":"city-hall"}', "first frame"),
}






def join(socket, token: str, name: str, scene: str = "city-hall", **extra) -> dict:
    socket.send(json.dumps({"type": "hello", "token": token, "scene": scene, "name": name, **extra}))
    return wait_for(socket, "welcome")




def closed_code(socket) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv(timeout=10)
    return closed.value.rcvd.code


def still_served(calm, speaker, text: str) -> None:
    """The honest member still gets a pong of its own and the honest speaker's chat."""
    calm.send(json.dumps({"type": "ping", "t": text}))
    assert wait_for(calm, "pong")["t"] == text
    speaker.send(json.dumps({"type": "chat", "text": text}))
    assert wait_for(calm, "chat", where=lambda m: m["text"] == text)["name"] == "Speaker"


def audit(server, moderator) -> list[dict]:
    name, password = moderator
    token = httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]
    return httpx.get(server.url + "/moderation/v1/audit", headers={"Authorization": f"Bearer {token}"}).json()


def test_each_hostile_frame_is_refused_and_the_room_carries_on(server):
    rude_token = guest_token(server)
    with channel(server) as calm, channel(server) as speaker:
        join(calm, guest_token(server), "Calm")
        join(speaker, guest_token(server), "Speaker")
        for kind, (data, named) in HOSTILE.items():
            with channel(server) as rude:
                join(rude, rude_token, "Rude")
                rude.send(data)
                error = wait_for(rude, "error")
                assert error["code"] == 400 and named in error["message"], (kind, error)
                still_served(calm, speaker, f"after {kind}")
        for name in ("\ud800", "Moderator"):  # the hello itself: a lone surrogate (sent as \ud800), a staff name
            with channel(server) as rude:
                rude.send(json.dumps({"type": "hello", "token": rude_token, "scene": "city-hall", "name": name}))
                error = wait_for(rude, "error")
                assert error["code"] == 400 and ("surrogate" in error["message"] or "name:" in error["message"])
                assert closed_code(rude) == 1008
            still_served(calm, speaker, f"after a hello named {name!r}")


def test_five_refusals_close_the_socket_and_the_audit_log_records_it(server, moderator):
    with channel(server) as calm, channel(server) as speaker, channel(server) as rude:
        join(calm, guest_token(server), "Calm")
        join(speaker, guest_token(server), "Speaker")
        join(rude, guest_token(server), "Rude")
        for data, named in list(HOSTILE.values())[:5]:
            rude.send(data)
            assert named in wait_for(rude, "error")["message"]
        assert closed_code(rude) == 1008
        still_served(calm, speaker, "after five strikes")
        with channel(server) as huge:  # over the WebSocket layer's limit: closed before it is read
            join(huge, guest_token(server), "Huge")
            huge.send("x" * (PROTOCOL_FRAME_LIMIT + 1))
            assert closed_code(huge) == 1009
        still_served(calm, speaker, "after a huge frame")
    closes = [e for e in audit(server, moderator) if e["actor"] == "server" and e["action"] == "close"]
    assert any("5 bad frames" in e["reason"] and "NaN" in e["reason"] for e in closes), closes
    assert any(f"larger than {PROTOCOL_FRAME_LIMIT} bytes" in e["reason"] for e in closes), closes
    assert all(e["subject"].startswith("guest:") for e in closes)


def test_resume_never_replays_a_refused_frame(server):
    token = guest_token(server)
    with channel(server) as speaker, channel(server) as dropped:
        welcome = join(dropped, token, "Away")
        join(speaker, guest_token(server), "Speaker")
        dropped.socket.shutdown(2)  # the network drops: no closing handshake
        dropped.socket.close()
        speaker.send(json.dumps({"type": "chat", "text": "before"}))
        wait_for(speaker, "chat")
        for data, _named in HOSTILE.values():
            if isinstance(data, str) and '"chat"' in data:
                speaker.send(data)
                wait_for(speaker, "error")
        speaker.send(json.dumps({"type": "chat", "text": "after"}))
        wait_for(speaker, "chat", where=lambda m: m["text"] == "after")
        with channel(server) as again:
            back = join(again, token, "Away", resume=welcome["resume"], since=welcome["seq"])
            assert back["resumed"] and back["seq"] == welcome["seq"] + 2  # refused frames never got a number
            replayed = [wait_for(again, "chat")["text"], wait_for(again, "chat")["text"]]
            assert replayed == ["before", "after"]


def test_a_moderator_carries_a_badge_and_a_guest_does_not(server, moderator):
    name, password = moderator
    staff_token = httpx.post(server.url + "/auth/token", json={"name": name, "password": password}).json()["access_token"]
    with channel(server) as guest, channel(server) as staff:
        join(guest, guest_token(server), "Minji")
        welcome = join(staff, staff_token, "Kim")
        assert [m["badge"] for m in welcome["members"]] == [None]
        assert wait_for(guest, "presence", where=lambda m: m["joined"])["joined"][0]["badge"] == "moderator"
        staff.send(json.dumps({"type": "chat", "text": "welcome to city hall"}))
        said = wait_for(guest, "chat")
        assert said["badge"] == "moderator" and said["name"] == "Kim"
        guest.send(json.dumps({"type": "chat", "text": "thank you"}))
        assert wait_for(staff, "chat", where=lambda m: m["text"] == "thank you")["badge"] is None
        with channel(server) as newcomer:
            members = join(newcomer, guest_token(server), "Jun")["members"]
            assert {m["name"]: m["badge"] for m in members} == {"Minji": None, "Kim": "moderator"}
        with channel(server) as pretender:  # a guest cannot look like one: the name is refused
            pretender.send(json.dumps({"type": "hello", "token": guest_token(server), "scene": "city-hall",
                                       "name": "Ｍoderator Kim"}))
            refusal = wait_for(pretender, "error")
            assert refusal["code"] == 400 and "kept for the city's staff" in refusal["message"]


def test_an_expired_token_ends_a_live_socket(server):
    db = Database(server.data)  # a token issued (as by the server) by a clock that runs early: expires in 5 s
    try:
        soon = Accounts(db, clock=lambda: time.time() - GUEST_SECONDS + 5).guest()["access_token"]
    finally:
        db.close()
    with channel(server) as calm, channel(server) as expiring:
        join(calm, guest_token(server), "Calm")
        join(expiring, soon, "Soon")
        error = wait_for(expiring, "error", timeout=2 * HEARTBEAT_SECONDS + 5)
        assert error["code"] == 401 and "expired" in error["message"]
        assert closed_code(expiring) == 4001
        calm.send(json.dumps({"type": "ping"}))
        wait_for(calm, "pong")
    with channel(server) as again:  # the same token cannot come back
        again.send(json.dumps({"type": "hello", "token": soon, "scene": "city-hall"}))
        assert wait_for(again, "error")["code"] == 401


def memory_kib(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (the most it was resident) of process ``pid``, in KiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status[field].split()[0])


MASK = b"\0\0\0\0"  # a client frame must be masked; a zero key leaves the payload as it is


def frame_header(opcode: int, length: int) -> bytes:
    if length < 126:
        return bytes([0x80 | opcode, 0x80 | length]) + MASK
    if length < 1 << 16:
        return bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big") + MASK
    return bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big") + MASK


async def hostile(port: int, address: str, kind: str) -> bytes:
    """One socket that never signs in, from ``address``; what the server answered before it closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET /realtime/v1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    try:
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
        if kind == "huge":  # the 15 MiB hello that once took a gigabyte for 40 sockets
            writer.write(frame_header(0x1, 15 << 20))
            chunk = b"x" * 65536
            for _ in range(240):
                writer.write(chunk)
                await writer.drain()
        elif kind == "slow":  # a hello that never finishes arriving
            writer.write(frame_header(0x1, 200) + b'{"type":')
            while not (answer := await _answered(reader)) and not reader.at_eof():
                writer.write(b" ")
            return answer
        else:
            data = {"bogus": json.dumps({"type": "hello", "token": "made-up", "scene": "city-hall"}).encode(),
                    "big": json.dumps({"type": "hello", "token": "x" * 8000, "scene": "city-hall"}).encode(),
                    "binary": bytes(1000)}[kind]
            writer.write(frame_header(0x2 if kind == "binary" else 0x1, len(data)) + data)
        return await asyncio.wait_for(reader.read(4096), 2 * HELLO_SECONDS)
    except (ConnectionError, asyncio.IncompleteReadError):
        return b""  # cut off by the server
    finally:
        writer.close()


async def _answered(reader: asyncio.StreamReader) -> bytes:
    try:
        return await asyncio.wait_for(reader.read(4096), 0.25)
    except TimeoutError:
        return b""


async def attack(port: int) -> list[tuple[str, bytes]]:
    """100 sockets at once from five addresses, 20 each (as many as one address may hold before
    hello): huge and big frames, slow hellos, bogus tokens, binary frames."""
    kinds = ("huge", "slow", "bogus", "big", "binary")
    plan = [(f"127.0.0.{2 + n % 5}", kinds[n // 5 % 5]) for n in range(100)]
    answers = await asyncio.gather(*(hostile(port, address, kind) for address, kind in plan))
    return [(kind, answer) for (_address, kind), answer in zip(plan, answers)]


def test_sockets_that_never_sign_in_cost_little_memory_and_honest_clients_are_served(server):
    with channel(server) as calm, channel(server) as speaker:
        join(calm, guest_token(server), "Calm")
        join(speaker, guest_token(server), "Speaker")
        still_served(calm, speaker, "before the attack")
        baseline = memory_kib(server.process.pid, "VmRSS")
        answers = asyncio.run(attack(server.port))
        peak = memory_kib(server.process.pid, "VmHWM")
        still_served(calm, speaker, "after the attack")
        with channel(server) as late:
            join(late, guest_token(server), "Late")
            late.send(json.dumps({"type": "chat", "text": "made it"}))
            assert wait_for(calm, "chat", where=lambda m: m["text"] == "made it")["name"] == "Late"
    assert peak - baseline < 50 * 1024, f"the server grew from {baseline} KiB to {peak} KiB"
    expected = {"slow": b"no hello within", "bogus": b"unknown token", "big": b"larger than 4096",
                "binary": b"binary frames"}
    for kind, answer in answers:
        assert kind == "huge" or expected[kind] in answer, (kind, answer)


def test_the_gate_bounds_sockets_before_hello_per_address_and_in_all():
    async def scenario() -> None:
        gate = admission.Gate(per_address=3, unproven_per_address=2, unproven_total=3, waiting_total=2)
        async with contextlib.AsyncExitStack() as held:
            first = await held.enter_async_context(gate.entry("a", 1))
            await held.enter_async_context(gate.entry("a", 1))
            with pytest.raises(admission.Full, match="signing in at once"):  # a's third waits, none comes
                await held.enter_async_context(gate.entry("a", 0.05))
            third = asyncio.ensure_future(held.enter_async_context(gate.entry("a", 5)))
            await asyncio.sleep(0)
            assert not third.done()
            first.proven()  # a's first said hello: its place goes to the one waiting
            await asyncio.wait_for(third, 1)
            with pytest.raises(admission.Full, match="3 connections from your address"):
                await held.enter_async_context(gate.entry("a", 1))
            await held.enter_async_context(gate.entry("b", 1))  # the third place in all
            with pytest.raises(admission.Full, match="signing in at once"):
                await held.enter_async_context(gate.entry("c", 0.05))
        assert not gate.held and not gate.unproven and not gate.waiting

    asyncio.run(scenario())


def test_reports_are_limited_per_person_per_hour(app_client, monkeypatch):
    from metaseoul.backend import realtime

    monkeypatch.setattr(realtime, "REPORT_INTERVAL", 0)  # the hourly bound alone, without waiting 10 s each
    token = app_client.post("/auth/guest").json()["access_token"]
    target_token = app_client.post("/auth/guest").json()["access_token"]
    with app_client.websocket_connect("/realtime/v1") as target, \
            app_client.websocket_connect("/realtime/v1") as one, app_client.websocket_connect("/realtime/v1") as two:
        target.send_json({"type": "hello", "token": target_token, "scene": "city-hall", "name": "Target"})
        session = target.receive_json()["session"]
        for socket in (one, two):  # one person, two connections: one count
            socket.send_json({"type": "hello", "token": token, "scene": "city-hall", "name": "Reporter"})
            assert socket.receive_json()["type"] == "welcome"
        for n in range(realtime.REPORTS_PER_HOUR):
            socket = (one, two)[n % 2]
            socket.send_json({"type": "report", "target": session, "reason": f"report {n}"})
            while (answer := socket.receive_json())["type"] != "reported":
                assert answer["type"] == "presence", answer
        two.send_json({"type": "report", "target": session, "reason": "one more"})
        while (answer := two.receive_json())["type"] != "error":
            pass
        assert answer["code"] == 400 and f"at most {realtime.REPORTS_PER_HOUR} reports an hour" in answer["message"]
