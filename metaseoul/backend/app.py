"""The reference backend as a standard ASGI application (Starlette), so any ASGI server and any
reverse proxy can run it: one Mount per capability (metaseoul.backend.routes), sharing the state
the lifespan opens on the data folder. ``policy`` and ``clock`` are seams for tests: another set of
limits than the abuse policy's (said so where used), and a clock to step instead of sleeping.

Every answer is JSON, the router's own too (a path nothing serves, a method a path does not take,
an error no handler caught): in the error shape of the standard the path belongs to (routes.errors).
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware

from metaseoul.backend.accounts import Accounts
from metaseoul.backend.citydata import CityData
from metaseoul.backend.content import catalogue as scene_catalogue
from metaseoul.backend.db import Database
from metaseoul.backend.moderation import Moderation
from metaseoul.backend.ratelimit import POLICY, Clock, Limits, Policy
from metaseoul.backend.realtime import Hub
from metaseoul.backend.reservations import Reservations
from metaseoul.backend.routes import auth, content, discovery, moderation, open311, realtime, reservations, sensorthings
from metaseoul.backend.routes.common import State
from metaseoul.backend.routes.errors import http_error, server_error
from metaseoul.backend.store import ComplaintStore


def create_app(data_dir: Path, policy: Policy = POLICY, clock: Clock = time.time,
               public_url: str | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[State]:
        db = Database(data_dir)
        accounts, moderators = Accounts(db, clock), Moderation(db, clock)
        hub = Hub(accounts, moderators)
        try:
            yield State(store=ComplaintStore(db), accounts=accounts, reservations=Reservations(db, clock),
                        moderation=moderators, hub=hub, limits=Limits(policy, clock),
                        city=CityData(public_url=public_url),
                        services=open311.services(), scenes=scene_catalogue(), counts=Counter(), started=time.time())
        finally:
            hub.stop()
            db.close()

    routes = [*realtime.routes, *auth.routes, *moderation.routes, *reservations.routes, *content.routes,
              *sensorthings.routes, *discovery.routes, *open311.routes]
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={HTTPException: http_error, Exception: server_error},
                     middleware=[Middleware(BaseHTTPMiddleware, dispatch=discovery.count_and_log)])
