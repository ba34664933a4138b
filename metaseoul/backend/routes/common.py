"""What every route module shares: the state the lifespan opens, request bodies read within the
limit and checked against the contract, problem answers (429 with Retry-After among them), who is
asking (their address), the answer language, and the signed-in and moderator-only guards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TypedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import Scope

from metaseoul.backend import contract
from metaseoul.backend.accounts import Accounts, AuthError, Session
from metaseoul.backend.citydata import CityData
from metaseoul.backend.moderation import Moderation
from metaseoul.backend.ratelimit import Limits, retry_after
from metaseoul.backend.realtime import Hub
from metaseoul.backend.reservations import Reservations
from metaseoul.backend.store import ComplaintStore

BODY_LIMIT = 64 * 1024


class State(TypedDict):
    """The lifespan state: one of each for the running backend, on every request as ``request.state``."""

    store: ComplaintStore
    accounts: Accounts
    reservations: Reservations
    moderation: Moderation
    hub: Hub
    limits: Limits
    city: CityData
    services: dict[str, dict]  # Open311 service code: its names, descriptions, keywords and group
    scenes: dict[str, tuple[dict, bytes]]  # scene id: (catalogue entry, file)
    counts: Counter  # answers by (route, status), for /metrics
    started: float  # time.time() at startup


def problem(status: int, message: str, headers: dict[str, str] | None = None, **details) -> JSONResponse:
    """The contract's Problem body: the status, a plain message, and any details (``retry_after``, ``until``)."""
    return JSONResponse({"code": status, "message": message, **details}, status_code=status, headers=headers)


def too_many(wait: float, what: str) -> JSONResponse:
    """429 for ``what`` was done too often, saying in the header and the body when to try again."""
    seconds = retry_after(wait)
    return problem(429, f"{what}: try again in {seconds} seconds", {"Retry-After": str(seconds)}, retry_after=seconds)


def address(request: Request) -> str:
    """The client's address as the socket has it. Behind a reverse proxy this is the proxy's, so
    per-address limits then count everyone together: run the backend where clients reach it directly,
    or have the proxy enforce its own per-client limits (docs/backend-contract.md, "Abuse policy")."""
    return request.client.host if request.client else "unknown"


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


async def json_body(request: Request) -> dict:
    """The JSON body the contract allows for this operation, or contract.Refused (a ValueError) or TooLarge."""
    return contract.body(path_template(request.scope), request.method, await read_body(request))


def path_template(scope: Scope) -> str:
    """The matched route's whole path template (a mounted route's path is relative to its Mount), as
    the OpenAPI document names it: "/open311/v2/requests/{ident}.json", or "unmatched"."""
    route = scope.get("route")
    if route is None or isinstance(route, Mount):  # nothing matched, or nothing under the Mount did
        return "unmatched"
    mounted_at = scope.get("root_path", "")[len(scope.get("app_root_path", scope.get("root_path", ""))):]
    return mounted_at + route.path


def lang(request: Request) -> str:
    return "ko" if request.query_params.get("locale", "en").startswith("ko") else "en"


SignedInHandler = Callable[[Request, Session], Awaitable[Response]]


def signed_in(handler: SignedInHandler) -> Callable[[Request], Awaitable[Response]]:
    """``handler`` called with the session of the request's bearer token; 401 without a valid one."""
    async def endpoint(request: Request) -> Response:
        try:
            session = await run_in_threadpool(request.state.accounts.session, request.headers.get("authorization"))
        except AuthError as exc:
            return problem(401, str(exc))
        return await handler(request, session)
    return endpoint


def moderator_only(handler: SignedInHandler) -> Callable[[Request], Awaitable[Response]]:
    """As signed_in, and 403 unless the signed-in subject is a moderator."""
    async def endpoint(request: Request, session: Session) -> Response:
        if not await run_in_threadpool(request.state.moderation.is_moderator, session.subject):
            return problem(403, "moderators only")
        return await handler(request, session)
    return signed_in(endpoint)
