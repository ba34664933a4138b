"""The realtime channel: rooms (a scene instance each), presence, avatar poses batched per server
tick, chat with a Korean and English word filter, emotes, announcements and emergency alerts,
moderation, heartbeat, and resume after a dropped connection. JSON frames on a WebSocket; the
frames are specified in ``contract/asyncapi.json`` (see docs/backend-contract.md).

Every client has its own send queue drained by its own task, so one slow connection never holds up
a tick for the others; a client that falls too far behind is disconnected and may resume.

Every frame a client sends is checked against the contract (``contract.frame``) before anything
uses it, and what fails is refused and counted; a frame the server itself cannot handle or send
ends only that one connection (1011, logged), never a room's or the hub's tasks. Sockets before
their hello are bounded by ``admission``; a member's token is checked again every heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from metaseoul.backend import admission, contract, names, safejson
from metaseoul.backend.accounts import Accounts, AuthError
from metaseoul.backend.contract import Refused
from metaseoul.backend.moderation import Moderation

TICK_HZ = 15
ROOM_CAPACITY = 200
FRAME_LIMIT = 4096
PROTOCOL_FRAME_LIMIT = 4 * FRAME_LIMIT  # uvicorn closes a socket sending more (1009) before reading it
HELLO_SECONDS = 5  # a socket has this long after opening to send its hello
MESSAGES_PER_SECOND = 40
STRIKES_BEFORE_CLOSE = 5
HEARTBEAT_SECONDS = 10  # clients send a ping at least this often
SILENCE_LIMIT = 3 * HEARTBEAT_SECONDS  # a connection silent for longer is closed (and may resume)
RESUME_SECONDS = 30  # how long a dropped citizen keeps their place
HISTORY = 100  # chat, emotes and announcements kept per room for resuming clients
SEND_BACKLOG = 256  # frames waiting for one client before it counts as too slow
SEND_TIMEOUT = 5.0  # seconds one frame may take to go out before the connection counts as too slow
UNNAMED = "guest"  # the name of a member whose hello gave none
EMOTES = ("wave", "bow", "clap", "thumbs-up", "heart", "point")
REPORT_INTERVAL = 10  # seconds between one person's reports
REPORTS_PER_HOUR = 20  # and at most this many an hour (per account or guest session, across connections)
TOKEN_CHECK_SECONDS = HEARTBEAT_SECONDS  # how often every member's token is checked again
TOKEN_ENDED = "the token has expired or was revoked: get a new one"
ALERT_MINUTES = 30  # an emergency alert is shown to newcomers this long unless given
NORMAL_CLOSE = (1000, 1001)  # the client left on purpose: no resume
CLOSE_CODES = {"too slow": 4013, "silent": 4008, "kicked": 4003, "replaced": 4009, "misbehaved": 1008,
               "broken": 1011, "token ended": 4001}
PROTOCOL_CLOSES = {1002: "broke the WebSocket protocol", 1007: "sent text that is not UTF-8",
                   1009: f"sent a frame larger than {PROTOCOL_FRAME_LIMIT} bytes"}  # closed by uvicorn itself
log = logging.getLogger("metaseoul.backend")


def _mask_pattern() -> re.Pattern:
    words = json.loads((resources.files("metaseoul.backend") / "data" / "wordfilter.json").read_text("utf-8"))
    listed = [w for lang in ("en", "ko") for w in words[lang]]
    return re.compile("|".join(re.escape(w) for w in sorted(listed, key=len, reverse=True)), re.IGNORECASE)


MASK = _mask_pattern()


def mask(text: str) -> str:
    """Filtered words become asterisks of the same length."""
    return MASK.sub(lambda m: "*" * len(m.group(0)), text)


def frame(message: dict) -> str:
    return safejson.dumps(message)


def parse(data: str | bytes) -> dict:
    """A client's frame checked against the contract, or Refused saying what is wrong with it."""
    if not isinstance(data, str):
        raise Refused("binary frames are not part of the contract: send JSON text")
    if len(data) > FRAME_LIMIT or len(data.encode("utf-8", "surrogatepass")) > FRAME_LIMIT:
        raise Refused(f"frame larger than {FRAME_LIMIT} bytes")
    return contract.frame(data)


async def receive(socket: WebSocket) -> str | bytes:
    """The next frame's text (or bytes, for a binary frame); WebSocketDisconnect when the client went."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    return message["text"] if message.get("text") is not None else message.get("bytes") or b""


def _display_name(name: str) -> str:
    """The name others see (filtered words masked); names.BadName for one that could pass as someone else."""
    return mask(names.display_name(name))


def report_problem(**facts) -> None:
    """Something went wrong on the server's side of one connection: one JSON line in the log."""
    log.error(json.dumps({"realtime": "error", **facts}))


class Connection:
    """One WebSocket of a member, with its own send queue drained by its own task."""

    def __init__(self, socket: WebSocket):
        self.socket = socket
        self.queue: deque[str] = deque()
        self.wake = asyncio.Event()
        self.ending: str | None = None  # why this connection is being closed
        self.note = ""  # for the audit log, when the server closes it for misbehaving
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
        try:
            await self._send_until_ended()
        except (RuntimeError, WebSocketDisconnect, OSError):
            self.end("too slow")
        except Exception as exc:  # noqa: BLE001 - a frame that cannot go out: only this connection ends
            report_problem(where="send", error=repr(exc))
            self.end("broken")
            try:
                await self.socket.close(code=CLOSE_CODES["broken"])
            except (RuntimeError, WebSocketDisconnect, OSError):
                pass

    async def _send_until_ended(self) -> None:
        loop = asyncio.get_running_loop()
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

    def stuck(self, now: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > SEND_TIMEOUT


@dataclass(eq=False)
class Member:
    id: str
    name: str
    subject: str
    room: Room
    token: str  # the bearer token of the hello, checked again every TOKEN_CHECK_SECONDS
    badge: str | None = None  # "moderator" or "staff" from Moderation.role, never from the name
    resume: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    connection: Connection | None = None  # None while away (dropped, may resume)
    pose: dict | None = None
    moved: bool = False
    last_seen: float = 0.0
    away_since: float = 0.0
    muted_until: float = 0.0

    def push(self, text: str) -> None:
        if self.connection is not None:  # while away, what matters is replayed on resume
            self.connection.push(text)

    def seen(self) -> dict:
        """How others see this member in welcome and presence frames."""
        return {"id": self.id, "name": self.name, "badge": self.badge}


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
        self.gate = admission.Gate()
        self.rooms: dict[str, list[Room]] = {}
        self.members: dict[str, Member] = {}
        self.alerts: list[tuple[float, str | None, dict]] = []  # (shown until, scene or everywhere, alert)
        self.reports: dict[str, deque[float]] = {}  # subject: when they reported, this past hour
        self.tick = 0
        self._tasks: set[asyncio.Task] = set()
        self._ticker: asyncio.Task | None = None
        self._checking_tokens = False

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
        """Every tick, each room's moved poses in one frame; once a second, housekeeping. A failure in
        one room is logged and skipped: the ticker serves every room and must not end."""
        while True:
            await asyncio.sleep(1 / TICK_HZ)
            self.tick += 1
            for instances in list(self.rooms.values()):
                for room in instances:
                    self._guarded("tick", self._send_poses, room)
            if self.tick % TICK_HZ == 0:
                self._guarded("housekeeping", self._housekeeping)

    @staticmethod
    def _guarded(where: str, work, *args) -> None:
        try:
            work(*args)
        except Exception as exc:  # noqa: BLE001 - logged; the ticker serves every room and must go on
            report_problem(where=where, error=repr(exc))

    def _send_poses(self, room: Room) -> None:
        moved = [m for m in room.members.values() if m.moved]
        if moved:
            for m in moved:
                m.moved = False
            room.broadcast({"type": "poses", "tick": self.tick, "poses": [{"id": m.id, **m.pose} for m in moved]})

    def _housekeeping(self) -> None:
        """Once a second: close silent connections, let go of citizens who did not come back, and
        every TOKEN_CHECK_SECONDS check everyone's token again."""
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
        self.reports = {subject: times for subject, times in self.reports.items() if times and now - times[-1] < 3600}
        if self.tick % (TICK_HZ * TOKEN_CHECK_SECONDS) == 0 and not self._checking_tokens:
            self._later(self._check_tokens())

    async def _check_tokens(self) -> None:
        """End the connections whose token expired or was revoked since their hello: one batch in
        the thread pool for everyone, not a task per member."""
        self._checking_tokens = True
        try:
            connected = [(m, m.token) for m in self.members.values() if m.connection is not None]
            valid = await run_in_threadpool(self._tokens_valid, [token for _, token in connected])
        finally:
            self._checking_tokens = False
        for (member, token), ok in zip(connected, valid):
            if not ok and member.token == token and member.connection is not None:  # not resumed meanwhile
                member.push(frame({"type": "error", "code": 401, "message": TOKEN_ENDED}))
                member.connection.end("token ended")

    def _tokens_valid(self, tokens: list[str]) -> list[bool]:
        """Whether each token still signs in; a token several members share is looked up once."""
        valid: dict[str, bool] = {}
        for token in tokens:
            if token not in valid:
                try:
                    self.accounts.session(f"Bearer {token}")
                    valid[token] = True
                except AuthError:
                    valid[token] = False
        return [valid[token] for token in tokens]

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
        """One socket from the door to goodbye: a place among the unauthenticated (or 429 before the
        handshake completes), the hello within HELLO_SECONDS, then the member's frames."""
        address = socket.client.host if socket.client else "unknown"
        try:
            async with self.gate.entry(address, HELLO_SECONDS) as ticket:
                await socket.accept()
                self.start()
                joined = await self._join(socket)
                if joined is not None:
                    ticket.proven()
                    await self._attend(*joined)
        except admission.Full as full:
            log.info(json.dumps({"realtime": "refused", "address": address, "code": 429, "message": str(full)}))
            with contextlib.suppress(RuntimeError, OSError):  # it may have gone while it waited
                await socket.send_denial_response(JSONResponse(
                    {"type": "error", "code": 429, "message": str(full)}, 429, {"Retry-After": str(HELLO_SECONDS)}))
        except Exception as exc:  # noqa: BLE001 - the server's own failure: logged, this socket closed (1011)
            report_problem(where="connect", address=address, error=repr(exc))
            with contextlib.suppress(RuntimeError, OSError):
                await socket.close(code=CLOSE_CODES["broken"])

    async def _join(self, socket: WebSocket) -> tuple[Member, Connection, bool, int] | None:
        """Read and check the hello; the member it joins or resumes, its new connection, whether it
        resumed and since which event; None when the hello was refused (the socket is closed)."""
        try:
            hello = await asyncio.wait_for(self._hello(socket), HELLO_SECONDS)
            name = _display_name(hello.get("name", UNNAMED))
            session = await run_in_threadpool(self.accounts.session, f"Bearer {hello['token']}")
            ban, mute, badge = await run_in_threadpool(self._standing, session.subject)
        except (Refused, names.BadName) as exc:
            return await self._refuse(socket, 400, f"name: {exc}" if isinstance(exc, names.BadName) else str(exc))
        except AuthError as exc:
            return await self._refuse(socket, 401, str(exc))
        except TimeoutError:
            return await self._refuse(socket, 400, f"no hello within {HELLO_SECONDS} seconds")
        except WebSocketDisconnect:
            return None
        if ban is not None:
            return await self._refuse(socket, 403, f"banned: {ban.reason}", until=ban.until)
        member = self._resumed(hello, session.subject)
        if member is not None:
            member.token = hello["token"]  # a new token of the same account may resume the place
            return member, Connection(socket), True, hello.get("since", 0)
        member = self._newcomer(hello, name, session.subject, badge)
        member.muted_until = mute.until if mute else 0.0
        return member, Connection(socket), False, member.room.seq

    async def _hello(self, socket: WebSocket) -> dict:
        hello = parse(await receive(socket))
        if hello["type"] != "hello":
            raise Refused("the first frame must be hello")
        return hello

    def _standing(self, subject: str) -> tuple:
        """The ban and mute in force on ``subject`` and its verified role (badge), in one trip."""
        return (self.moderation.sanction(subject, "ban"), self.moderation.sanction(subject, "mute"),
                self.moderation.role(subject))

    def _newcomer(self, hello: dict, name: str, subject: str, badge: str | None) -> Member:
        room = self.room_for(hello["scene"])
        member = Member(secrets.token_hex(4), name, subject, room, hello["token"], badge)
        room.members[member.id] = member
        self.members[member.id] = member
        room.broadcast({"type": "presence", "joined": [member.seen()], "left": []}, skip=member.id)
        return member

    def _welcome(self, member: Member, resumed: bool, since: int) -> None:
        room = member.room
        others = [m.seen() | {"pose": m.pose} for m in room.members.values() if m is not member]
        member.push(frame({"type": "welcome", "session": member.id, "room": room.id, "resume": member.resume,
                           "resumed": resumed, "seq": room.seq, "heartbeat_s": HEARTBEAT_SECONDS,
                           "members": others}))
        for seq, text in room.history:
            if seq > since:
                member.push(text)
        if not resumed:
            for _until, scene_only, alert in self.alerts:
                if scene_only in (None, room.scene):
                    member.push(frame(alert))

    async def _attend(self, member: Member, connection: Connection, resumed: bool, since: int) -> None:
        """Serve one member's connection until it ends, then leave (or stay away, resumable)."""
        member.connection, member.last_seen = connection, self.now()
        self._welcome(member, resumed, since)
        writer = connection.writer = asyncio.get_running_loop().create_task(connection.drain())
        try:
            ended = await self._serve(member, connection)
        finally:
            connection.end("gone")
            try:
                await asyncio.wait_for(writer, SEND_TIMEOUT * 2)
            except (TimeoutError, asyncio.CancelledError):
                pass  # stuck and cancelled (by wait_for or the watchdog)
            owner = member.connection is connection
            if owner:
                member.connection = None
                member.away_since = self.now()
        if owner and (ended == "left" or connection.ending == "misbehaved"):
            self._leave(member)
        if connection.ending == "misbehaved":
            await run_in_threadpool(self.moderation.log, "server", "close", member.subject, connection.note)

    def _resumed(self, hello: dict, subject: str) -> Member | None:
        """The citizen's place, when this hello resumes a connection that dropped."""
        token = hello.get("resume")
        if token is None:
            return None
        for member in self.members.values():
            if secrets.compare_digest(member.resume.encode(), token.encode()) and member.subject == subject:
                if member.connection is not None:  # the old connection is not gone yet: replace it
                    member.connection.end("replaced")
                return member
        return None

    async def _refuse(self, socket: WebSocket, code: int, message: str, until: float | None = None) -> None:
        refusal = {"type": "error", "code": code, "message": message} | ({"until": until} if until else {})
        address = socket.client.host if socket.client else "unknown"
        log.info(json.dumps({"realtime": "refused", "address": address, "code": code, "message": message}))
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
                data = await receive(connection.socket)
            except WebSocketDisconnect as exc:
                if exc.code in PROTOCOL_CLOSES:
                    connection.note = f"closed by the server: {PROTOCOL_CLOSES[exc.code]}"
                    connection.end("misbehaved")
                return "left" if exc.code in NORMAL_CLOSE else "ended"
            except RuntimeError:
                return "ended"
            now = self.now()
            member.last_seen = now
            if now - window_start >= 1:
                window_start, count = now, 0
            count += 1
            try:
                problem = self._handle(member, data) if count <= MESSAGES_PER_SECOND else "too many messages: slow down"
            except Exception as exc:  # noqa: BLE001 - the server's own failure: this member goes (1011), not the room
                report_problem(where="frame", session=member.id, room=member.room.id, error=repr(exc))
                connection.end("broken")
                return "ended"
            if problem:
                strikes += 1
                member.push(frame({"type": "error", "code": 400, "message": problem}))
                if strikes >= STRIKES_BEFORE_CLOSE:
                    connection.note = f"closed by the server: {STRIKES_BEFORE_CLOSE} bad frames (the last: {problem})"
                    connection.end("misbehaved")
        return "ended"

    def _handle(self, member: Member, data: str | bytes) -> str | None:
        """Apply one frame; returns what was wrong with it, if anything."""
        try:
            message = parse(data)
        except Refused as exc:
            return str(exc)
        kind = message["type"]
        if kind == "pose":
            self._pose(member, message)
        elif kind == "ping":
            member.push(frame({"type": "pong", "t": message.get("t")}))
        elif kind in ("chat", "emote"):
            return self._say(member, message)
        elif kind == "report":
            return self._report_frame(member, message)
        else:  # a hello after the first frame
            return f"{kind} is only the first frame"
        return None

    @staticmethod
    def _pose(member: Member, message: dict) -> None:
        member.pose = {"p": [round(float(v), 3) for v in message["p"]], "h": round(float(message.get("h", 0)), 1) % 360}
        for part in ("head", "left", "right"):  # optional tracked poses: position and quaternion
            if part in message:
                member.pose[part] = [round(float(v), 3) for v in message[part]]
        member.moved = True

    @staticmethod
    def _say(member: Member, message: dict) -> str | None:
        if member.muted_until > time.time():
            member.push(frame({"type": "error", "code": 403, "message": "you are muted", "until": member.muted_until}))
            return None
        if message["type"] == "emote":
            member.room.broadcast({"type": "emote", "from": member.id, "name": message["name"]}, keep=True)
            return None
        if not message["text"].strip():
            return "chat: text must not be only spaces"
        member.room.broadcast({"type": "chat", "from": member.id, "name": member.name, "badge": member.badge,
                               "text": mask(message["text"])}, keep=True)
        return None

    def _report_frame(self, member: Member, message: dict) -> str | None:
        target = self.members.get(message["target"])
        if target is None or not message["reason"].strip():
            return "report needs the target's session id and a reason"
        problem = self._may_report(member.subject)
        if problem is None:
            self._later(self._report(member, target, message["reason"]))
        return problem

    def _may_report(self, subject: str) -> str | None:
        """One report every REPORT_INTERVAL seconds and REPORTS_PER_HOUR an hour per person; counts it."""
        now, times = self.now(), self.reports.setdefault(subject, deque())
        while times and now - times[0] >= 3600:
            times.popleft()
        if times and now - times[-1] < REPORT_INTERVAL:
            return f"one report every {REPORT_INTERVAL} seconds"
        if len(times) >= REPORTS_PER_HOUR:
            return f"at most {REPORTS_PER_HOUR} reports an hour: the moderators have yours"
        times.append(now)
        return None

    def _later(self, work) -> None:
        """Run database work off the frame loop; keep a reference so the task is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            report_problem(where="background", error=repr(task.exception()))

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
