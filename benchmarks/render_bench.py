"""Render benchmark: a scene as metaseoul builds it versus the same objects built naively.

The naive build puts every part a builder places (each column, lamp, window, tree crown, road
dash) in its own node and flattens nothing, which is what loading one model per thing gives. Both
builds render the same views in the same run; the JSON printed compares them.

    .venv/bin/python benchmarks/render_bench.py [--scene city-hall] [--size 960x540] [--frames 20]
"""

from __future__ import annotations

import json
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


def measure(base, scene, naive: bool, size, frames: int) -> dict:
    world = World(base.render, naive=naive)
    started = time.perf_counter()
    world.enter(scene)
    load_seconds = time.perf_counter() - started
    view = OffscreenView(base, base.render, size, name="naive" if naive else "built")
    world.add_camera(view.camera)
    times, calls = [], []
    try:
        for spec in scene.views:
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
            "draw_calls_per_view": dict(zip((v["name"] for v in scene.views), calls)),
            "frame_ms_median": round(statistics.median(times), 2),
            "frame_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
            "geoms": analyzer.getNumGeoms(),
            "nodes": analyzer.getNumNodes(),
            "triangles": analyzer.getNumTris(),
        }
    finally:
        view.close()
        world.leave()


def main(argv=None) -> int:
    args = options.rendering(__doc__, "960x540", 20).parse_args(argv)
    size = args.size
    base = engine.start(offscreen=True)
    scene = catalog.load(args.scene)
    naive = measure(base, scene, True, size, args.frames)
    del naive["renderer"]
    built = measure(base, scene, False, size, args.frames)
    report = {
        "benchmark": "render",
        "scene": scene.id,
        "size": list(size),
        "frames_per_view": args.frames,
        "views": [v["name"] for v in scene.views],
        "renderer": built.pop("renderer"),
        "built": built,
        "naive": naive,
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
