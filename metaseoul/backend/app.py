"""The reference backend as a standard ASGI application (Starlette), so any ASGI server and any
reverse proxy can run it: discovery, health, Prometheus metrics and Open311 GeoReport v2 complaints.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import urllib.parse
from datetime import date, datetime, timezone
from collections import Counter
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from metaseoul import __version__
from metaseoul.backend import CONTRACT_VERSION
from metaseoul.backend.citydata import PROPERTIES, CityData, QueryError, collection
from metaseoul.backend.accounts import Accounts, AuthError
from metaseoul.backend.content import catalogue as scene_catalogue
from metaseoul.backend.db import Database
from metaseoul.backend.moderation import Moderation
from metaseoul.backend.realtime import (EMOTES, FRAME_LIMIT, HEARTBEAT_SECONDS, RESUME_SECONDS, ROOM_CAPACITY,
                                       TICK_HZ, Hub)
from metaseoul.backend.reservations import NotFound, Reservations, SlotFull
from metaseoul.backend.store import ComplaintStore, NewRequest

OPEN311 = "/open311/v2"
SENSORTHINGS = "/sensorthings/v1.1"
RESERVATIONS = "/reservations/v1"
CONTENT = "/content/v1"
AUTH = "/auth"
REALTIME = "/realtime/v1"
MODERATION = "/moderation/v1"
DESCRIPTION_LIMIT = 4000
BODY_LIMIT = 64 * 1024
SPOT_ATTRIBUTES = ("scene_id", "x", "y", "z")
log = logging.getLogger("metaseoul.backend")


def services() -> list[dict]:
    return json.loads((resources.files("metaseoul.backend") / "data" / "services.json").read_text("utf-8"))


def discovery_document() -> dict:
    return {
        "contract_version": CONTRACT_VERSION,
        "name": "metaseoul reference backend",
        "software": {"name": "metaseoul", "version": __version__},
        "capabilities": ["complaints", "city-data", "reservations", "content", "accounts", "realtime", "moderation"],
        "endpoints": {"open311": OPEN311, "sensorthings": SENSORTHINGS, "reservations": RESERVATIONS,
                      "content": CONTENT, "auth": AUTH, "realtime": REALTIME, "moderation": MODERATION,
                      "health": "/healthz",
                      "metrics": "/metrics"},
        "limits": {"description_chars": DESCRIPTION_LIMIT, "request_bytes": BODY_LIMIT,
                   "users_per_room": ROOM_CAPACITY, "tick_hz": TICK_HZ, "frame_bytes": FRAME_LIMIT,
                   "heartbeat_s": HEARTBEAT_SECONDS, "resume_s": RESUME_SECONDS},
        "emotes": list(EMOTES),
        "languages": ["ko", "en"],
    }


def open311_error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"code": status, "message": message}, status_code=status)


class TooLarge(ValueError):
    pass


def body_status(exc: Exception) -> int:
    """The HTTP status for a request body that could not be used: 413 when too large, else 400."""
    return 413 if isinstance(exc, TooLarge) else 400


async def read_body(request: Request) -> bytes:
    """The request body, refused as soon as it is known to exceed BODY_LIMIT (never held whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise TooLarge(f"request larger than {BODY_LIMIT} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            raise TooLarge(f"request larger than {BODY_LIMIT} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request) -> dict:
    body = await read_body(request)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body must be JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def create_app(data_dir: Path) -> Starlette:
    db = Database(data_dir)
    store = ComplaintStore(db)
    accounts = Accounts(db)
    reservations = Reservations(db)
    moderation = Moderation(db)
    hub = Hub(accounts, moderation)
    scenes = scene_catalogue()
    catalogue = {s["service_code"]: s for s in services()}
    counts: Counter = Counter()
    started = time.time()

    def lang(request: Request) -> str:
        return "ko" if request.query_params.get("locale", "en").startswith("ko") else "en"

    async def discovery(request: Request) -> Response:
        return JSONResponse(discovery_document())

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "requests": await run_in_threadpool(store.count)})

    async def metrics(request: Request) -> Response:
        lines = ["# HELP metaseoul_http_requests_total HTTP requests answered, by route and status.",
                 "# TYPE metaseoul_http_requests_total counter"]
        lines += [f'metaseoul_http_requests_total{{route="{route}",status="{status}"}} {n}'
                  for (route, status), n in sorted(counts.items())]
        lines += ["# HELP metaseoul_service_requests Civil complaints stored.", "# TYPE metaseoul_service_requests gauge",
                  f"metaseoul_service_requests {store.count()}",
                  "# HELP metaseoul_uptime_seconds Seconds since the backend started.",
                  "# TYPE metaseoul_uptime_seconds gauge", f"metaseoul_uptime_seconds {time.time() - started:.0f}"]
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    async def service_list(request: Request) -> Response:
        language = lang(request)
        return JSONResponse([{
            "service_code": code, "service_name": s["name"][language], "description": s["description"][language],
            "metadata": True, "type": "realtime", "keywords": ",".join(s["keywords"]), "group": s["group"],
        } for code, s in catalogue.items()])

    async def service_definition(request: Request) -> Response:
        code = request.path_params["code"]
        if code not in catalogue:
            return open311_error(404, f"no service {code!r}")
        return JSONResponse({"service_code": code, "attributes": [
            {"variable": True, "code": "scene_id", "datatype": "string", "required": False, "order": 1,
             "datatype_description": "metaseoul scene id", "description": "The scene where it was seen"},
            *({"variable": True, "code": axis, "datatype": "number", "required": False, "order": 2 + i,
               "datatype_description": "metres", "description": f"In-world {axis} (east, north, up)"}
              for i, axis in enumerate(("x", "y", "z"))),
        ]})

    async def submit(request: Request) -> Response:
        try:
            body = await read_body(request)
        except TooLarge as exc:
            return open311_error(413, str(exc))
        try:
            if request.headers.get("content-type", "").startswith("application/json"):
                fields = json.loads(body)
                if not isinstance(fields, dict):
                    raise ValueError("expected a JSON object")
            else:  # Open311 posts application/x-www-form-urlencoded
                fields = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            new = _new_request(fields, catalogue)
        except (ValueError, UnicodeDecodeError) as exc:
            return open311_error(400, str(exc))
        record, created = await run_in_threadpool(store.submit, new, request.headers.get("idempotency-key"))
        log.info(json.dumps({"event": "service_request", "id": record["service_request_id"], "created": created}))
        answer = [{"service_request_id": record["service_request_id"], "service_notice": "", "account_id": None}]
        return JSONResponse(answer, status_code=201 if created else 200)

    async def request_list(request: Request) -> Response:
        q = request.query_params
        statuses = q["status"].split(",") if "status" in q else None
        if statuses and not set(statuses) <= {"open", "closed"}:
            return open311_error(400, "status must be open, closed or both (comma-separated)")
        try:
            start, end = (_utc(q[k]) if k in q else None for k in ("start_date", "end_date"))
        except ValueError:
            return open311_error(400, "start_date and end_date must be ISO 8601 times, like 2026-05-15T09:00:00+09:00")
        if "service_request_id" in q:
            found = [await run_in_threadpool(store.get, i) for i in q["service_request_id"].split(",")]
            return JSONResponse([_open311(r, catalogue, lang(request)) for r in found if r])
        codes = q["service_code"].split(",") if "service_code" in q else None
        rows = await run_in_threadpool(store.search, codes, statuses, start, end)
        return JSONResponse([_open311(r, catalogue, lang(request)) for r in rows])

    async def request_one(request: Request) -> Response:
        record = await run_in_threadpool(store.get, request.path_params["ident"])
        if record is None:
            return open311_error(404, "no such service request")
        return JSONResponse([_open311(record, catalogue, lang(request))])

    city = CityData(base_url=SENSORTHINGS)

    def sensorthings(items_for, expand=None):
        """A collection endpoint: the query options apply."""
        async def endpoint(request: Request) -> Response:
            try:
                items = items_for(request.path_params.get("ident"))
                if items is None:
                    return JSONResponse({"code": 404, "type": "error", "message": "no such entity"}, status_code=404)
                body = await run_in_threadpool(collection, items, dict(request.query_params), request.url.path, expand)
            except QueryError as exc:
                return JSONResponse({"code": 400, "type": "error", "message": str(exc)}, status_code=400)
            return JSONResponse(body)
        return endpoint

    def sensorthing(get_one, expand=None):
        """A single entity: only $expand applies (and only where it is offered)."""
        async def endpoint(request: Request) -> Response:
            entity = get_one(request.path_params["ident"])
            if entity is None:
                return JSONResponse({"code": 404, "type": "error", "message": "no such entity"}, status_code=404)
            options = {k: v for k, v in request.query_params.items() if k.startswith("$")}
            if set(options) - {"$expand"} or (options and (expand is None or options["$expand"] != "Datastreams")):
                return JSONResponse({"code": 400, "type": "error",
                                     "message": "a single entity takes no query options but $expand=Datastreams "
                                                "on Things"}, status_code=400)
            return JSONResponse(entity | ({"Datastreams": expand(entity)} if options else {}))
        return endpoint

    def thing_or_none(getter):
        return lambda ident: getter(ident) if city.has_thing(ident) else None

    def stream_or_none(getter):
        return lambda ident: getter(ident) if city.has_datastream(ident) else None

    async def sensorthings_root(request: Request) -> Response:
        names = ("Things", "Locations", "Datastreams", "ObservedProperties", "Observations")
        return JSONResponse({"value": [{"name": n, "url": f"{SENSORTHINGS}/{n}"} for n in names]})

    async def guest(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(accounts.guest), status_code=201)

    async def register(request: Request) -> Response:
        try:
            data = await _json_body(request)
            await run_in_threadpool(accounts.register, str(data.get("name", "")), str(data.get("password", "")))
        except (ValueError, AuthError) as exc:
            return problem(body_status(exc), str(exc))
        return JSONResponse({"name": data["name"]}, status_code=201)

    async def token(request: Request) -> Response:
        try:
            data = await _json_body(request)
        except ValueError as exc:
            return problem(body_status(exc), str(exc))
        try:
            return JSONResponse(await run_in_threadpool(accounts.sign_in, str(data.get("name", "")),
                                                        str(data.get("password", ""))))
        except AuthError as exc:
            return problem(401, str(exc))

    def signed_in(handler):
        async def endpoint(request: Request) -> Response:
            try:
                session = await run_in_threadpool(accounts.session, request.headers.get("authorization"))
            except AuthError as exc:
                return problem(401, str(exc))
            return await handler(request, session)
        return endpoint

    def moderator_only(handler):
        async def endpoint(request: Request, session) -> Response:
            if not await run_in_threadpool(moderation.is_moderator, session.subject):
                return problem(403, "moderators only")
            return await handler(request, session)
        return signed_in(endpoint)

    async def moderate(request: Request, session) -> Response:
        try:
            data = await _json_body(request)
            target = data.get("subject") or hub.subject_of(str(data.get("session", "")))
            if not isinstance(target, str) or not target:
                raise ValueError("name the target by its realtime session id (session) or account (subject)")
            minutes = data.get("minutes")
            entry = await run_in_threadpool(moderation.act, session.subject, str(data.get("action", "")), target,
                                            str(data.get("reason", "")), minutes)
        except ValueError as exc:
            return problem(body_status(exc), str(exc))
        return JSONResponse(entry | {"connections": hub.enforce(entry)}, status_code=201)

    async def announce(request: Request, session) -> Response:
        try:
            data = await _json_body(request)
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
        sent = hub.announce(level, {k: text[k] for k in ("ko", "en")}, scene)
        await run_in_threadpool(moderation.log, session.subject, f"announce-{level}", scene or "*", text["en"])
        return JSONResponse(sent, status_code=201)

    async def reports(request: Request, session) -> Response:
        return JSONResponse(await run_in_threadpool(moderation.reports))

    async def audit(request: Request, session) -> Response:
        return JSONResponse(await run_in_threadpool(moderation.audit))

    async def reservable(request: Request) -> Response:
        language = lang(request)
        return JSONResponse([{"code": s["code"], "name": s["name"][language], "minutes": s["minutes"],
                              "capacity": s["capacity"]} for s in reservations.services.values()])

    async def slots(request: Request) -> Response:
        try:
            day = date.fromisoformat(request.query_params.get("date", ""))
            return JSONResponse(await run_in_threadpool(reservations.slots, request.path_params["code"], day))
        except ValueError:
            return problem(400, "date must be given as YYYY-MM-DD")
        except NotFound as exc:
            return problem(404, str(exc))

    async def book(request: Request, session) -> Response:
        try:
            data = await _json_body(request)
            booking = await run_in_threadpool(reservations.book, str(data.get("slot_id", "")), session.subject)
        except ValueError as exc:
            return problem(body_status(exc), str(exc))
        except NotFound as exc:
            return problem(404, str(exc))
        except SlotFull as exc:
            return problem(409, str(exc))
        return JSONResponse(booking, status_code=201)

    async def my_bookings(request: Request, session) -> Response:
        return JSONResponse(await run_in_threadpool(reservations.mine, session.subject))

    async def cancel(request: Request, session) -> Response:
        try:
            await run_in_threadpool(reservations.cancel, request.path_params["ident"], session.subject)
        except NotFound as exc:
            return problem(404, str(exc))
        return Response(status_code=204)

    async def scene_list(request: Request) -> Response:
        return JSONResponse([meta | {"url": f"{CONTENT}/scenes/{ident}.json"} for ident, (meta, _data) in scenes.items()])

    async def scene_file(request: Request) -> Response:
        found = scenes.get(request.path_params["ident"])
        if found is None:
            return problem(404, "no such scene")
        meta, data = found
        return Response(data, media_type="application/json", headers={"ETag": f'"{meta["sha256"]}"'})

    streams_of = lambda thing: city.datastreams(thing["@iot.id"])  # noqa: E731
    routes = [
        WebSocketRoute(REALTIME, hub.connect),
        Route(f"{AUTH}/guest", guest, methods=["POST"]),
        Route(f"{AUTH}/register", register, methods=["POST"]),
        Route(f"{AUTH}/token", token, methods=["POST"]),
        Route(f"{MODERATION}/actions", moderator_only(moderate), methods=["POST"]),
        Route(f"{MODERATION}/announcements", moderator_only(announce), methods=["POST"]),
        Route(f"{MODERATION}/reports", moderator_only(reports)),
        Route(f"{MODERATION}/audit", moderator_only(audit)),
        Route(f"{RESERVATIONS}/services", reservable),
        Route(f"{RESERVATIONS}/services/{{code}}/slots", slots),
        Route(f"{RESERVATIONS}/bookings", signed_in(book), methods=["POST"]),
        Route(f"{RESERVATIONS}/bookings", signed_in(my_bookings), methods=["GET"]),
        Route(f"{RESERVATIONS}/bookings/{{ident}}", signed_in(cancel), methods=["DELETE"]),
        Route(f"{CONTENT}/scenes", scene_list),
        Route(f"{CONTENT}/scenes/{{ident}}.json", scene_file),
        Route(SENSORTHINGS, sensorthings_root),
        Route(f"{SENSORTHINGS}/Things", sensorthings(lambda _i: city.things(), streams_of)),
        Route(f"{SENSORTHINGS}/Things({{ident:int}})", sensorthing(thing_or_none(lambda i: city.thing(i - 1)), streams_of)),
        Route(f"{SENSORTHINGS}/Things({{ident:int}})/Datastreams", sensorthings(thing_or_none(lambda i: city.datastreams(i)))),
        Route(f"{SENSORTHINGS}/Things({{ident:int}})/Locations", sensorthings(thing_or_none(lambda i: [city.location(i - 1)]))),
        Route(f"{SENSORTHINGS}/Locations", sensorthings(lambda _i: city.locations())),
        Route(f"{SENSORTHINGS}/Locations({{ident:int}})", sensorthing(thing_or_none(lambda i: city.location(i - 1)))),
        Route(f"{SENSORTHINGS}/ObservedProperties", sensorthings(lambda _i: city.observed_properties())),
        Route(f"{SENSORTHINGS}/ObservedProperties({{ident:int}})", sensorthing(
            lambda i: city.observed_property(i - 1) if 1 <= i <= len(PROPERTIES) else None)),
        Route(f"{SENSORTHINGS}/Datastreams", sensorthings(lambda _i: city.datastreams())),
        Route(f"{SENSORTHINGS}/Datastreams({{ident:int}})", sensorthing(stream_or_none(city.datastream))),
        Route(f"{SENSORTHINGS}/Datastreams({{ident:int}})/Thing", sensorthing(
            stream_or_none(lambda i: city.thing((i - 1) // len(PROPERTIES))))),
        Route(f"{SENSORTHINGS}/Datastreams({{ident:int}})/Observations", sensorthings(stream_or_none(city.observations))),
        Route(f"{SENSORTHINGS}/Observations({{ident:int}})", sensorthing(city.observation)),
        Route(f"{SENSORTHINGS}/Observations", sensorthings(lambda _i: city.all_observations())),
        Route("/.well-known/metaseoul", discovery),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route(f"{OPEN311}/services.json", service_list),
        Route(f"{OPEN311}/services/{{code}}.json", service_definition),
        Route(f"{OPEN311}/requests.json", submit, methods=["POST"]),
        Route(f"{OPEN311}/requests.json", request_list, methods=["GET"]),
        Route(f"{OPEN311}/requests/{{ident}}.json", request_one),
    ]
    async def count_and_log(request: Request, call_next):
        started_at = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        counts[(getattr(route, "path", "unmatched"), response.status_code)] += 1
        log.info(json.dumps({"method": request.method, "path": request.url.path, "status": response.status_code,
                             "ms": round((time.perf_counter() - started_at) * 1000, 1)}))
        return response

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        hub.stop()
        db.close()

    return Starlette(routes=routes, lifespan=lifespan,
                     middleware=[Middleware(BaseHTTPMiddleware, dispatch=count_and_log)])


def _new_request(fields: dict, catalogue: dict) -> NewRequest:
    def text(name: str) -> str | None:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        return value or None

    def number(name: str) -> float | None:
        value = fields.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError("lat and long must be numbers")
        try:
            return float(value)
        except ValueError:
            raise ValueError("lat and long must be numbers") from None

    code = text("service_code")
    if code not in catalogue:
        raise ValueError(f"service_code must be one of {', '.join(catalogue)}")
    description = text("description") or ""
    if len(description) > DESCRIPTION_LIMIT:
        raise ValueError(f"description longer than {DESCRIPTION_LIMIT} characters")
    lat, lon, address = number("lat"), number("long"), text("address_string")
    if (lat is None) != (lon is None):
        raise ValueError("give both lat and long, or neither")
    if lat is None and not address:
        raise ValueError("give lat and long, or address_string")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("lat and long out of range")
    attributes = {}
    for name in SPOT_ATTRIBUTES:
        value = fields.get(f"attribute[{name}]")
        if isinstance(value, (dict, list)):
            raise ValueError(f"attribute[{name}] must be text or a number")
        if value not in (None, ""):
            attributes[name] = str(value)
    return NewRequest(code, description, lat, lon, address, attributes)


def _utc(text: str) -> str:
    """An ISO 8601 time as the store keeps it (UTC, seconds), so ranges compare correctly."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _open311(record: dict, catalogue: dict, language: str) -> dict:
    service = catalogue.get(record["service_code"], {})
    return {
        "service_request_id": record["service_request_id"],
        "status": record["status"],
        "service_code": record["service_code"],
        "service_name": service.get("name", {}).get(language, record["service_code"]),
        "description": record["description"],
        "requested_datetime": record["requested_datetime"],
        "updated_datetime": record["updated_datetime"],
        "address": record["address_string"],
        "lat": record["lat"],
        "long": record["long"],
        "attributes": record["attributes"],
    }
