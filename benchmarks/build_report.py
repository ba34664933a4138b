"""Build report: each standalone build's and installer's size, and the Linux build's first-start time of
``metaseoul render city-hall`` against the same command from the virtual environment in the same run
(each start a fresh process; the first of each is not counted, so both read a warm page cache).

    .venv/bin/python benchmarks/build_report.py [--runs 3]

Makes the builds first if the cache lacks them (installer/build-all; cold about 2.5 minutes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENDER = ["render", "city-hall", "--views", "plaza", "--frames", "1", "--size", "640x360"]


def size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_start(command: list[str], env: dict[str, str] | None, runs: int) -> dict:
    """Seconds from start to exit of a fresh ``command + RENDER`` process, median of ``runs`` after one unmeasured."""
    times = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(runs + 1):
            started = time.perf_counter()
            subprocess.run([*command, *RENDER, "--out", out], env=env, cwd=out, check=True, capture_output=True)
            if i:
                times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as dist:
        built = subprocess.run([sys.executable, str(ROOT / "installer" / "build.py"), "--dist", dist],
                               check=True, capture_output=True, text=True)
        builds = json.loads(built.stdout)["builds"]
        report = {"builds": {name: {"bundle_bytes": size(Path(b["bundle"])), "from_cache": b["cached"],
                                    "installers": {Path(i).name: size(Path(i)) for i in b["installers"]}}
                             for name, b in builds.items()}}
    bare = {"PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()}
    linux = first_start([str(Path(builds["linux"]["bundle"]) / "metaseoul")], bare, args.runs)
    venv = first_start([sys.executable, "-m", "metaseoul"], None, args.runs)
    report["first_start"] = {"command": "metaseoul " + " ".join(RENDER), "linux_build": linux, "venv_baseline": venv,
                             "build_vs_venv": round(linux["median_s"] / venv["median_s"], 2)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
