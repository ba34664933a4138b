"""Reservations: what can be booked, each day's slots with the places left, and a registered
citizen's bookings (book, list, cancel), at most ``bookings_per_minute`` booking requests a minute
each (ratelimit.Policy); guests may look but not book."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.accounts import Session
from metaseoul.backend.reservations import NotFound, SlotFull
from metaseoul.backend.routes.common import body_status, json_body, lang, problem, signed_in, too_many

PATH = "/reservations/v1"


async def reservable(request: Request) -> Response:
    language = lang(request)
    return JSONResponse([{"code": s["code"], "name": s["name"][language], "minutes": s["minutes"],
                          "capacity": s["capacity"]} for s in request.state.reservations.services.values()])


async def slots(request: Request) -> Response:
    try:
        day = date.fromisoformat(request.query_params.get("date", ""))
        return JSONResponse(await run_in_threadpool(request.state.reservations.slots, request.path_params["code"], day))
    except ValueError:
        return problem(400, "date must be given as YYYY-MM-DD")
    except NotFound as exc:
        return problem(404, str(exc))


def over_limit(request: Request, session: Session) -> Response | None:
    """429 when ``session``'s citizen has made too many booking requests this minute; counts this one."""
    limits = request.state.limits
    wait = limits.bookings.take(session.subject)
    return too_many(wait, f"at most {limits.policy.bookings_per_minute} booking requests a minute") if wait else None


async def book(request: Request, session: Session) -> Response:
    if session.kind == "guest":
        return problem(403, "sign in to book")
    if refused := over_limit(request, session):
        return refused
    try:
        data = await json_body(request)
        booking = await run_in_threadpool(request.state.reservations.book, data["slot_id"], session.subject)
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    except NotFound as exc:
        return problem(404, str(exc))
    except SlotFull as exc:
        return problem(409, str(exc))
    return JSONResponse(booking, status_code=201)


async def my_bookings(request: Request, session: Session) -> Response:
    return JSONResponse(await run_in_threadpool(request.state.reservations.mine, session.subject))


async def cancel(request: Request, session: Session) -> Response:
    if refused := over_limit(request, session):
        return refused
    try:
        await run_in_threadpool(request.state.reservations.cancel, request.path_params["ident"], session.subject)
    except NotFound as exc:
        return problem(404, str(exc))
    return Response(status_code=204)


routes = [Mount(PATH, routes=[
    Route("/services", reservable),
    Route("/services/{code}/slots", slots),
    Route("/bookings", signed_in(book), methods=["POST"]),
    Route("/bookings", signed_in(my_bookings), methods=["GET"]),
    Route("/bookings/{ident}", signed_in(cancel), methods=["DELETE"]),
])]
