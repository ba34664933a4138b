"""SensorThings benchmark: the costliest legal $filter on /Observations against a real `metaseoul serve`.
Reports what one such query costs (against, in the same run, the same query without the filter), and
/healthz latency p50/p95 while client processes loop it, against /healthz with no load; then the same
for that query with the costliest legal $expand (each observation's Datastream: as many expanded
entities as an answer may hold).

    .venv/bin/python benchmarks/sensorthings_bench.py [--clients 8] [--seconds 10] [--repeats 15]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from serving import free_port, reference_command, start

from metaseoul.backend.sensorfilter import MAX_COMPARISONS, MAX_FILTER_CHARS

PATH = "/sensorthings/v1.1/Observations"
ZONES = {"Z": 0, "+09:00": 540, "-05:00": -300, "+05:30": 330}
TARGET = {"worst_query_ms_at_most": 20, "healthz_p95_ms_under_load_at_most": 50}
EXPAND = "Datastream"  # a to-one expansion of each of 1,000 observations: MAX_EXPANDED in all


def start_backend(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    return start(reference_command(port, folder), port)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stamp(when: datetime, zone: str) -> str:
    """The instant in the given zone, to the minute: the shortest legal time, so the most comparisons fit."""
    return (when + timedelta(minutes=ZONES[zone])).strftime("%Y-%m-%dT%H:%M") + zone


def worst_filter(now: float) -> str:
    """As many time comparisons as the limits allow, every one different (none is evaluated twice), on
    both time fields, in every zone, as windows of the last 24 hours: or of ands, nested in parentheses."""
    latest = datetime.fromtimestamp(now // 600 * 600, UTC)
    zones = list(ZONES)
    text, i = "", 0
    while True:
        since, until = latest - timedelta(minutes=25 * i + 17), latest - timedelta(minutes=25 * i)
        window = (f"(phenomenonTime ge {stamp(since, zones[i % 4])} and "
                  f"resultTime lt {stamp(until, zones[(i + 1) % 4])})")
        grown = f"({text} or {window})" if i % 3 == 2 else (f"{text} or {window}" if text else window)
        if len(grown) > MAX_FILTER_CHARS or 2 * (i + 1) > MAX_COMPARISONS:
            return text
        text, i = grown, i + 1


def timed_get(client: httpx.Client, path: str, params: dict | None = None) -> tuple[float, int]:
    began = time.perf_counter()
    status = client.get(path, params=params).status_code
    return (time.perf_counter() - began) * 1000, status


def query_cost(url: str, params: dict, repeats: int) -> dict:
    """One client, one query after another: the median and the spread of their times."""
    with httpx.Client(base_url=url, timeout=30) as client:
        times = [timed_get(client, PATH, params) for _ in range(repeats)]
    assert all(status == 200 for _, status in times), times
    ms = sorted(t for t, _ in times)
    return {"ms_median": round(statistics.median(ms), 1), "ms_min": round(ms[0], 1), "ms_max": round(ms[-1], 1)}


def healthz_latency(url: str, seconds: float) -> dict:
    """/healthz asked back to back for the given seconds: p50 and p95."""
    ms: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            ms.append(timed_get(client, "/healthz")[0])
            time.sleep(0.01)  # a monitor's pace, not a load of its own
    ms.sort()
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max_ms": round(ms[-1], 1), "requests": len(ms)}


def loop_query(url: str, params: dict, ready, stop, results) -> None:
    """One hostile client (its own process, so the load generator does not slow the measuring one)."""
    statuses: Counter = Counter()
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get(PATH, params=params)
        ready.put(True)
        while not stop.is_set():
            statuses[client.get(PATH, params=params).status_code] += 1
    results.put(dict(statuses))


def under_load(url: str, pid: int, params: dict, clients: int, seconds: float) -> dict:
    """/healthz while the clients loop the query, from when all of them have started to ask."""
    context = multiprocessing.get_context("spawn")
    ready, results, stop = context.Queue(), context.Queue(), context.Event()
    loaders = [context.Process(target=loop_query, args=(url, params, ready, stop, results)) for _ in range(clients)]
    for loader in loaders:
        loader.start()
    for _ in loaders:
        ready.get(timeout=120)
    time.sleep(1)
    cpu_before, began = cpu_seconds(pid), time.monotonic()
    health = healthz_latency(url, seconds)
    cpu, elapsed = cpu_seconds(pid) - cpu_before, time.monotonic() - began
    stop.set()
    statuses: Counter = Counter()
    for _ in loaders:
        statuses.update(results.get(timeout=60))
    for loader in loaders:
        loader.join(10)
    return {"healthz": health, "worst_queries_answered": {str(k): v for k, v in sorted(statuses.items())},
            "server_cpu_percent": round(cpu / elapsed * 100, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    text = worst_filter(time.time())
    worst = {"$filter": text, "$top": "1000", "$count": "true"}
    expanded = {**worst, "$expand": EXPAND}
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_backend(Path(folder))
        try:
            first = query_cost(url, worst, 1)["ms_median"]  # makes this step's observations and columns
            report = {"benchmark": "sensorthings", "filter_chars": len(text),
                      "filter_comparisons": text.count(" ge ") + text.count(" lt "),
                      "filter_matches": httpx.get(url + PATH, params=worst, timeout=30).json()["@iot.count"],
                      "first_query_ms": first,
                      "worst_query": query_cost(url, worst, args.repeats),
                      "same_query_without_filter": query_cost(url, {"$top": "1000", "$count": "true"}, args.repeats),
                      "healthz_no_load": healthz_latency(url, args.seconds),
                      "clients": args.clients,
                      "healthz_under_load": under_load(url, process.pid, worst, args.clients, args.seconds),
                      "worst_expand_query": query_cost(url, expanded, args.repeats),
                      "healthz_under_expand_load": under_load(url, process.pid, expanded, args.clients, args.seconds)}
        finally:
            process.terminate()
            process.wait(10)
    report["ratios"] = {"healthz_p95_loaded_over_idle": round(report["healthz_under_load"]["healthz"]["p95_ms"] /
                                                              report["healthz_no_load"]["p95_ms"], 2),
                        "worst_expand_over_worst_query": round(report["worst_expand_query"]["ms_median"] /
                                                               report["worst_query"]["ms_median"], 2)}
    report["target"] = {**TARGET, "met": report["worst_query"]["ms_median"] <= TARGET["worst_query_ms_at_most"] and
                        max(report["healthz_under_load"]["healthz"]["p95_ms"],
                            report["healthz_under_expand_load"]["healthz"]["p95_ms"])
                        < TARGET["healthz_p95_ms_under_load_at_most"]}
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
