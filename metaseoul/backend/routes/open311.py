"""Civil complaints as Open311 GeoReport v2: services in both languages, idempotent submissions
(form-encoded or JSON) with the in-world spot as attributes, and the requests filtered or one by one.

Both body forms meet the same rules (UTF-8 without lone surrogates, each field once, finite numbers
in range, bounded text), and every refusal is an Open311 error list that says what is wrong."""

from __future__ import annotations

import json
import logging
import math
import re
import urllib.parse
from datetime import UTC, datetime
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend import safejson
from metaseoul.backend.routes.common import TooLarge, lang, read_body
from metaseoul.backend.store import KeyReused, NewRequest

PATH = "/open311/v2"
DESCRIPTION_LIMIT = 4000
TEXT_LIMITS = {"service_code": 100, "description": DESCRIPTION_LIMIT, "address_string": 500,
               "attribute[scene_id]": 100}  # characters
LAT_LONG = (("lat", 90), ("long", 180))  # degrees either way
COORDINATE_LIMIT = 1e6  # metres from the scene's origin, for attribute[x], [y] and [z]
ID_LIMIT = 100  # service_request_id values in one search
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # printable ASCII without spaces
NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?")  # as JSON spells one; no nan, inf
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
    keys = request.headers.getlist("idempotency-key")
    if len(keys) > 1 or (keys and not IDEMPOTENCY_KEY.fullmatch(keys[0])):
        return open311_error(400, "give at most one Idempotency-Key: 1 to 255 printable ASCII characters, no spaces")
    try:
        body = await read_body(request)
    except TooLarge as exc:
        return open311_error(413, str(exc))
    try:
        new = _new_request(_fields(request.headers.get("content-type", ""), body), request.state.services)
    except ValueError as exc:  # safejson.BadJSON and UnicodeDecodeError among them
        return open311_error(400, str(exc))
    try:
        record, created = await run_in_threadpool(request.state.store.submit, new, keys[0] if keys else None)
    except KeyReused as exc:
        return open311_error(409, str(exc))
    log.info(json.dumps({"event": "service_request", "id": record["service_request_id"], "created": created}))
    answer = [{"service_request_id": record["service_request_id"], "service_notice": "", "account_id": None}]
    return JSONResponse(answer, status_code=201 if created else 200)


def _fields(content_type: str, body: bytes) -> dict:
    """The body's fields, JSON or form-encoded (as Open311 posts them), by the same rules: UTF-8
    without lone surrogates (safejson; a form's %-escapes decoded strictly, not replaced), each field once."""
    if content_type.startswith("application/json"):
        try:
            fields = safejson.loads(body)
        except safejson.BadJSON as exc:
            raise ValueError(f"the body is not usable JSON: {exc}") from None
        if not isinstance(fields, dict):
            raise ValueError("the body must be a JSON object")
        return fields
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the form must be UTF-8 text, its %-escapes too") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        seen: set[str] = set()
        twice = next(name for name, _ in pairs if name in seen or seen.add(name))
        raise ValueError(f"the field {twice[:40]!r} appears twice")
    return fields


async def request_list(request: Request) -> Response:
    q, store, services = request.query_params, request.state.store, request.state.services
    statuses = q["status"].split(",") if "status" in q else None
    if statuses and not set(statuses) <= {"open", "closed"}:
        return open311_error(400, "status must be open, closed or both (comma-separated)")
    try:
        start, end = (_utc(q[k]) if k in q else None for k in ("start_date", "end_date"))
    except ValueError:
        return open311_error(400, "start_date and end_date must be ISO 8601 times with a zone in the years 1 to 9999,"
                                  " like 2026-05-15T09:00:00+09:00")
    if "service_request_id" in q:
        idents = q["service_request_id"].split(",")
        if len(idents) > ID_LIMIT:
            return open311_error(400, f"at most {ID_LIMIT} service_request_id values at once")
        found = [await run_in_threadpool(store.get, i) for i in idents]
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
    code = _text(fields, "service_code")
    if code not in catalogue:
        raise ValueError(f"service_code must be one of {', '.join(catalogue)}")
    lat, lon = (_number(fields, name, limit, "lat and long must be numbers") for name, limit in LAT_LONG)
    address = _text(fields, "address_string")
    if (lat is None) != (lon is None):
        raise ValueError("give both lat and long, or neither")
    if lat is None and not address:
        raise ValueError("give lat and long, or address_string")
    attributes = {"scene_id": _text(fields, "attribute[scene_id]")}
    for axis in ("x", "y", "z"):
        name = f"attribute[{axis}]"
        if _number(fields, name, COORDINATE_LIMIT, f"{name} must be a number") is not None:
            attributes[axis] = str(fields[name])  # as the citizen's client spelled it
    description = _text(fields, "description") or ""
    return NewRequest(code, description, lat, lon, address, {k: v for k, v in attributes.items() if v is not None})


def _text(fields: dict, name: str) -> str | None:
    """Field ``name`` as text within its limit (TEXT_LIMITS); None when absent or empty."""
    value, limit = fields.get(name), TEXT_LIMITS[name]
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    if value and len(value) > limit:
        raise ValueError(f"{name} longer than {limit} characters")
    return value or None


def _number(fields: dict, name: str, limit: float, not_a_number: str) -> float | None:
    """Field ``name`` as a finite number within ±``limit`` (a JSON number, or text spelling one as JSON
    does); None when absent or empty; ValueError(``not_a_number``) for anything else."""
    value = fields.get(name)
    if value in (None, ""):
        return None
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(value, str) and NUMBER.fullmatch(value):
        number = float(value)
    if number is None:
        raise ValueError(not_a_number)
    if not (math.isfinite(number) and -limit <= number <= limit):
        raise ValueError(f"{name} must be between {-limit:,.0f} and {limit:,.0f}")
    return number


def _utc(text: str) -> str:
    """An ISO 8601 time as the store keeps it (UTC, seconds), so ranges compare correctly; ValueError
    also for a time whose UTC instant falls outside the years 1 to 9999."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(text)
    try:
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    except OverflowError:
        raise ValueError(text) from None


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
