"""The answers the router gives by itself (nothing at this path, a method this path does not take)
and the answer to an error no handler caught, as JSON in the error shape of the standard the path
belongs to: an Open311 error list under /open311/, a SensorThings error under /sensorthings/, the
contract's Problem elsewhere. A 405 names in Allow every method of every route at the path."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

from metaseoul.backend.routes import open311, sensorthings
from metaseoul.backend.routes.common import problem


def error(path: str, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer in the shape of the standard ``path`` belongs to (by its first segment)."""
    first = path.split("/")[1]  # a request's path starts with /
    if first == open311.PATH.split("/")[1]:
        answer = open311.open311_error(status, message, "xml" if path.endswith(".xml") else "json")
    elif first == sensorthings.PATH.split("/")[1]:
        answer = sensorthings.error(status, message)
    else:
        answer = problem(status, message)
    answer.headers.update(headers or {})
    return answer


def allowed(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods of every route (mounted ones too) whose path matches the request's, whatever its method."""
    methods: set[str] = set()
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            methods |= allowed(route.routes, {**scope, **child})
        elif isinstance(route, Route):
            methods |= route.methods or set()
    return methods


async def http_error(request: Request, exc: HTTPException) -> Response:
    """The router's 404 and 405 (and any HTTPException) as JSON; a 405 with the path's whole Allow."""
    scope, path = request.scope, request.url.path
    if exc.status_code == 405:
        # The router has already stepped into a Mount (scope's root_path); match again from the top.
        top = {**scope, "root_path": scope.get("app_root_path", scope.get("root_path", "")), "path_params": {}}
        methods = ", ".join(sorted(allowed(request.app.routes, top)))
        return error(path, 405, f"{request.method} is not allowed here; allowed: {methods}", {"Allow": methods})
    if exc.status_code == 404:
        return error(path, 404, f"nothing here: {path[:200]}")
    return error(path, exc.status_code, str(exc.detail), exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    """A 500 that says only that it is one: Starlette raises the error on, for the server to log."""
    return error(request.url.path, 500, "internal error: the backend's log has the details")
