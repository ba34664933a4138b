"""Accounts: guest sessions, registration, and a registered user's bearer token, each within the
abuse policy's limits (ratelimit.py): sign-in failures lock a name and an address out, guest tokens
and registrations are counted per address, and a banned device or address gets no guest token."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.accounts import DEVICE_KEY, AuthError, Origin
from metaseoul.backend.routes.common import address, body_status, json_body, problem, too_many

PATH = "/auth"


def origin(request: Request) -> Origin:
    """Where the request comes from: its address, and the X-Device-Key it sent (ValueError if malformed)."""
    device = request.headers.get("x-device-key")
    if device is not None and not DEVICE_KEY.fullmatch(device):
        raise ValueError("X-Device-Key must be 16 to 64 letters, digits, - or _ (a random id the device keeps)")
    return Origin(address(request), device)


async def guest(request: Request) -> Response:
    state = request.state
    try:
        asking = origin(request)
    except ValueError as exc:
        return problem(400, str(exc))
    ban = await run_in_threadpool(state.moderation.origin_ban, asking)
    if ban is not None:
        until = datetime.fromtimestamp(ban.until, UTC).isoformat(timespec="minutes")
        return problem(403, f"banned until {until}: {ban.reason}", reason=ban.reason, until=ban.until)
    wait = state.limits.guests.take(asking.address)
    if wait:
        return too_many(wait, f"at most {state.limits.policy.guests_per_hour} guest sessions an hour from one address")
    return JSONResponse(await run_in_threadpool(state.accounts.guest, asking), status_code=201)


async def register(request: Request) -> Response:
    limits = request.state.limits
    try:
        data = await json_body(request)
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    counted = address(request)
    wait = limits.registrations.take(counted)
    if wait:
        return too_many(wait, f"at most {limits.policy.registrations_per_hour} new accounts an hour from one address")
    try:
        name = await run_in_threadpool(request.state.accounts.register, data["name"], data["password"])
    except (ValueError, AuthError) as exc:  # names.BadName is a ValueError
        limits.registrations.give_back(counted)  # only accounts made count
        return problem(400, str(exc))
    return JSONResponse({"name": name}, status_code=201)


async def token(request: Request) -> Response:
    limits = request.state.limits
    try:
        data = await json_body(request)
        asking = origin(request)
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    name = data["name"]
    if wait := limits.names.wait(name):
        return too_many(wait, "too many failed sign-ins for this name")
    if wait := limits.failing_addresses.wait(asking.address):
        return too_many(wait, "too many failed sign-ins from this address")
    limits.names.failed(name)  # counted as failures before the check, so that racing guesses count too
    limits.failing_addresses.take(asking.address)
    try:
        answer = await run_in_threadpool(request.state.accounts.sign_in, name, data["password"], asking)
    except AuthError as exc:
        return problem(401, str(exc))
    limits.names.succeeded(name)
    limits.failing_addresses.give_back(asking.address)
    return JSONResponse(answer)


routes = [Mount(PATH, routes=[
    Route("/guest", guest, methods=["POST"]),
    Route("/register", register, methods=["POST"]),
    Route("/token", token, methods=["POST"]),
])]
