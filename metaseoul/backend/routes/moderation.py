"""Moderation, for moderators only: actions on a realtime session or an account (warn, mute, kick,
ban), announcements and emergency alerts, citizens' reports, and the audit log."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.accounts import Session
from metaseoul.backend.routes.common import body_status, json_body, moderator_only, problem

PATH = "/moderation/v1"


async def act(request: Request, session: Session) -> Response:
    hub, moderation = request.state.hub, request.state.moderation
    try:
        data = await json_body(request)
        target = data.get("subject") or hub.subject_of(str(data.get("session", "")))
        if not isinstance(target, str) or not target:
            raise ValueError("name the target by its realtime session id (session) or account (subject)")
        minutes = data.get("minutes")
        entry = await run_in_threadpool(moderation.act, session.subject, str(data.get("action", "")), target,
                                        str(data.get("reason", "")), minutes)
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    return JSONResponse(entry | {"connections": hub.enforce(entry)}, status_code=201)


async def announce(request: Request, session: Session) -> Response:
    try:
        data = await json_body(request)
        level, text, scene = data.get("level", "info"), data.get("text"), data.get("scene")
        if level not in ("info", "emergency"):
            raise ValueError("level must be info or emergency")
        if (not isinstance(text, dict) or not all(isinstance(text.get(k), str) and 0 < len(text[k]) <= 500
                                                  for k in ("ko", "en"))):
            raise ValueError("text needs ko and en, 1 to 500 characters each")
        if scene is not None and not isinstance(scene, str):
            raise ValueError("scene must be a scene id")
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    sent = request.state.hub.announce(level, {k: text[k] for k in ("ko", "en")}, scene)
    await run_in_threadpool(request.state.moderation.log, session.subject, f"announce-{level}", scene or "*",
                            text["en"])
    return JSONResponse(sent, status_code=201)


async def reports(request: Request, session: Session) -> Response:
    return JSONResponse(await run_in_threadpool(request.state.moderation.reports))


async def audit(request: Request, session: Session) -> Response:
    return JSONResponse(await run_in_threadpool(request.state.moderation.audit))


routes = [Mount(PATH, routes=[
    Route("/actions", moderator_only(act), methods=["POST"]),
    Route("/announcements", moderator_only(announce), methods=["POST"]),
    Route("/reports", moderator_only(reports)),
    Route("/audit", moderator_only(audit)),
])]
