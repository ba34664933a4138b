"""The realtime channel: rooms (a scene instance each), presence, avatar poses batched per server
tick, and text chat with a Korean and English word filter. Messages are JSON frames on a WebSocket.

Client to server: ``hello`` {token, scene, name} first, then ``pose`` {p: [x, y, z], h: degrees},
``chat`` {text}, ``ping``. Server to client: ``welcome`` {session, room, members}, ``presence``
{joined, left}, ``poses`` {tick, poses: [{id, p, h}]} (only what moved since the last tick),
``chat`` {from, name, text}, ``pong``, ``error`` {code, message}. Oversized or malformed frames get
an error frame; a client that keeps misbehaving is disconnected, and everyone else carries on.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass, field
from importlib import resources

from starlette.websockets import WebSocket, WebSocketDisconnect

from metaseoul.backend.accounts import Accounts, AuthError

TICK_HZ = 15
ROOM_CAPACITY = 200
FRAME_LIMIT = 4096
CHAT_LIMIT = 500
MESSAGES_PER_SECOND = 40
STRIKES_BEFORE_CLOSE = 5


def _mask_pattern() -> re.Pattern:
    words = json.loads((resources.files("metaseoul.backend") / "data" / "wordfilter.json").read_text("utf-8"))
    listed = [w for lang in ("en", "ko") for w in words[lang]]
    return re.compile("|".join(re.escape(w) for w in sorted(listed, key=len, reverse=True)), re.IGNORECASE)


MASK = _mask_pattern()


def mask(text: str) -> str:
    """Filtered words become asterisks of the same length."""
    return MASK.sub(lambda m: "*" * len(m.group(0)), text)


@dataclass
class Member:
    id: str
    name: str
    socket: WebSocket
    pose: dict | None = None
    moved: bool = False


@dataclass
class Room:
    id: str
    members: dict[str, Member] = field(default_factory=dict)

    async def send(self, message: dict, skip: str | None = None) -> None:
        text = json.dumps(message, ensure_ascii=False)
        for member in list(self.members.values()):
            if member.id != skip:
                try:
                    await member.socket.send_text(text)
                except (RuntimeError, WebSocketDisconnect):  # that one is leaving; the others go on
                    pass


class Hub:
    def __init__(self, accounts: Accounts):
        self.accounts = accounts
        self.rooms: dict[str, list[Room]] = {}
        self.tick = 0
        self._ticker: asyncio.Task | None = None

    def room_for(self, scene: str) -> Room:
        """The first instance of the scene with space; a full one opens the next."""
        instances = self.rooms.setdefault(scene, [])
        for room in instances:
            if len(room.members) < ROOM_CAPACITY:
                return room
        room = Room(f"{scene}#{len(instances) + 1}")
        instances.append(room)
        return room

    async def run_ticks(self) -> None:
        while True:
            await asyncio.sleep(1 / TICK_HZ)
            self.tick += 1
            for instances in self.rooms.values():
                for room in instances:
                    moved = [m for m in room.members.values() if m.moved]
                    if moved:
                        for m in moved:
                            m.moved = False
                        await room.send({"type": "poses", "tick": self.tick,
                                         "poses": [{"id": m.id, **m.pose} for m in moved]})

    def start(self) -> None:
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self.run_ticks())

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    async def connect(self, socket: WebSocket) -> None:
        await socket.accept()
        self.start()
        try:
            hello = json.loads(await asyncio.wait_for(socket.receive_text(), timeout=10))
            if not isinstance(hello, dict) or hello.get("type") != "hello":
                raise ValueError("the first frame must be hello")
            self.accounts.session(f"Bearer {hello.get('token', '')}")
            scene = str(hello.get("scene", ""))
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", scene):
                raise ValueError("hello needs a scene id")
        except (AuthError, ValueError, TypeError, asyncio.TimeoutError) as exc:
            await socket.send_text(json.dumps({"type": "error", "code": 401, "message": str(exc) or "no hello"}))
            await socket.close(code=1008)
            return
        except WebSocketDisconnect:
            return
        member = Member(secrets.token_hex(4), mask(str(hello.get("name", "guest")))[:40], socket)
        room = self.room_for(scene)
        await socket.send_text(json.dumps({"type": "welcome", "session": member.id, "room": room.id, "members": [
            {"id": m.id, "name": m.name, "pose": m.pose} for m in room.members.values()]}, ensure_ascii=False))
        room.members[member.id] = member
        await room.send({"type": "presence", "joined": [{"id": member.id, "name": member.name}], "left": []},
                        skip=member.id)
        try:
            await self._serve(member, room)
        finally:
            room.members.pop(member.id, None)
            if room.members:
                await room.send({"type": "presence", "joined": [], "left": [member.id]})
            else:  # an empty instance goes, so rooms never pile up
                instances = self.rooms.get(scene, [])
                if room in instances:
                    instances.remove(room)
                if not instances:
                    self.rooms.pop(scene, None)

    async def _serve(self, member: Member, room: Room) -> None:
        strikes, window_start, count = 0, asyncio.get_running_loop().time(), 0
        while strikes < STRIKES_BEFORE_CLOSE:
            try:
                text = await member.socket.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            now = asyncio.get_running_loop().time()
            if now - window_start >= 1:
                window_start, count = now, 0
            count += 1
            problem = self._handle(member, room, text) if count <= MESSAGES_PER_SECOND else "too many messages: slow down"
            if isinstance(problem, str):
                strikes += 1
                await member.socket.send_text(json.dumps({"type": "error", "code": 400, "message": problem}))
            elif problem is not None:
                await problem
        await member.socket.close(code=1008)

    def _handle(self, member: Member, room: Room, text: str):
        """Apply one frame: returns an error sentence, an awaitable to send, or None."""
        if len(text.encode()) > FRAME_LIMIT:
            return f"frame larger than {FRAME_LIMIT} bytes"
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, KeyError, TypeError):
            return "malformed frame: expected a JSON object with a type"
        if kind == "pose":
            p, h = message.get("p"), message.get("h", 0)
            if (not isinstance(p, list) or len(p) != 3 or not all(isinstance(v, (int, float)) for v in p)
                    or not isinstance(h, (int, float))):
                return "pose needs p: [x, y, z] and h: degrees"
            member.pose = {"p": [round(float(v), 3) for v in p], "h": round(float(h) % 360, 1)}
            member.moved = True
            return None
        if kind == "chat":
            said = message.get("text")
            if not isinstance(said, str) or not said.strip() or len(said) > CHAT_LIMIT:
                return f"chat needs text of 1 to {CHAT_LIMIT} characters"
            return room.send({"type": "chat", "from": member.id, "name": member.name, "text": mask(said)})
        if kind == "ping":
            return member.socket.send_text(json.dumps({"type": "pong"}))
        return f"unknown frame type {kind!r}"
