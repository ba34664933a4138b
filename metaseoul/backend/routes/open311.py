"""Civil complaints as Open311 GeoReport v2, in JSON and in XML (the spec's base format): services in
both languages with their attribute definitions, idempotent submissions (form-encoded or JSON) by a
citizen's api_key with the in-world spot as attributes, and the requests filtered or one by one.

Every endpoint answers ``.json`` and ``.xml`` alike, refusals too (the spec's error list). The one
jurisdiction served is the catalogue's (``jurisdiction_id`` may be left out; another one is a 404).
A submission is checked before its key (open311_fields), so a complaint that can never be filed is
told why whatever the key; then it needs ``api_key`` (or ``Authorization: Bearer``): the bearer
token of a signed-in citizen or a guest session, else 403, as the spec has it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend import georeport_xml, open311_fields
from metaseoul.backend.accounts import AuthError
from metaseoul.backend.open311_fields import NUMBER, Fields, decode, moment, new_request
from metaseoul.backend.routes.common import TooLarge, lang, read_body
from metaseoul.backend.store import KeyReused

PATH = "/open311/v2"
DESCRIPTION_LIMIT = open311_fields.DESCRIPTION_LIMIT  # characters; the discovery document's limits say it
FORMATS = ("json", "xml")
ID_LIMIT = 100  # service_request_id values in one search
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # printable ASCII without spaces
DATA = resources.files("metaseoul.backend") / "data"
OPEN311 = json.loads((DATA / "open311.json").read_text("utf-8"))  # the jurisdiction, the attributes every service has
JURISDICTION: str = OPEN311["jurisdiction_id"]
NO_KEY = ("send api_key=TOKEN (or Authorization: Bearer TOKEN): the token of a signed-in citizen or of a guest"
          " session (POST /auth/guest gives one)")
log = logging.getLogger("metaseoul.backend")

Answer = tuple[str, dict | list, int]  # the XML root element's name, the JSON form, the HTTP status


class Refused(Exception):
    """An Open311 error answer: its HTTP status and what is wrong."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def services() -> dict[str, dict]:
    """The service catalogue (data/services.json) by service code, each with all its attribute
    definitions: the in-world spot's (data/open311.json) first, then the service's own, numbered in that order."""
    listed, spot = json.loads((DATA / "services.json").read_text("utf-8")), OPEN311["spot_attributes"]
    return {s["service_code"]: s | {"attributes": [a | {"order": n} for n, a in
                                                   enumerate([*spot, *s.get("attributes", [])], start=1)]}
            for s in listed}


async def service_list(request: Request) -> Answer:
    language = lang(request)
    return "services", [{
        "service_code": code, "service_name": s["name"][language], "description": s["description"][language],
        "metadata": True, "type": "realtime", "keywords": ",".join(s["keywords"]), "group": s["group"],
    } for code, s in request.state.services.items()], 200


async def service_definition(request: Request) -> Answer:
    code = request.path_params["code"]
    service = request.state.services.get(code)
    if service is None:
        raise Refused(404, f"no service {code[:100]!r}")
    return "service_definition", {"service_code": code, "attributes": [
        _definition(a, lang(request)) for a in service["attributes"]]}, 200


def _definition(attribute: dict, language: str) -> dict:
    """One attribute as GeoReport v2 defines it, in ``language``."""
    shown = {"variable": True, "code": attribute["code"], "datatype": attribute["datatype"],
             "required": attribute["required"], "datatype_description": attribute["datatype_description"][language],
             "order": attribute["order"], "description": attribute["description"][language]}
    if "values" in attribute:
        shown["values"] = [{"key": v["key"], "name": v["name"][language]} for v in attribute["values"]]
    return shown


async def submit(request: Request) -> Answer:
    keys = request.headers.getlist("idempotency-key")
    if len(keys) > 1 or (keys and not IDEMPOTENCY_KEY.fullmatch(keys[0])):
        raise Refused(400, "give at most one Idempotency-Key: 1 to 255 printable ASCII characters, no spaces")
    try:
        fields = decode(request.headers.get("content-type", ""), await read_body(request))
        _jurisdiction(fields.get("jurisdiction_id"))
        new = new_request(fields, request.state.services)
    except TooLarge as exc:
        raise Refused(413, str(exc)) from None
    except ValueError as exc:  # safejson.BadJSON and UnicodeDecodeError among them
        raise Refused(400, str(exc)) from None
    await _check_key(request, fields)
    try:
        record, created = await run_in_threadpool(request.state.store.submit, new, keys[0] if keys else None)
    except KeyReused as exc:
        raise Refused(409, str(exc)) from None
    log.info(json.dumps({"event": "service_request", "id": record["service_request_id"], "created": created}))
    answer = [{"service_request_id": record["service_request_id"], "service_notice": "", "account_id": None}]
    return "service_requests", answer, 201 if created else 200


async def _check_key(request: Request, fields: Fields) -> None:
    """Refuse (403) a submission without the valid token of a citizen or guest as its api_key."""
    key, header = fields.get("api_key"), request.headers.get("authorization")
    if key in (None, "") and not header:
        raise Refused(403, f"api_key missing: {NO_KEY}")
    if key not in (None, "") and not isinstance(key, str):
        raise Refused(403, f"api_key must be text: {NO_KEY}")
    try:
        await run_in_threadpool(request.state.accounts.session, f"Bearer {key}" if key else header)
    except AuthError as exc:
        raise Refused(403, f"the api_key is not usable ({exc}): {NO_KEY}") from None


def _jurisdiction(given: object) -> None:
    """Refuse a jurisdiction_id other than the one served; an absent or empty one is fine."""
    if given not in (None, "", JURISDICTION):
        shown = repr(given[:100]) if isinstance(given, str) else "that"
        raise Refused(404, f"no jurisdiction {shown} here: this endpoint serves {JURISDICTION!r} (or leave"
                           " jurisdiction_id out)")


async def request_list(request: Request) -> Answer:
    q, store, services = request.query_params, request.state.store, request.state.services
    statuses = q["status"].split(",") if "status" in q else None
    if statuses and not set(statuses) <= {"open", "closed"}:
        raise Refused(400, "status must be open, closed or both (comma-separated)")
    try:
        start, end = (_utc(q[k]) if k in q else None for k in ("start_date", "end_date"))
    except ValueError:
        raise Refused(400, "start_date and end_date must be ISO 8601 times with a zone in the years 1 to 9999,"
                           " like 2026-05-15T09:00:00+09:00") from None
    if "service_request_id" in q:
        idents = q["service_request_id"].split(",")
        if len(idents) > ID_LIMIT:
            raise Refused(400, f"at most {ID_LIMIT} service_request_id values at once")
        rows = [r for r in [await run_in_threadpool(store.get, i) for i in idents] if r]
    else:
        codes = q["service_code"].split(",") if "service_code" in q else None
        rows = await run_in_threadpool(store.search, codes, statuses, start, end)
    return "service_requests", [_open311(r, services, lang(request)) for r in rows], 200


async def request_one(request: Request) -> Answer:
    record = await run_in_threadpool(request.state.store.get, request.path_params["ident"])
    if record is None:
        raise Refused(404, "no such service request")
    return "service_requests", [_open311(record, request.state.services, lang(request))], 200


def _utc(text: str) -> str:
    """An ISO 8601 time as the store keeps it (UTC, seconds), so ranges compare correctly; ValueError
    also for a time whose UTC instant falls outside the years 1 to 9999."""
    try:
        return moment(text).astimezone(UTC).isoformat(timespec="seconds")
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
        "media_url": record["media_url"],
        "attributes": _typed(record["attributes"], service),
    }


def _typed(values: dict, service: dict) -> dict:
    """Attribute values in their datatypes: a number an older version stored as text is a number."""
    numbers = {a["code"] for a in service.get("attributes", []) if a["datatype"] == "number"}
    return {code: float(v) if code in numbers and isinstance(v, str) and NUMBER.fullmatch(v) else v
            for code, v in values.items()}


Handler = Callable[[Request], Awaitable[Answer]]


def open311_error(status: int, description: str, form: str = "json") -> Response:
    """The spec's error list, in JSON or XML (``form``)."""
    return _respond("errors", [{"code": status, "description": description}], status, form)


def _respond(root: str, data: dict | list, status: int, form: str) -> Response:
    return georeport_xml.response(root, data, status) if form == "xml" else JSONResponse(data, status_code=status)


def _answering(handler: Handler, form: str) -> Callable[[Request], Awaitable[Response]]:
    """``handler``'s answer, or its refusal as the spec's error list, in JSON or XML (``form``)."""
    async def endpoint(request: Request) -> Response:
        try:
            _jurisdiction(request.query_params.get("jurisdiction_id"))
            root, data, status = await handler(request)
        except Refused as exc:
            return open311_error(exc.status, exc.description, form)
        return _respond(root, data, status, form)
    return endpoint


def _both(path: str, handler: Handler, method: str = "GET") -> list[Route]:
    return [Route(f"{path}.{form}", _answering(handler, form), methods=[method]) for form in FORMATS]


routes = [Mount(PATH, routes=[
    *_both("/services", service_list),
    *_both("/services/{code}", service_definition),
    *_both("/requests", submit, "POST"),
    *_both("/requests", request_list),
    *_both("/requests/{ident}", request_one),
])]
