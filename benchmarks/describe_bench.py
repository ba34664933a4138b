"""Audio-description benchmark: how long "what's around me" takes with 1,000 named objects,
against the same queries on 100 objects in the same run (the cost should grow no worse than linearly).

    .venv/bin/python benchmarks/describe_bench.py [--objects 1000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.scenes.catalog import Scene, material_library
from metaseoul.scenes.loader import build

ROLES = ("building", "gate", "statue", "kiosk", "sign", "seat", "fountain", "tree", "lamp", "exhibit")


def scene(count: int) -> Scene:
    rng = random.Random(count)
    objects = [{"id": f"o{i}", "type": "box", "role": rng.choice(ROLES),
                "position": [rng.uniform(-500, 500), rng.uniform(-500, 500), 0],
                "size": [rng.uniform(1, 30), rng.uniform(1, 30), rng.uniform(1, 20)],
                "name": {"ko": f"건물 {i}", "en": f"Building {i}"}} for i in range(count)]
    doc = {"format": 1, "id": "bench", "name": {"ko": "벤치", "en": "Bench"}, "objects": objects,
           "spawns": [{"name": "s", "position": [0, 0, 0]}],
           "views": [{"name": "v", "position": [0, -5, 2], "look_at": [0, 5, 0]}]}
    return Scene(doc=doc, source=Path("bench.json"), materials=material_library())


def measure(count: int, queries: int) -> dict:
    describer = Describer(build(scene(count)))
    rng = random.Random(7)
    poses = [Pose(rng.uniform(-400, 400), rng.uniform(-400, 400), rng.uniform(0, 360)) for _ in range(queries)]
    times = []
    for pose in poses:
        started = time.perf_counter()
        describer.describe(pose)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"objects": count, "describe_ms_median": round(statistics.median(times), 3),
            "describe_ms_p95": round(times[int(0.95 * (len(times) - 1))], 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    small = measure(args.objects // 10, args.queries)
    large = measure(args.objects, args.queries)
    report = {"benchmark": "describe", "baseline": small, "measured": large,
              "ratio_time_over_ratio_objects": round(
                  (large["describe_ms_median"] / small["describe_ms_median"]) / (large["objects"] / small["objects"]), 2),
              "target": {"describe_ms_p95_at_most": 50}}
    report["target"]["met"] = large["describe_ms_p95"] <= 50
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
