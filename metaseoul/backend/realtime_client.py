"""A realtime session with a city backend, for the client and for tests: it keeps one WebSocket open
on a background thread, reconnects with exponential backoff and resumes its place (same session id,
missed chat replayed), sends heartbeats, and turns pose batches into per-avatar tracks that can be
sampled at any moment (interpolated a little in the past, so motion is smooth between ticks).

The frames are those of ``contract/asyncapi.json``. Nothing here blocks the caller: ``send_pose``,
``chat`` and friends queue; ``poll`` hands over what arrived; ``avatars`` samples the tracks.
"""

from __future__ import annotations

import bisect
import json
import queue
import random
import threading
import time
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

RENDER_DELAY = 0.1  # seconds: avatars are shown this far in the past, between two received poses
POSE_HZ = 20  # the most poses a second this client sends
TRACK_SECONDS = 2.0  # how much of each avatar's motion is kept
BACKOFF_FIRST, BACKOFF_LIMIT = 0.5, 15.0  # seconds before reconnecting: doubles up to the limit
REFUSED = (400, 401, 403)  # errors on hello that trying again cannot fix (a refused name, a bad token, a ban)
FINAL_CLOSES = {4003: "removed by a moderator", 4009: "continued on another connection"}  # no retry


@dataclass(frozen=True)
class AvatarPose:
    position: tuple[float, float, float]
    heading: float


@dataclass
class PoseTrack:
    """One avatar's recent poses by arrival time."""
    times: list[float] = field(default_factory=list)
    poses: list[AvatarPose] = field(default_factory=list)

    def add(self, at: float, pose: AvatarPose) -> None:
        self.times.append(at)
        self.poses.append(pose)
        while self.times and self.times[0] < at - TRACK_SECONDS:
            del self.times[0], self.poses[0]

    def sample(self, at: float) -> AvatarPose | None:
        """The pose at ``at``: interpolated between the poses around it, held at the ends."""
        if not self.times:
            return None
        i = bisect.bisect_right(self.times, at)
        if i == 0:
            return self.poses[0]
        if i == len(self.times):
            return self.poses[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        a, b = self.poses[i - 1], self.poses[i]
        f = (at - t0) / (t1 - t0) if t1 > t0 else 1.0
        turn = (b.heading - a.heading + 180) % 360 - 180  # the short way round
        return AvatarPose(tuple(pa + (pb - pa) * f for pa, pb in zip(a.position, b.position)),
                          (a.heading + turn * f) % 360)


class Refused(Exception):
    """The backend will not let this session in (bad token, banned)."""


class RealtimeSession:
    def __init__(self, url: str, token: str, scene: str, name: str = "guest", path: str = "/realtime/v1",
                 clock=time.monotonic):
        self.url = url.rstrip("/").replace("http", "ws", 1) + path  # path: discovery's endpoints.realtime
        self.token, self.scene, self.name = token, scene, name
        self.clock = clock
        self.state = "connecting"  # connecting, connected, reconnecting, refused, closed
        self.problem = ""  # why the last connection failed, for the citizen
        self.session_id = ""
        self.room = ""
        self.members: dict[str, str] = {}  # session id → name, without this session
        self.tracks: dict[str, PoseTrack] = {}
        self.reconnects = 0
        self._resume: str | None = None
        self._seq = 0
        self._heartbeat = 10.0
        self._events: queue.Queue[dict] = queue.Queue()
        self._outgoing: queue.Queue[str] = queue.Queue()
        self._pose: dict | None = None  # the pose waiting to be sent
        self._last_pose: dict | None = None  # the last one sent: a fresh join sends it again
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metaseoul-realtime", daemon=True)

    # --- what the caller uses --------------------------------------------------------------
    def start(self) -> RealtimeSession:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.state = "closed"

    def send_pose(self, position: tuple[float, float, float], heading: float) -> None:
        """The latest pose; sent at up to POSE_HZ, older unsent ones are skipped."""
        with self._lock:
            self._pose = {"type": "pose", "p": [float(v) for v in position], "h": float(heading) % 360}

    def chat(self, text: str) -> None:
        self._outgoing.put(json.dumps({"type": "chat", "text": text}, ensure_ascii=False))

    def emote(self, name: str) -> None:
        self._outgoing.put(json.dumps({"type": "emote", "name": name}))

    def report(self, session: str, reason: str) -> None:
        self._outgoing.put(json.dumps({"type": "report", "target": session, "reason": reason}, ensure_ascii=False))

    def poll(self) -> list[dict]:
        """Frames that arrived since the last call, except poses and pongs (see ``avatars``)."""
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def avatars(self, at: float | None = None) -> dict[str, AvatarPose]:
        """Everyone else's pose, as it should be drawn now."""
        moment = (self.clock() if at is None else at) - RENDER_DELAY
        with self._lock:
            sampled = {ident: track.sample(moment) for ident, track in self.tracks.items() if ident in self.members}
        return {ident: pose for ident, pose in sampled.items() if pose is not None}

    # --- the connection thread ---------------------------------------------------------------
    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                with connect(self.url, open_timeout=10, close_timeout=2) as socket:
                    self._join(socket)
                    delay = BACKOFF_FIRST
                    self._converse(socket)
            except Refused as exc:
                self.state, self.problem = "refused", str(exc)
                self._events.put({"type": "refused", "message": str(exc)})
                return
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code in FINAL_CLOSES:
                    self.state, self.problem = "refused", FINAL_CLOSES[exc.rcvd.code]
                    self._events.put({"type": "refused", "message": self.problem})
                    return
                self.problem = str(exc)
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError, ValueError, KeyError, TypeError,
                    AttributeError) as exc:  # also a frame that is not what the contract says: try again
                self.problem = str(exc) or type(exc).__name__
            if self._stop.is_set():
                return
            self.state = "reconnecting"
            self.reconnects += 1
            self._stop.wait(delay * random.uniform(0.8, 1.2))  # jitter: not everyone retries at once
            delay = min(delay * 2, BACKOFF_LIMIT)

    def _join(self, socket) -> None:
        hello = {"type": "hello", "token": self.token, "scene": self.scene, "name": self.name}
        if self._resume:
            hello |= {"resume": self._resume, "since": self._seq}
        socket.send(json.dumps(hello, ensure_ascii=False))
        answer = json.loads(socket.recv(timeout=10))
        if answer.get("type") == "error":
            if answer.get("code") in REFUSED:
                raise Refused(answer.get("message", ""))
            raise ValueError(answer.get("message", "refused"))
        if answer.get("type") != "welcome":
            raise ValueError(f"expected welcome, got {answer.get('type')!r}")
        now = self.clock()
        with self._lock:
            if not answer["resumed"]:
                self.tracks.clear()
                self._seq = answer["seq"]
                self._pose = self._pose or self._last_pose
            self.session_id, self.room, self._resume = answer["session"], answer["room"], answer["resume"]
            self._heartbeat = float(answer.get("heartbeat_s", 10))
            self.members = {m["id"]: m["name"] for m in answer["members"]}
            for m in answer["members"]:
                if m.get("pose"):
                    self._track(m["id"], m["pose"], now)
        self.state = "connected"
        self._events.put(answer)

    def _converse(self, socket) -> None:
        last_pose = last_ping = 0.0
        while not self._stop.is_set():
            now = self.clock()
            if now - last_pose >= 1 / POSE_HZ:
                with self._lock:
                    pose, self._pose = self._pose, None
                if pose is not None:
                    socket.send(json.dumps(pose))
                    self._last_pose, last_pose = pose, now
            while not self._outgoing.empty():
                socket.send(self._outgoing.get_nowait())
            if now - last_ping >= self._heartbeat / 2:
                socket.send(json.dumps({"type": "ping", "t": now}))
                last_ping = now
            try:
                self._receive(json.loads(socket.recv(timeout=0.02)))
            except TimeoutError:
                continue

    def _receive(self, message: dict) -> None:
        kind = message.get("type")
        now = self.clock()
        with self._lock:
            if "seq" in message:
                self._seq = max(self._seq, message["seq"])
            if kind == "poses":
                for pose in message["poses"]:
                    if pose["id"] != self.session_id:
                        self._track(pose["id"], pose, now)
                return
            if kind == "presence":
                self.members.update({m["id"]: m["name"] for m in message["joined"]})
                for ident in message["left"]:
                    self.members.pop(ident, None)
                    self.tracks.pop(ident, None)
        if kind != "pong":
            self._events.put(message)

    def _track(self, ident: str, pose: dict, at: float) -> None:
        self.tracks.setdefault(ident, PoseTrack()).add(at, AvatarPose(tuple(pose["p"]), float(pose.get("h", 0))))
