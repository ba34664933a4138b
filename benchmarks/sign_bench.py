"""Signing-avatar benchmark: what the avatar costs per frame, against the same scene view without
it in the same run: posing (interpolation and arm IK) on the CPU, and drawing its picture-in-picture
buffer on top of a City Hall view.

    .venv/bin/python benchmarks/sign_bench.py [--frames 60] [--size 960x540]
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import options

from metaseoul.accessibility import lexicon
from metaseoul.accessibility.sign_frames import SigningStage
from metaseoul.accessibility.signing import perform
from metaseoul.runtime import engine
from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.world import World

TEXT = "불이야 대피하세요 서울시청 화장실은 어디예요"


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def main(argv=None) -> int:
    args = options.rendering(__doc__, "960x540", 60, scene=False).parse_args(argv)
    size = args.size
    base = engine.start(offscreen=True)
    performance = perform(TEXT, lexicon.load())
    world = World(base.render)
    world.enter("city-hall")
    view = OffscreenView(base, base.render, size)
    spot = world.scene.views[0]
    view.aim(spot["position"], spot["look_at"], spot.get("fov", 60))
    world.add_camera(view.camera)

    def frame_times(step) -> list[float]:
        times = []
        for i in range(args.frames):
            started = time.perf_counter()
            step(i)
            base.graphicsEngine.renderFrame()
            times.append(time.perf_counter() - started)
        return times[5:]

    alone = frame_times(lambda i: None)
    stage = SigningStage(base, (320, 320), to_ram=False)
    duration = performance.duration
    posing: list[float] = []

    def sign(i: int) -> None:
        started = time.perf_counter()
        stage.avatar.apply(performance.pose((i / 30) % duration))
        posing.append(time.perf_counter() - started)

    signing = frame_times(sign)
    report = {
        "benchmark": "signing-avatar", "size": list(size), "frames": args.frames, "panel_pixels": [320, 320],
        "renderer": view.renderer()["renderer"],
        "scene_frame_ms_median": median_ms(alone),
        "scene_with_avatar_frame_ms_median": median_ms(signing),
        "avatar_cost_ms_per_frame": round(median_ms(signing) - median_ms(alone), 2),
        "avatar_posing_ms_median": median_ms(posing),
        "ratio_with_over_without": round(statistics.median(signing) / statistics.median(alone), 3),
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
