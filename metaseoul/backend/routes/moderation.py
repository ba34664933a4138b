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
        data = await json_body(request)  # the contract's ModerationAction: a session or a subject, never neither
        target = data.get("subject") or hub.subject_of(data["session"])
        if not target:
            return problem(404, "no realtime session with that id is connected")
        entry = await run_in_threadpool(moderation.act, session.subject, data["action"], target, data["reason"],
                                        data.get("minutes"))
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    return JSONResponse(entry | {"connections": hub.enforce(entry)}, status_code=201)


async def announce(request: Request, session: Session) -> Response:
    try:
        data = await json_body(request)  # the contract's NewAnnouncement: level, text in ko and en, scene id
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    level, text, scene = data.get("level", "info"), data["text"], data.get("scene")
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
