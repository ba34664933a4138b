"""``metaseoul serve``: the reference backend on uvicorn, logging one JSON object per line."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from metaseoul.backend.ratelimit import POLICY, Policy
from metaseoul.errors import UsageError

POLICY_VARIABLE = "METASEOUL_BACKEND_POLICY"
# For test runs that make thousands of requests from one address (tests/test_schemathesis.py): limits
# no such run reaches. Never for a deployment: the server says so in its log when it starts.
RELAXED = Policy(name_failures=10**6, address_failures=10**6, guests_per_hour=10**6, registrations_per_hour=10**6,
                 bookings_per_minute=10**6)


def chosen_policy(logger: logging.Logger) -> Policy:
    """The abuse policy, or RELAXED where METASEOUL_BACKEND_POLICY=relaxed asks for it (with a warning)."""
    chosen = os.environ.get(POLICY_VARIABLE, "")
    if chosen not in ("", "relaxed"):
        raise UsageError(f"{POLICY_VARIABLE} may only be relaxed (for tests), or not set")
    if chosen:
        logger.warning(json.dumps({"warning": f"{POLICY_VARIABLE}=relaxed: the abuse policy's rate limits are "
                                              "off; for tests only, never for a deployment"}))
    return RELAXED if chosen else POLICY


def serve(host: str, port: int, data: Path, public_url: str | None = None) -> None:
    import uvicorn

    from metaseoul.backend.app import create_app
    from metaseoul.backend.db import Database
    from metaseoul.backend.realtime import PROTOCOL_FRAME_LIMIT
    from metaseoul.backend.routes.sensorthings import public_url as checked_url
    from metaseoul.errors import UsageError

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("metaseoul.backend")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # The application opens the data folder in its lifespan; opening it once here first makes a folder that
    # cannot be used the command's own error (metaseoul: Permission denied: …), not uvicorn's startup traceback.
    Database(data).close()
    policy = chosen_policy(logger)
    try:
        public_url = checked_url(public_url) if public_url else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # No per-message deflate on the realtime socket: at 200 citizens in one room it doubled the server's
    # CPU (79 % against 42 % of a core, benchmarks/realtime_bench.py) for the same latency.
    # A realtime frame larger than a few times the channel's own limit is refused by the WebSocket layer
    # (1009) from its header, before it is read: uvicorn's default (16 MiB, 32 queued) let sockets that
    # never signed in hold a gigabyte. The hub refuses frames over FRAME_LIMIT itself, with a reason.
    uvicorn.run(create_app(data, policy, public_url=public_url), host=host, port=port, log_level="warning",
                access_log=False, ws_per_message_deflate=False, ws_max_size=PROTOCOL_FRAME_LIMIT, ws_max_queue=4)
