"""The realtime channel: rooms (a scene instance each), presence, avatar poses batched per server
tick, chat with a Korean and English word filter, emotes, announcements and emergency alerts,
moderation, heartbeat, and resume after a dropped connection. JSON frames on a WebSocket; the
frames are specified in ``contract/asyncapi.json`` (see docs/backend-contract.md).

Every client has its own send queue drained by its own task, so one slow connection never holds up
a tick for the others; a client that falls too far behind is disconnected and may resume.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from metaseoul.backend.accounts import Accounts, AuthError
from metaseoul.backend.moderation import Moderation

TICK_HZ = 15
ROOM_CAPACITY = 200
FRAME_LIMIT = 4096
CHAT_LIMIT = 500
MESSAGES_PER_SECOND = 40
STRIKES_BEFORE_CLOSE = 5
HEARTBEAT_SECONDS = 10  # clients send a ping at least this often
SILENCE_LIMIT = 3 * HEARTBEAT_SECONDS  # a connection silent for longer is closed (and may resume)
RESUME_SECONDS = 30  # how long a dropped citizen keeps their place
HISTORY = 100  # chat, emotes and announcements kept per room for resuming clients
SEND_BACKLOG = 256  # frames waiting for one client before it counts as too slow
SEND_TIMEOUT = 5.0  # seconds one frame may take to go out before the connection counts as too slow
EMOTES = ("wave", "bow", "clap", "thumbs-up", "heart", "point")
REPORT_INTERVAL = 10  # seconds between one citizen's reports
ALERT_MINUTES = 30  # an emergency alert is shown to newcomers this long unless given
NORMAL_CLOSE = (1000, 1001)  # the client left on purpose: no resume
CLOSE_CODES = {"too slow": 4013, "silent": 4008, "kicked": 4003, "replaced": 4009, "misbehaved": 1008}


def _mask_pattern() -> re.Pattern:
    words = json.loads((resources.files("metaseoul.backend") / "data" / "wordfilter.json").read_text("utf-8"))
    listed = [w for lang in ("en", "ko") for w in words[lang]]
    return re.compile("|".join(re.escape(w) for w in sorted(listed, key=len, reverse=True)), re.IGNORECASE)


MASK = _mask_pattern()


def mask(text: str) -> str:
    """Filtered words become asterisks of the same length."""
    return MASK.sub(lambda m: "*" * len(m.group(0)), text)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def frame(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class Connection:
    """One WebSocket of a member, with its own send queue drained by its own task."""

    def __init__(self, socket: WebSocket):
        self.socket = socket
        self.queue: deque[str] = deque()
        self.wake = asyncio.Event()
        self.ending: str | None = None  # why this connection is being closed
        self.sending_since: float | None = None  # when the frame going out now started (the watchdog reads it)
        self.writer: asyncio.Task | None = None

    def push(self, text: str) -> None:
        if self.ending:
            return
        self.queue.append(text)
        self.wake.set()
        if len(self.queue) > SEND_BACKLOG:
            self.queue.clear()
            self.end("too slow")

    def end(self, why: str) -> None:
        self.ending = self.ending or why
        self.wake.set()

    async def drain(self) -> None:
        """Send queued frames in order; close the socket when the connection is ended. A client that
        stops reading cannot hold this task: the hub's watchdog cancels a send that takes too long
        (a timeout per frame would cost a task per frame)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.queue:
                    self.sending_since = loop.time()
                    await self.socket.send_text(self.queue.popleft())
                    self.sending_since = None
                if self.ending:
                    self.sending_since = loop.time()
                    await self.socket.close(code=CLOSE_CODES.get(self.ending, 1000))
                    return
        except (RuntimeError, WebSocketDisconnect, OSError):
            self.end("too slow")

    def stuck(self, now: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > SEND_TIMEOUT


@dataclass(eq=False)
class Member:
    id: str
    name: str
    subject: str
    room: Room
    resume: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    connection: Connection | None = None  # None while away (dropped, may resume)
    pose: dict | None = None
    moved: bool = False
    last_seen: float = 0.0
    away_since: float = 0.0
    muted_until: float = 0.0
    last_report: float = float("-inf")

    def push(self, text: str) -> None:
        if self.connection is not None:  # while away, what matters is replayed on resume
            self.connection.push(text)


@dataclass(eq=False)
class Room:
    id: str
    scene: str
    members: dict[str, Member] = field(default_factory=dict)
    seq: int = 0
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))

    def broadcast(self, message: dict, skip: str | None = None, keep: bool = False) -> None:
        """Queue ``message`` for everyone here; ``keep`` numbers it and keeps it for resuming clients."""
        if keep:
            self.seq += 1
            message = message | {"seq": self.seq}
        text = frame(message)
        if keep:
            self.history.append((self.seq, text))
        for member in self.members.values():
            if member.id != skip:
                member.push(text)


class Hub:
    def __init__(self, accounts: Accounts, moderation: Moderation):
        self.accounts = accounts
        self.moderation = moderation
        self.rooms: dict[str, list[Room]] = {}
        self.members: dict[str, Member] = {}
        self.alerts: list[tuple[float, str | None, dict]] = []  # (shown until, scene or everywhere, alert)
        self.tick = 0
        self._tasks: set[asyncio.Task] = set()
        self._ticker: asyncio.Task | None = None

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def room_for(self, scene: str) -> Room:
        """The first instance of the scene with space; a full one opens the next."""
        instances = self.rooms.setdefault(scene, [])
        for room in instances:
            if len(room.members) < ROOM_CAPACITY:
                return room
        taken = {room.id for room in instances}
        room = Room(next(f"{scene}#{n}" for n in range(1, len(instances) + 2) if f"{scene}#{n}" not in taken), scene)
        instances.append(room)
        return room

    def start(self) -> None:
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._run_ticks())

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    async def _run_ticks(self) -> None:
        while True:
            await asyncio.sleep(1 / TICK_HZ)
            self.tick += 1
            for instances in list(self.rooms.values()):
                for room in instances:
                    moved = [m for m in room.members.values() if m.moved]
                    if moved:
                        for m in moved:
                            m.moved = False
                        room.broadcast({"type": "poses", "tick": self.tick,
                                        "poses": [{"id": m.id, **m.pose} for m in moved]})
            if self.tick % TICK_HZ == 0:
                self._housekeeping()

    def _housekeeping(self) -> None:
        """Once a second: close silent connections, let go of citizens who did not come back."""
        now = self.now()
        for member in list(self.members.values()):
            if member.connection is not None and member.connection.stuck(now) and member.connection.writer:
                member.connection.end("too slow")
                member.connection.writer.cancel()  # its send never finished: the client stopped reading
            elif member.connection is not None and now - member.last_seen > SILENCE_LIMIT:
                member.connection.end("silent")
            elif member.connection is None and now - member.away_since > RESUME_SECONDS:
                self._leave(member)
        self.alerts = [alert for alert in self.alerts if alert[0] > now]

    def _leave(self, member: Member) -> None:
        room = member.room
        self.members.pop(member.id, None)
        if room.members.pop(member.id, None) is None:
            return
        if room.members:
            room.broadcast({"type": "presence", "joined": [], "left": [member.id]})
        else:  # an empty instance goes, so rooms never pile up
            instances = self.rooms.get(room.scene, [])
            if room in instances:
                instances.remove(room)
            if not instances:
                self.rooms.pop(room.scene, None)

    async def connect(self, socket: WebSocket) -> None:
        await socket.accept()
        self.start()
        try:
            hello = json.loads(await asyncio.wait_for(socket.receive_text(), timeout=10))
            if not isinstance(hello, dict) or hello.get("type") != "hello":
                raise ValueError("the first frame must be hello")
            session = await run_in_threadpool(self.accounts.session, f"Bearer {hello.get('token', '')}")
            scene = str(hello.get("scene", ""))
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", scene):
                raise ValueError("hello needs a scene id")
            ban, mute = await run_in_threadpool(
                lambda: (self.moderation.sanction(session.subject, "ban"), self.moderation.sanction(session.subject, "mute")))
        except (AuthError, ValueError, TypeError, asyncio.TimeoutError) as exc:
            await self._refuse(socket, 401, str(exc) or "no hello")
            return
        except WebSocketDisconnect:
            return
        if ban is not None:
            await self._refuse(socket, 403, f"banned: {ban.reason}", until=ban.until)
            return
        member = self._resumed(hello, session.subject)
        if member is None:
            room = self.room_for(scene)
            member = Member(secrets.token_hex(4), mask(str(hello.get("name", "guest")))[:40], session.subject, room)
            member.muted_until = mute.until if mute else 0.0
            others = list(room.members.values())
            room.members[member.id] = member
            self.members[member.id] = member
            room.broadcast({"type": "presence", "joined": [{"id": member.id, "name": member.name}], "left": []},
                           skip=member.id)
            resumed, since = False, room.seq
        else:
            others = [m for m in member.room.members.values() if m is not member]
            resumed, since = True, hello.get("since") if isinstance(hello.get("since"), int) else 0
        room = member.room
        connection = Connection(socket)
        member.connection, member.last_seen = connection, self.now()
        member.push(frame({"type": "welcome", "session": member.id, "room": room.id, "resume": member.resume,
                           "resumed": resumed, "seq": room.seq, "heartbeat_s": HEARTBEAT_SECONDS,
                           "members": [{"id": m.id, "name": m.name, "pose": m.pose} for m in others]}))
        for seq, text in room.history:
            if seq > since:
                member.push(text)
        if not resumed:
            for _until, scene_only, alert in self.alerts:
                if scene_only in (None, room.scene):
                    member.push(frame(alert))
        writer = connection.writer = asyncio.get_running_loop().create_task(connection.drain())
        try:
            ended = await self._serve(member, connection)
        finally:
            connection.end("gone")
            try:
                await asyncio.wait_for(writer, SEND_TIMEOUT * 2)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass  # stuck and cancelled (by wait_for or the watchdog)
            owner = member.connection is connection
            if owner:
                member.connection = None
                member.away_since = self.now()
        if owner and (ended == "left" or connection.ending == "misbehaved"):
            self._leave(member)
        if connection.ending == "misbehaved":
            await run_in_threadpool(self.moderation.log, "server", "close", member.subject,
                                    f"{STRIKES_BEFORE_CLOSE} bad frames")

    def _resumed(self, hello: dict, subject: str) -> Member | None:
        """The citizen's place, when this hello resumes a connection that dropped."""
        token = hello.get("resume")
        if not isinstance(token, str):
            return None
        for member in self.members.values():
            if secrets.compare_digest(member.resume.encode(), token.encode()) and member.subject == subject:
                if member.connection is not None:  # the old connection is not gone yet: replace it
                    member.connection.end("replaced")
                return member
        return None

    async def _refuse(self, socket: WebSocket, code: int, message: str, until: float | None = None) -> None:
        refusal = {"type": "error", "code": code, "message": message} | ({"until": until} if until else {})
        try:
            await socket.send_text(frame(refusal))
            await socket.close(code=1008)
        except (RuntimeError, WebSocketDisconnect, OSError):
            pass  # already gone

    async def _serve(self, member: Member, connection: Connection) -> str:
        """Read frames until the client leaves ("left") or the connection is lost or ended ("ended")."""
        strikes, window_start, count = 0, self.now(), 0
        while not connection.ending:
            try:
                text = await connection.socket.receive_text()
            except WebSocketDisconnect as exc:
                return "left" if exc.code in NORMAL_CLOSE else "ended"
            except RuntimeError:
                return "ended"
            now = self.now()
            member.last_seen = now
            if now - window_start >= 1:
                window_start, count = now, 0
            count += 1
            problem = self._handle(member, text) if count <= MESSAGES_PER_SECOND else "too many messages: slow down"
            if problem:
                strikes += 1
                member.push(frame({"type": "error", "code": 400, "message": problem}))
                if strikes >= STRIKES_BEFORE_CLOSE:
                    connection.end("misbehaved")
        return "ended"

    def _handle(self, member: Member, text: str) -> str | None:
        """Apply one frame; returns what was wrong with it, if anything."""
        if len(text) > FRAME_LIMIT or len(text.encode()) > FRAME_LIMIT:
            return f"frame larger than {FRAME_LIMIT} bytes"
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, KeyError, TypeError):
            return "malformed frame: expected a JSON object with a type"
        room = member.room
        if kind == "pose":
            p, h = message.get("p"), message.get("h", 0)
            if not isinstance(p, list) or len(p) != 3 or not all(map(_finite, p)) or not _finite(h):
                return "pose needs p: [x, y, z] and h: degrees (finite numbers)"
            member.pose = {"p": [round(float(v), 3) for v in p], "h": round(float(h), 1) % 360}
            for part in ("head", "left", "right"):  # optional tracked poses: position and quaternion
                pose = message.get(part)
                if isinstance(pose, list) and len(pose) == 7 and all(map(_finite, pose)):
                    member.pose[part] = [round(float(v), 3) for v in pose]
            member.moved = True
        elif kind == "ping":
            member.push(frame({"type": "pong", "t": message.get("t")}))
        elif kind in ("chat", "emote"):
            if member.muted_until > time.time():
                member.push(frame({"type": "error", "code": 403, "message": "you are muted", "until": member.muted_until}))
                return None
            if kind == "chat":
                said = message.get("text")
                if not isinstance(said, str) or not said.strip() or len(said) > CHAT_LIMIT:
                    return f"chat needs text of 1 to {CHAT_LIMIT} characters"
                room.broadcast({"type": "chat", "from": member.id, "name": member.name, "text": mask(said)}, keep=True)
            else:
                if message.get("name") not in EMOTES:
                    return f"emote name must be one of {', '.join(EMOTES)}"
                room.broadcast({"type": "emote", "from": member.id, "name": message["name"]}, keep=True)
        elif kind == "report":
            target = self.members.get(str(message.get("target")))
            reason = message.get("reason")
            if target is None or not isinstance(reason, str) or not reason.strip():
                return "report needs the target's session id and a reason"
            now = self.now()
            if now - member.last_report < REPORT_INTERVAL:
                return f"one report every {REPORT_INTERVAL} seconds"
            member.last_report = now
            self._later(self._report(member, target, reason))
        else:
            return f"unknown frame type {kind!r}"
        return None

    def _later(self, work) -> None:
        """Run database work off the frame loop; keep a reference so the task is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(self, member: Member, target: Member, reason: str) -> None:
        ident = await run_in_threadpool(self.moderation.report, member.subject, target.subject, target.id,
                                        member.room.id, reason)
        member.push(frame({"type": "reported", "id": ident}))

    def announce(self, level: str, text: dict, scene: str | None = None, minutes: float | None = None) -> dict:
        """Send an announcement ("info") or emergency alert ("emergency") to a scene's rooms or everywhere."""
        announcement = {"type": "announcement", "id": secrets.token_hex(6), "level": level, "text": text}
        for instances in self.rooms.values():
            for room in instances:
                if scene is None or room.scene == scene:
                    room.broadcast(announcement, keep=True)
        if level == "emergency":
            self.alerts.append((self.now() + 60 * (minutes or ALERT_MINUTES), scene, announcement))
        return announcement

    def enforce(self, entry: dict) -> int:
        """Apply a recorded moderation action to the subject's connections; returns how many it reached."""
        action, reached = entry["action"], 0
        for member in list(self.members.values()):
            if member.subject != entry["subject"]:
                continue
            reached += 1
            if action == "mute":
                member.muted_until = entry["until"]
            elif action == "unmute":
                member.muted_until = 0.0
            member.push(frame({"type": "moderation", "action": action, "reason": entry["reason"],
                               "until": entry["until"]}))
            if action in ("kick", "ban"):
                member.resume = secrets.token_urlsafe(18)  # no way back into this place
                if member.connection is not None:
                    member.connection.end("kicked")
                self._leave(member)
        return reached

    def subject_of(self, session: str) -> str | None:
        member = self.members.get(session)
        return member.subject if member else None
