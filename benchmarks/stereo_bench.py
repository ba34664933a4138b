"""Stereo benchmark: what rendering both eyes of the simulated headset costs against one mono
view of the same scene and views, in the same run (1280x720 per eye by default).

    .venv/bin/python benchmarks/stereo_bench.py [--scene city-hall] [--size 1280x720] [--frames 10]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import options

from metaseoul.client.headless import render_scene


def main(argv=None) -> int:
    args = options.rendering(__doc__, "1280x720", 10).parse_args(argv)
    size = args.size
    with tempfile.TemporaryDirectory() as folder:
        mono = render_scene(args.scene, Path(folder) / "mono", size=size, frames=args.frames)
        stereo = render_scene(args.scene, Path(folder) / "stereo", size=size, frames=args.frames, stereo=True)
    report = {
        "benchmark": "stereo",
        "scene": args.scene,
        "size_per_eye": list(size),
        "renderer": mono["renderer"],
        "mono": {"frame_ms_median": mono["frame_ms_median"], "frame_ms_p95": mono["frame_ms_p95"]},
        "stereo": {"frame_ms_median": stereo["frame_ms_median"], "frame_ms_p95": stereo["frame_ms_p95"]},
        "ratio_stereo_over_mono": round(stereo["frame_ms_median"] / mono["frame_ms_median"], 2),
        "note": "both eyes share one shadow pass per frame; on a software renderer pixels dominate",
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
