"""The realtime channel's WebSocket (rooms, presence, poses, chat, moderation), served by the Hub."""

from __future__ import annotations

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

PATH = "/realtime/v1"


async def channel(socket: WebSocket) -> None:
    await socket.state.hub.connect(socket)


# A WebSocketRoute of its own: a Mount does not answer its bare path, and the channel is that path.
routes = [WebSocketRoute(PATH, channel)]
