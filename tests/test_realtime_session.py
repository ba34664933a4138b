"""The client library's realtime session against a real backend: avatars move smoothly, chat
arrives, a dropped connection resumes its place (same session, missed chat replayed, nobody sees it
leave), and a backend that goes away is reconnected to with backoff when it returns."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from realtime_helpers import guest_token

from metaseoul.backend.realtime_client import AvatarPose, PoseTrack, RealtimeSession


def until(condition, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return value


def events_of(session: RealtimeSession, kind: str, found: list, timeout: float = 10.0) -> dict:
    def look():
        found.extend(session.poll())
        return next((e for e in found if e["type"] == kind), None)
    return until(look, timeout, kind)


class CuttableProxy:
    """A TCP relay in front of the backend whose connections can be cut without a goodbye, as when
    a kiosk's network drops."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def cut(self) -> None:
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.open = []

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_pose_tracks_interpolate_and_turn_the_short_way():
    track = PoseTrack()
    track.add(1.0, AvatarPose((0.0, 0.0, 0.0), 350.0))
    track.add(1.1, AvatarPose((2.0, 4.0, 0.0), 10.0))
    middle = track.sample(1.05)
    assert middle.position == pytest.approx((1.0, 2.0, 0.0))
    assert middle.heading == pytest.approx(0.0, abs=1e-9) or middle.heading == pytest.approx(360.0)
    assert track.sample(0.5).position == (0.0, 0.0, 0.0)  # before the first: held
    assert track.sample(9.0).position == (2.0, 4.0, 0.0)  # after the last: held, never guessed


def test_two_sessions_see_each_other_move_and_chat(server):
    a = RealtimeSession(server.url, guest_token(server), "city-hall", "Minji").start()
    b = RealtimeSession(server.url, guest_token(server), "city-hall", "Jun").start()
    try:
        until(lambda: a.state == b.state == "connected", what="both connected")
        until(lambda: b.session_id in a.members and a.session_id in b.members, what="presence")
        for step in range(20):
            a.send_pose((step * 0.5, 0.0, 0.0), 90.0)
            time.sleep(0.05)
        seen = until(lambda: (p := b.avatars().get(a.session_id)) and p.position[0] >= 9.0 and p, what="a's last pose")
        assert seen.heading == pytest.approx(90.0)
        xs = [pose.position[0] for t in range(30) if (pose := b.tracks[a.session_id].sample(
            b.tracks[a.session_id].times[0] + t * 0.02))]
        assert xs == sorted(xs) and len(set(xs)) > 5  # smooth, monotonic motion between ticks
        a.chat("광장에서 만나요")
        assert events_of(b, "chat", [])["text"] == "광장에서 만나요"
    finally:
        a.close()
        b.close()


def test_a_dropped_connection_resumes_its_place(server):
    proxy = CuttableProxy(server.port)
    a = RealtimeSession(f"http://127.0.0.1:{proxy.port}", guest_token(server), "city-hall", "Kiosk").start()
    b = RealtimeSession(server.url, guest_token(server), "city-hall", "Watcher").start()
    try:
        until(lambda: a.state == b.state == "connected" and a.session_id in b.members, what="both in the room")
        first_session = a.session_id
        a.poll()
        proxy.cut()
        until(lambda: a.state == "reconnecting", what="the drop noticed")
        b.chat("said while you were away")
        until(lambda: a.state == "connected", what="resumed")
        assert a.session_id == first_session and a.reconnects >= 1
        found = []
        assert events_of(a, "chat", found)["text"] == "said while you were away"
        assert any(e["type"] == "welcome" and e["resumed"] for e in found)
        time.sleep(0.5)
        assert not any(e["type"] == "presence" and e["left"] for e in b.poll())  # nobody saw it leave
    finally:
        a.close()
        b.close()
        proxy.close()


def test_reconnects_with_backoff_when_the_backend_returns(server):
    session = RealtimeSession(server.url, guest_token(server), "city-hall").start()
    try:
        until(lambda: session.state == "connected", what="connected")
        server.kill()
        until(lambda: session.state == "reconnecting", what="the loss noticed")
        time.sleep(2.0)
        attempts = session.reconnects
        assert 2 <= attempts <= 4  # 0.5 s, 1 s, 2 s …: backing off, not hammering
        server.start()  # same port and data: tokens survive the restart
        until(lambda: session.state == "connected", timeout=20, what="reconnected")
        assert session.problem  # why it was away, for the citizen
    finally:
        session.close()


def test_a_bad_token_is_refused_not_retried(server):
    session = RealtimeSession(server.url, "made-up", "city-hall").start()
    try:
        until(lambda: session.state == "refused", what="refused")
        assert "unknown token" in session.problem and session.reconnects == 0
    finally:
        session.close()
