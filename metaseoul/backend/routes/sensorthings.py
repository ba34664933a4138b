"""Live city data as OGC SensorThings 1.1: the entity collections with their query options, single
entities, and the navigation between them. Collection queries run off the event loop, one at a time
(QUERIES_AT_ONCE), so that a flood of costly filters queues here instead of holding the interpreter
against the event loop and the realtime channel; one that waits longer than QUEUE_SECONDS is a 503."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.citydata import PROPERTIES, CityData, QueryError, collection

PATH = "/sensorthings/v1.1"
QUERIES_AT_ONCE = 1
QUEUE_SECONDS, RETRY_AFTER_SECONDS = 2.0, 1
Lookup = Callable[[CityData, int | None], object]  # the entity or entities for a path's id; None: there is none
Expand = Callable[[CityData, dict], list]  # a Thing's Datastreams
GATES: weakref.WeakKeyDictionary[CityData, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "type": "error", "message": message}, status_code=status, headers=headers)


def gate(city: CityData) -> asyncio.Semaphore:
    """The backend's query gate: one per running backend, so that each event loop waits on its own."""
    return GATES.setdefault(city, asyncio.Semaphore(QUERIES_AT_ONCE))


def answer(items_for: Lookup, expand: Expand | None, city: CityData, ident: int | None, params: dict, path: str) -> Response:
    """A collection's answer, in full (the entities, the query options, the JSON), on a worker thread."""
    try:
        items = items_for(city, ident)
        if items is None:
            return error(404, "no such entity")
        return JSONResponse(collection(items, params, path, expand and partial(expand, city)))
    except QueryError as exc:
        return error(400, str(exc))


def entities(items_for: Lookup, expand: Expand | None = None):
    """A collection endpoint: the query options apply."""
    async def endpoint(request: Request) -> Response:
        city, queue = request.state.city, gate(request.state.city)
        try:
            await asyncio.wait_for(queue.acquire(), QUEUE_SECONDS)
        except TimeoutError:
            return error(503, "busy with other queries; try again shortly",
                         {"Retry-After": str(RETRY_AFTER_SECONDS)})
        try:
            return await run_in_threadpool(answer, items_for, expand, city, request.path_params.get("ident"),
                                           dict(request.query_params), request.url.path)
        finally:
            queue.release()
    return endpoint


def entity(get_one: Lookup, expand: Expand | None = None):
    """A single entity: only $expand applies (and only where it is offered)."""
    async def endpoint(request: Request) -> Response:
        city = request.state.city
        found = get_one(city, request.path_params["ident"])
        if found is None:
            return error(404, "no such entity")
        options = {k: v for k, v in request.query_params.items() if k.startswith("$")}
        if set(options) - {"$expand"} or (options and (expand is None or options["$expand"] != "Datastreams")):
            return error(400, "a single entity takes no query options but $expand=Datastreams on Things")
        return JSONResponse(found | ({"Datastreams": expand(city, found)} if options else {}))
    return endpoint


def of_thing(getter: Lookup) -> Lookup:
    return lambda city, ident: getter(city, ident) if city.has_thing(ident) else None


def of_datastream(getter: Lookup) -> Lookup:
    return lambda city, ident: getter(city, ident) if city.has_datastream(ident) else None


def streams_of(city: CityData, thing: dict) -> list:
    return city.datastreams(thing["@iot.id"])


async def service_root(request: Request) -> Response:
    names = ("Things", "Locations", "Datastreams", "ObservedProperties", "Observations")
    return JSONResponse({"value": [{"name": n, "url": f"{PATH}/{n}"} for n in names]})


# The service root answers at its bare path too, which a Mount does not reach.
routes = [Route(PATH, service_root), Mount(PATH, routes=[
    Route("/", service_root),
    Route("/Things", entities(lambda city, _i: city.things(), streams_of)),
    Route("/Things({ident:int})", entity(of_thing(lambda city, i: city.thing(i - 1)), streams_of)),
    Route("/Things({ident:int})/Datastreams", entities(of_thing(lambda city, i: city.datastreams(i)))),
    Route("/Things({ident:int})/Locations", entities(of_thing(lambda city, i: [city.location(i - 1)]))),
    Route("/Locations", entities(lambda city, _i: city.locations())),
    Route("/Locations({ident:int})", entity(of_thing(lambda city, i: city.location(i - 1)))),
    Route("/ObservedProperties", entities(lambda city, _i: city.observed_properties())),
    Route("/ObservedProperties({ident:int})", entity(
        lambda city, i: city.observed_property(i - 1) if 1 <= i <= len(PROPERTIES) else None)),
    Route("/Datastreams", entities(lambda city, _i: city.datastreams())),
    Route("/Datastreams({ident:int})", entity(of_datastream(lambda city, i: city.datastream(i)))),
    Route("/Datastreams({ident:int})/Thing", entity(
        of_datastream(lambda city, i: city.thing((i - 1) // len(PROPERTIES))))),
    Route("/Datastreams({ident:int})/Observations", entities(of_datastream(lambda city, i: city.observations(i)))),
    Route("/Observations({ident:int})", entity(lambda city, i: city.observation(i))),
    Route("/Observations", entities(lambda city, _i: city.all_observations())),
])]
