"""The scene catalogue: every scene with its version, SHA-256, size and languages, and the scene file
itself with its SHA-256 as the ETag."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from metaseoul.backend.routes.common import problem

PATH = "/content/v1"


async def scene_list(request: Request) -> Response:
    return JSONResponse([meta | {"url": f"{PATH}/scenes/{ident}.json"}
                         for ident, (meta, _data) in request.state.scenes.items()])


async def scene_file(request: Request) -> Response:
    found = request.state.scenes.get(request.path_params["ident"])
    if found is None:
        return problem(404, "no such scene")
    meta, data = found
    return Response(data, media_type="application/json", headers={"ETag": f'"{meta["sha256"]}"'})


routes = [Mount(PATH, routes=[
    Route("/scenes", scene_list),
    Route("/scenes/{ident}.json", scene_file),
])]
