"""Live city data as OGC SensorThings 1.1: the service root (with serverSettings: the conformance
classes served and a statement of the subset), and every resource path into the entities (entity
sets, entities, navigation properties chained, properties, ``$value`` and ``$ref``). Links are
absolute: from the configured public URL (``metaseoul serve --public-url``) or else the request's
own scheme and host.

Answers that query a collection or expand run off the event loop, one at a time (QUERIES_AT_ONCE), so
that a flood of costly queries queues here instead of holding the interpreter against the event loop
and the realtime channel; one that waits longer than QUEUE_SECONDS is a 503."""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend import safejson, staquery
from metaseoul.backend.citydata import SETS, CityData, EntitySet
from metaseoul.backend.sensorfilter import MAX_COMPARISONS, MAX_FILTER_CHARS, MAX_NESTING, QueryError, Table
from metaseoul.backend.staquery import COLLECTION_OPTIONS, ENTITY_OPTIONS, Answer, parse

PATH = "/sensorthings/v1.1"
QUERIES_AT_ONCE = 1
QUEUE_SECONDS, RETRY_AFTER_SECONDS = 2.0, 1
ENCODED_AT_ONCE = 100  # entities of a page encoded by one json.dumps call
GATES: weakref.WeakKeyDictionary[CityData, asyncio.Semaphore] = weakref.WeakKeyDictionary()
SEGMENT = re.compile(r"([A-Za-z]{1,40})(?:\(([0-9]{1,18})\))?")
CONFORMANCE = [f"http://www.opengis.net/spec/iot_sensing/1.1/req/{name}"
               for name in ("datamodel", "resource-path/resource-path-to-entities")]
SUBSET_KEY = "https://metaseoul.example/spec/sensorthings-subset"
SUBSET = {
    "description": "A read-only subset of SensorThings 1.1 Sensing: every entity set, resource path and query "
                   "option, with $filter limited to comparisons joined by and/or (see docs/backend-contract.md)",
    "readOnly": True, "entitySets": list(SETS), "alwaysEmpty": ["HistoricalLocations"],
    "queryOptions": list(COLLECTION_OPTIONS), "filterOperators": ["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "()"],
    "notServed": ["create-update-delete", "request-data: $filter functions, arithmetic and not",
                  "multi-datastream", "dataArray", "batch-request", "MQTT"],
    "limits": {"defaultTop": staquery.DEFAULT_TOP, "maxTop": staquery.MAX_TOP, "filterChars": MAX_FILTER_CHARS,
               "filterNesting": MAX_NESTING, "filterComparisons": MAX_COMPARISONS,
               "orderbyFields": staquery.MAX_ORDERBY_FIELDS, "expandDepth": staquery.MAX_EXPAND_DEPTH,
               "expandedEntities": staquery.MAX_EXPANDED, "expandLooksThrough": staquery.MAX_LOOKED,
               "expandFilterComparisons": staquery.MAX_NESTED_COMPARISONS},
}


class NotFound(LookupError):
    """A resource path that names nothing; the message says which part."""


@dataclass
class Target:
    """What a resource path names: a collection (rows made when asked, off the event loop), an entity,
    one of its properties, that property's raw value, or the links ($ref) of a collection or entity."""
    kind: str  # "collection", "entity", "property", "value", "refs", "ref"
    entity_set: EntitySet
    rows: Callable[[], list[dict] | Table] | None = None
    item: dict | None = None
    name: str = ""


def public_url(text: str) -> str:
    """A public base URL as given to ``--public-url``: http(s), a host, no query; without a final slash."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--public-url must be an http or https address such as https://city.example.org, "
                         f"not {text[:80]!r}")
    return text.rstrip("/")


def service_base(request: Request) -> str:
    city: CityData = request.state.city
    return (city.public_url or str(request.base_url).rstrip("/")) + PATH


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "type": "error", "message": message}, status_code=status, headers=headers)


def gate(city: CityData) -> asyncio.Semaphore:
    """The backend's query gate: one per running backend, so that each event loop waits on its own."""
    return GATES.setdefault(city, asyncio.Semaphore(QUERIES_AT_ONCE))


def resolve(city: CityData, path: str) -> Target:
    """The target of a resource path under the service root (``Datastreams(1)/Thing/Locations``)."""
    segments = path.strip("/").split("/")
    match = SEGMENT.fullmatch(segments[0])
    if not match or match[1] not in SETS:
        raise NotFound(f"no entity set {segments[0][:60]!r} (there are {', '.join(SETS)})")
    name = match[1]
    target = Target("collection", SETS[name], rows=lambda: city.members(name))
    if match[2]:
        target = Target("entity", SETS[name], item=found(city.entity(name, int(match[2])), segments[0]))
    for i, segment in enumerate(segments[1:], 1):
        if segment == "$ref" and i == len(segments) - 1 and target.kind in ("collection", "entity"):
            return Target("refs" if target.kind == "collection" else "ref", target.entity_set, target.rows, target.item)
        target = step(city, target, segment)
    return target


def found(item: dict | None, what: str) -> dict:
    if item is None:
        raise NotFound(f"no such entity: {what[:60]}")
    return item


def step(city: CityData, target: Target, segment: str) -> Target:
    """One segment further: a navigation property (with an id, one of its entities), a property, $value."""
    if target.kind == "property" and segment == "$value":
        return Target("value", target.entity_set, item=target.item, name=target.name)
    match = SEGMENT.fullmatch(segment)
    here = target.entity_set
    if target.kind != "entity" or not match:
        raise NotFound(f"nothing at {segment[:60]!r} here")
    name, ident = match[1], match[2]
    if name in here.properties and not ident:
        if name not in target.item:
            raise NotFound(f"{here.name}({target.item['@iot.id']}) has no {name}")
        return Target("property", here, item=target.item, name=name)
    if name not in here.navigation:
        raise NotFound(f"{here.name} have no property or navigation property {name!r}")
    set_name, many = here.navigation[name]
    owner = target.item["@iot.id"]
    if not many:
        if ident:
            raise NotFound(f"{name} is a single entity: no id follows it")
        return Target("entity", SETS[set_name], item=found(city.related(here.name, owner, name), segment))
    if ident:
        rows = city.related(here.name, owner, name)
        items = rows.items if isinstance(rows, Table) else rows
        return Target("entity", SETS[set_name], item=found(next((r for r in items if r["@iot.id"] == int(ident)), None),
                                                          segment))
    return Target("collection", SETS[set_name], rows=lambda: city.related(here.name, owner, name))


def page_response(body: dict) -> Response:
    """A page as JSON, its entities ENCODED_AT_ONCE at a time: one json.dumps of a megabyte of expanded
    entities holds the interpreter, and the event loop (health checks, the realtime channel), for its
    whole run; between the pieces the loop gets its turns."""
    items = body["value"]
    pieces = [safejson.dumps(items[i:i + ENCODED_AT_ONCE])[1:-1] for i in range(0, len(items), ENCODED_AT_ONCE)]
    others = [f"{safejson.dumps(key)}:{safejson.dumps(value)}" for key, value in body.items() if key != "value"]
    return Response("{" + ",".join([*others, '"value":[' + ",".join(pieces) + "]"]) + "}", media_type="application/json")


def answer(city: CityData, target: Target, params: dict, base: str, path: str) -> Response:
    """The answer to a resolved path, in full (the query options, the entities, the JSON)."""
    made = Answer(city, base)
    try:
        if target.kind == "collection":
            options = parse(params, target.entity_set, city)
            return page_response(made.collection(target.rows(), target.entity_set, options, path))
        if target.kind == "entity":
            return JSONResponse(made.render(target.entity_set, target.item, parse(params, target.entity_set, city,
                                                                                   ENTITY_OPTIONS)))
        if target.kind == "refs":
            options = parse(params, target.entity_set, city, ("$filter", "$orderby", "$top", "$skip", "$count"))
            options.select = frozenset({"selfLink"})
            return page_response(made.collection(target.rows(), target.entity_set, options, path))
        parse(params, target.entity_set, city, ())
        if target.kind == "ref":
            return JSONResponse({"@iot.selfLink": f"{base}/{target.entity_set.name}({target.item['@iot.id']})"})
        value = target.item[target.name]
        if target.kind == "property":
            return JSONResponse({target.name: value})
        return PlainTextResponse(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    except QueryError as exc:
        return error(400, str(exc))


async def resource(request: Request) -> Response:
    city = request.state.city
    try:
        target = resolve(city, request.path_params["path"])
    except NotFound as exc:
        return error(404, str(exc))
    args = (city, target, dict(request.query_params), service_base(request),
            "/" + request.path_params["path"].strip("/"))
    if target.kind not in ("collection", "refs") and "$expand" not in request.query_params:
        return answer(*args)  # one entity or value: cheap
    queue = gate(city)
    try:
        await asyncio.wait_for(queue.acquire(), QUEUE_SECONDS)
    except TimeoutError:
        return error(503, "busy with other queries; try again shortly", {"Retry-After": str(RETRY_AFTER_SECONDS)})
    try:
        return await run_in_threadpool(answer, *args)
    finally:
        queue.release()


async def service_root(request: Request) -> Response:
    base = service_base(request)
    return JSONResponse({"value": [{"name": name, "url": f"{base}/{name}"} for name in SETS],
                         "serverSettings": {"conformance": CONFORMANCE, SUBSET_KEY: SUBSET}})


# The service root answers at its bare path too, which a Mount does not reach.
routes = [Route(PATH, service_root), Mount(PATH, routes=[Route("/", service_root), Route("/{path:path}", resource)])]
