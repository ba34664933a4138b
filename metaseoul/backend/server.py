"""``metaseoul serve``: the reference backend on uvicorn, logging one JSON object per line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def serve(host: str, port: int, data: Path) -> None:
    import uvicorn

    from metaseoul.backend.app import create_app
    from metaseoul.backend.db import Database

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("metaseoul.backend")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # The application opens the data folder in its lifespan; opening it once here first makes a folder that
    # cannot be used the command's own error (metaseoul: Permission denied: …), not uvicorn's startup traceback.
    Database(data).close()
    # No per-message deflate on the realtime socket: at 200 citizens in one room it doubled the server's
    # CPU (79 % against 42 % of a core, benchmarks/realtime_bench.py) for the same latency.
    uvicorn.run(create_app(data), host=host, port=port, log_level="warning", access_log=False,
                ws_per_message_deflate=False)
