"""Accounts: guest sessions, registration, and a registered user's bearer token."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.accounts import AuthError
from metaseoul.backend.routes.common import body_status, json_body, problem

PATH = "/auth"


async def guest(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(request.state.accounts.guest), status_code=201)


async def register(request: Request) -> Response:
    try:
        data = await json_body(request)
        await run_in_threadpool(request.state.accounts.register, str(data.get("name", "")),
                                str(data.get("password", "")))
    except (ValueError, AuthError) as exc:
        return problem(body_status(exc), str(exc))
    return JSONResponse({"name": data["name"]}, status_code=201)


async def token(request: Request) -> Response:
    try:
        data = await json_body(request)
    except ValueError as exc:
        return problem(body_status(exc), str(exc))
    try:
        return JSONResponse(await run_in_threadpool(request.state.accounts.sign_in, str(data.get("name", "")),
                                                    str(data.get("password", ""))))
    except AuthError as exc:
        return problem(401, str(exc))


routes = [Mount(PATH, routes=[
    Route("/guest", guest, methods=["POST"]),
    Route("/register", register, methods=["POST"]),
    Route("/token", token, methods=["POST"]),
])]
