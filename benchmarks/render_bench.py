"""Render benchmark: a scene as metaseoul builds it versus the same objects built naively.

The naive build puts every part a builder places (each column, lamp, window, tree crown, road
dash) in its own node and flattens nothing, which is what loading one model per thing gives. Both
builds render the same views in the same run; the JSON printed compares them. The cost of lamps is
measured in the same run too: the built scene with 0, 4 and 16 lamps added around its first view,
without shadows and with shadows up to the budget (4), each over the same scene with none. And every
built-in interior (a scene with rooms) is rendered over all its views, each compared with the plaza's
first view in the same run: an interior should render no slower than the plaza.

    .venv/bin/python benchmarks/render_bench.py [--scene city-hall] [--size 960x540] [--frames 20]
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
import sys
import time

from panda3d.core import SceneGraphAnalyzer

import options

from metaseoul.runtime import engine
from metaseoul.client.headless import WARM_UP_FRAMES, visible_geoms
from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.world import World
from metaseoul.scenes import catalog
from metaseoul.scenes.validate import MAX_SHADOWED_LIGHTS

LAMP_SETS = ((0, 0), (4, 0), (16, 0), (4, 4), (16, 4))  # (lamps, of which cast shadows)


def measure(base, scene, naive: bool, size, frames: int, views: list[dict] | None = None) -> dict:
    world = World(base.render, naive=naive)
    started = time.perf_counter()
    world.enter(scene)
    load_seconds = time.perf_counter() - started
    view = OffscreenView(base, base.render, size, name="naive" if naive else "built")
    world.add_camera(view.camera)
    times, calls = [], []
    try:
        for spec in views or scene.views:
            view.aim(spec["position"], spec["look_at"], spec.get("fov", 60.0))
            for i in range(WARM_UP_FRAMES + frames):
                tick = time.perf_counter()
                view.render()
                if i >= WARM_UP_FRAMES:
                    times.append((time.perf_counter() - tick) * 1000)
            calls.append(visible_geoms(view.camera, world.built.root))
        analyzer = SceneGraphAnalyzer()
        analyzer.addNode(world.built.root.node())
        return {
            "renderer": view.renderer(),
            "load_seconds": round(load_seconds, 3),
            "draw_calls_mean": round(statistics.mean(calls), 1),
            "draw_calls_per_view": dict(zip((v["name"] for v in views or scene.views), calls)),
            "frame_ms_median": round(statistics.median(times), 2),
            "frame_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
            "geoms": analyzer.getNumGeoms(),
            "nodes": analyzer.getNumNodes(),
            "triangles": analyzer.getNumTris(),
        }
    finally:
        view.close()
        world.leave()


def with_lamps(scene, count: int, shadowed: int):
    """``scene`` with ``count`` lamps in a ring around its first view's target; the first ``shadowed``
    are spot lights casting shadows, the rest point lights (both 1500 lm, 25 m range)."""
    x, y, _z = scene.views[0]["look_at"]
    lamps = []
    for i in range(count):
        angle = 2 * math.pi * i / max(count, 1)
        position = [x + 8 * math.cos(angle), y + 8 * math.sin(angle), 4.0]
        lamp = {"id": f"bench-{i}", "kind": "point", "position": position, "lumens": 1500, "range": 25}
        if i < shadowed:
            lamp |= {"kind": "spot", "aim": [x, y, 0.0], "angle": 90, "shadows": True}
        lamps.append(lamp)
    return dataclasses.replace(scene, doc=scene.doc | {"lights": lamps})


def lamp_costs(base, scene, size, frames: int) -> dict:
    """Median frame time for each lamp set, and its ratio to the same scene without lamps."""
    assert max(s for _c, s in LAMP_SETS) <= MAX_SHADOWED_LIGHTS
    times = {f"{count}{'-shadowed-' + str(shadowed) if shadowed else ''}":
             measure(base, with_lamps(scene, count, shadowed), False, size, frames)["frame_ms_median"]
             for count, shadowed in LAMP_SETS}
    baseline = times["0"]
    return {"frame_ms_median": times,
            "frame_time_over_no_lamps": {name: round(ms / baseline, 2) for name, ms in times.items()}}


def interior_costs(base, plaza, size, frames: int) -> dict:
    """Median frame time of each built-in interior over all its views, against the plaza's first view."""
    plaza_ms = measure(base, plaza, False, size, frames, views=plaza.views[:1])["frame_ms_median"]
    indoor = [catalog.load(i) for i in catalog.builtin_ids()]
    times = {s.id: measure(base, s, False, size, frames)["frame_ms_median"]
             for s in indoor if any(o["type"] == "room" for o in s.objects)}
    over = {sid: round(ms / plaza_ms, 2) for sid, ms in times.items()}
    return {"plaza_view": f"{plaza.id}/{plaza.views[0]['name']}", "plaza_frame_ms_median": plaza_ms,
            "frame_ms_median": times, "frame_time_over_plaza": over,
            "target": {"at_most_plaza": 1.0, "met": all(r <= 1.0 for r in over.values())}}


def main(argv=None) -> int:
    args = options.rendering(__doc__, "960x540", 20).parse_args(argv)
    size = args.size
    base = engine.start(offscreen=True)
    scene = catalog.load(args.scene)
    naive = measure(base, scene, True, size, args.frames)
    del naive["renderer"]
    built = measure(base, scene, False, size, args.frames)
    lamps = lamp_costs(base, scene, size, args.frames)
    interiors = interior_costs(base, catalog.load("city-hall"), size, args.frames)
    report = {
        "benchmark": "render",
        "scene": scene.id,
        "size": list(size),
        "frames_per_view": args.frames,
        "views": [v["name"] for v in scene.views],
        "renderer": built.pop("renderer"),
        "built": built,
        "naive": naive,
        "lamps": lamps,
        "interiors": interiors,
        "ratios": {
            "draw_calls_naive_over_built": round(naive["draw_calls_mean"] / built["draw_calls_mean"], 1),
            "frame_time_naive_over_built": round(naive["frame_ms_median"] / built["frame_ms_median"], 2),
            "load_time_naive_over_built": round(naive["load_seconds"] / built["load_seconds"], 2),
        },
        "target": {"draw_calls_naive_over_built_at_least": 10},
    }
    report["target"]["met"] = report["ratios"]["draw_calls_naive_over_built"] >= 10
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
