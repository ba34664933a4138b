"""Realtime benchmark: N synthetic citizens in one room sending poses at 20 Hz, against the
reference backend (poses batched per server tick) and, in the same run, a naive design that
forwards each pose on its own to everyone. Reports send-to-receive latency p50/p95, server CPU and
bytes each client receives per second, with the ratios.

    .venv/bin/python benchmarks/realtime_bench.py [--clients 50 100 200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from serving import free_port, reference_command, start
from websockets.asyncio.client import connect

RATE_HZ = 20
OBSERVERS = 20  # clients that time every pose they receive
WARMUP = 3.0  # seconds of traffic after everyone joined (their presence frames drained), before measuring
POSE = '{"type":"pose","p":[1.0,2.0,%.4f],"h":90}'  # formatted, not json.dumps: the generator must stay light


def serve_naive(port: int, data: Path) -> None:
    """The naive design: the reference backend with poses forwarded one by one, at once."""
    import uvicorn

    from metaseoul.backend import realtime
    from metaseoul.backend.app import create_app

    def forward_now(self, member, text):
        message = json.loads(text)
        if message.get("type") != "pose":
            return original(self, member, text)
        member.pose = {"p": message["p"], "h": message.get("h", 0)}
        frame = realtime.frame({"type": "poses", "tick": 0, "poses": [{"id": member.id, **member.pose}]})
        sockets = [m.connection.socket for m in member.room.members.values()
                   if m is not member and m.connection is not None]
        asyncio.get_running_loop().create_task(send_to_each(sockets, frame))
        return None

    async def send_to_each(sockets, frame):
        for each in sockets:
            try:
                await each.send_text(frame)
            except (RuntimeError, OSError):
                pass

    original = realtime.Hub._handle
    realtime.Hub._handle = forward_now
    uvicorn.run(create_app(data), host="127.0.0.1", port=port, log_level="error")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_backend(naive: bool, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve-naive", str(port), str(folder)] if naive else reference_command(port, folder)
    return start(command, port)


@dataclass
class Window:
    """The shared timeline: everyone joins, poses flow for WARMUP seconds, then the measured seconds."""
    start: asyncio.Event
    measure_from: float = 0.0
    stop_at: float = 0.0
    latencies: list[float] = field(default_factory=list)
    received: list[float] = field(default_factory=list)


async def citizen(url: str, token: str, window: Window, ready: asyncio.Semaphore, observer: bool) -> None:
    """One synthetic citizen: sends poses at RATE_HZ, receives everything; an observer also reads the
    frames for latency (reading every frame in every client would measure this process, not the server)."""
    async with connect(url.replace("http", "ws") + "/realtime/v1", max_size=None, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "scene": "bench", "name": "b"}))
        await ws.recv()
        ready.release()
        await window.start.wait()

        async def send():
            while time.monotonic() < window.stop_at:
                await ws.send(POSE % time.monotonic())  # the send time rides in z
                await asyncio.sleep(1 / RATE_HZ)

        sender = asyncio.create_task(send())
        got = 0
        try:
            while (now := time.monotonic()) < window.stop_at + 0.5:
                try:
                    frame = await asyncio.wait_for(ws.recv(decode=observer), timeout=max(0.05, window.stop_at + 0.5 - now))
                except asyncio.TimeoutError:
                    break
                now = time.monotonic()
                if not window.measure_from <= now < window.stop_at:
                    continue
                got += len(frame)
                if observer:
                    message = json.loads(frame)
                    if message["type"] == "poses":
                        window.latencies.extend(now - p["p"][2] for p in message["poses"])
        finally:
            sender.cancel()
        window.received.append(got / (window.stop_at - window.measure_from))


async def crowd(url: str, clients: int, seconds: float, server_pid: int) -> dict:
    token = httpx.post(url + "/auth/guest").json()["access_token"]  # one for all: guest tokens are rate-limited
    window = Window(asyncio.Event())
    ready = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(citizen(url, token, window, ready, i < OBSERVERS)) for i in range(clients)]
    for _ in tasks:  # the join storm is over before anything is measured
        await ready.acquire()
    window.measure_from = time.monotonic() + WARMUP
    window.stop_at = window.measure_from + seconds
    window.start.set()
    await asyncio.sleep(WARMUP)
    cpu_before, own_before = cpu_seconds(server_pid), time.process_time()
    await asyncio.sleep(seconds)
    cpu, own = cpu_seconds(server_pid) - cpu_before, time.process_time() - own_before
    await asyncio.gather(*tasks, return_exceptions=True)
    ordered = sorted(window.latencies) or [float("nan")]
    return {"latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
            "latency_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            "bytes_per_client_per_second": round(statistics.mean(window.received or [0])),
            "poses_received": len(window.latencies),
            "server_cpu_percent": round(cpu / seconds * 100, 1),
            "load_generator_cpu_percent": round(own / seconds * 100, 1)}


def measure(naive: bool, clients: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_backend(naive, Path(folder))
        try:
            return asyncio.run(crowd(url, clients, seconds, process.pid))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:  # the naive server may still be working off its backlog
                process.kill()
                process.wait(10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve-naive", nargs=2, metavar=("PORT", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_naive:
        serve_naive(int(args.serve_naive[0]), Path(args.serve_naive[1]))
        return 0
    rows = []
    for clients in args.clients:
        batched = measure(False, clients, args.seconds)
        naive = measure(True, clients, args.seconds)
        rows.append({"clients": clients, "batched": batched, "naive": naive, "ratios": {
            "latency_p95_naive_over_batched": round(naive["latency_ms_p95"] / batched["latency_ms_p95"], 2),
            "cpu_naive_over_batched": round(naive["server_cpu_percent"] / max(batched["server_cpu_percent"], 0.1), 2),
            "bytes_naive_over_batched": round(naive["bytes_per_client_per_second"] /
                                              max(batched["bytes_per_client_per_second"], 1), 2)}})
    report = {"benchmark": "realtime", "rate_hz": RATE_HZ, "seconds": args.seconds, "observers": OBSERVERS, "rooms": rows,
              "target": {"clients": 200, "latency_ms_p95_at_most": 100}}
    largest = next((r for r in rows if r["clients"] == 200), None)
    report["target"]["met"] = largest is not None and largest["batched"]["latency_ms_p95"] <= 100
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
