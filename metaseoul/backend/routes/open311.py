"""Civil complaints as Open311 GeoReport v2: services in both languages, idempotent submissions
(form-encoded or JSON) with the in-world spot as attributes, and the requests filtered or one by one."""

from __future__ import annotations

import json
import logging
import urllib.parse
from datetime import datetime, timezone
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.routes.common import TooLarge, lang, read_body
from metaseoul.backend.store import NewRequest

PATH = "/open311/v2"
DESCRIPTION_LIMIT = 4000
SPOT_ATTRIBUTES = ("scene_id", "x", "y", "z")
log = logging.getLogger("metaseoul.backend")


def services() -> dict[str, dict]:
    """The service catalogue (data/services.json) by service code."""
    listed = json.loads((resources.files("metaseoul.backend") / "data" / "services.json").read_text("utf-8"))
    return {s["service_code"]: s for s in listed}


def open311_error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


async def service_list(request: Request) -> Response:
    language = lang(request)
    return JSONResponse([{
        "service_code": code, "service_name": s["name"][language], "description": s["description"][language],
        "metadata": True, "type": "realtime", "keywords": ",".join(s["keywords"]), "group": s["group"],
    } for code, s in request.state.services.items()])


async def service_definition(request: Request) -> Response:
    code = request.path_params["code"]
    if code not in request.state.services:
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
        new = _new_request(fields, request.state.services)
    except (ValueError, UnicodeDecodeError) as exc:
        return open311_error(400, str(exc))
    record, created = await run_in_threadpool(request.state.store.submit, new, request.headers.get("idempotency-key"))
    log.info(json.dumps({"event": "service_request", "id": record["service_request_id"], "created": created}))
    answer = [{"service_request_id": record["service_request_id"], "service_notice": "", "account_id": None}]
    return JSONResponse(answer, status_code=201 if created else 200)


async def request_list(request: Request) -> Response:
    q, store, services = request.query_params, request.state.store, request.state.services
    statuses = q["status"].split(",") if "status" in q else None
    if statuses and not set(statuses) <= {"open", "closed"}:
        return open311_error(400, "status must be open, closed or both (comma-separated)")
    try:
        start, end = (_utc(q[k]) if k in q else None for k in ("start_date", "end_date"))
    except ValueError:
        return open311_error(400, "start_date and end_date must be ISO 8601 times, like 2026-05-15T09:00:00+09:00")
    if "service_request_id" in q:
        found = [await run_in_threadpool(store.get, i) for i in q["service_request_id"].split(",")]
        return JSONResponse([_open311(r, services, lang(request)) for r in found if r])
    codes = q["service_code"].split(",") if "service_code" in q else None
    rows = await run_in_threadpool(store.search, codes, statuses, start, end)
    return JSONResponse([_open311(r, services, lang(request)) for r in rows])


async def request_one(request: Request) -> Response:
    record = await run_in_threadpool(request.state.store.get, request.path_params["ident"])
    if record is None:
        return open311_error(404, "no such service request")
    return JSONResponse([_open311(record, request.state.services, lang(request))])


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


routes = [Mount(PATH, routes=[
    Route("/services.json", service_list),
    Route("/services/{code}.json", service_definition),
    Route("/requests.json", submit, methods=["POST"]),
    Route("/requests.json", request_list, methods=["GET"]),
    Route("/requests/{ident}.json", request_one),
])]
