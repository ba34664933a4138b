"""Discovery (/.well-known/metaseoul), health and Prometheus metrics, and the middleware that counts
and logs every answer for them."""

from __future__ import annotations

import json
import logging
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from metaseoul import __version__
from metaseoul.backend import CONTRACT_VERSION
from metaseoul.backend.realtime import EMOTES, FRAME_LIMIT, HEARTBEAT_SECONDS, RESUME_SECONDS, ROOM_CAPACITY, TICK_HZ
from metaseoul.backend.routes import auth, content, moderation, open311, realtime, reservations, sensorthings
from metaseoul.backend.routes.common import BODY_LIMIT, path_template

log = logging.getLogger("metaseoul.backend")


def discovery_document() -> dict:
    return {
        "contract_version": CONTRACT_VERSION,
        "name": "metaseoul reference backend",
        "software": {"name": "metaseoul", "version": __version__},
        "capabilities": ["complaints", "city-data", "reservations", "content", "accounts", "realtime", "moderation"],
        "endpoints": {"open311": open311.PATH, "sensorthings": sensorthings.PATH, "reservations": reservations.PATH,
                      "content": content.PATH, "auth": auth.PATH, "realtime": realtime.PATH,
                      "moderation": moderation.PATH, "health": "/healthz", "metrics": "/metrics"},
        "limits": {"description_chars": open311.DESCRIPTION_LIMIT, "request_bytes": BODY_LIMIT,
                   "users_per_room": ROOM_CAPACITY, "tick_hz": TICK_HZ, "frame_bytes": FRAME_LIMIT,
                   "heartbeat_s": HEARTBEAT_SECONDS, "resume_s": RESUME_SECONDS},
        "emotes": list(EMOTES),
        "languages": ["ko", "en"],
    }


async def discovery(request: Request) -> Response:
    return JSONResponse(discovery_document())


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok", "requests": await run_in_threadpool(request.state.store.count)})


async def metrics(request: Request) -> Response:
    lines = ["# HELP metaseoul_http_requests_total HTTP requests answered, by route and status.",
             "# TYPE metaseoul_http_requests_total counter"]
    lines += [f'metaseoul_http_requests_total{{route="{route}",status="{status}"}} {n}'
              for (route, status), n in sorted(request.state.counts.items())]
    lines += ["# HELP metaseoul_service_requests Civil complaints stored.", "# TYPE metaseoul_service_requests gauge",
              f"metaseoul_service_requests {request.state.store.count()}",
              "# HELP metaseoul_uptime_seconds Seconds since the backend started.",
              "# TYPE metaseoul_uptime_seconds gauge",
              f"metaseoul_uptime_seconds {time.time() - request.state.started:.0f}"]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


async def count_and_log(request: Request, call_next) -> Response:
    started_at = time.perf_counter()
    response = await call_next(request)
    request.state.counts[(path_template(request.scope), response.status_code)] += 1
    log.info(json.dumps({"method": request.method, "path": request.url.path, "status": response.status_code,
                         "ms": round((time.perf_counter() - started_at) * 1000, 1)}))
    return response


routes = [
    Route("/.well-known/metaseoul", discovery),
    Route("/healthz", healthz),
    Route("/metrics", metrics),
]
