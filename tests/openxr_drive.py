"""Runs an OpenXR session on the test runtime (under Xvfb, for test_openxr.py and
test_openxr_runtime_faults.py) the way the headset client does: polls, begins when ready, ends when
stopping, and each frame waits, reads the hands, pulses the right controller and submits both eyes;
until the session reaches the state named on the command line (at most 80 frames). Then it closes it
as the program does when its window is closed there, and prints one JSON report. A lost session is
first called once more in every method, which must all do nothing."""

from __future__ import annotations

import json
import sys

from metaseoul.runtime import engine

base = engine.start(offscreen=False, size=(320, 180))
from metaseoul.runtime.offscreen import OffscreenView  # noqa: E402
from metaseoul.xr.openxr_session import OpenXRSession  # noqa: E402
from metaseoul.xr.session import LOST  # noqa: E402

wanted = sys.argv[1]
session = OpenXRSession(base)
eyes = {eye: OffscreenView(base, base.render, session.eye_size, name=eye, to_ram=False, host=base.win).texture
        for eye in ("left", "right")}
report: dict = {"states": [], "hands": []}


def turn() -> None:
    for state in session.poll_events():
        report["states"].append(state)
        if state == "ready" and wanted != "ready":
            session.begin()
        elif state == "stopping" and wanted != "stopping":
            session.end()
    frame = session.wait_frame()
    if frame is not None:
        report["hands"].append(sorted(frame.hands))
        session.vibrate("right", 0.01, 0.5)
        base.graphicsEngine.renderFrame()
        session.end_frame(eyes)


for _ in range(80):
    if session.state == wanted:
        break
    turn()
report["reached"] = session.state
if session.state == LOST:
    turn()
    session.begin()
    session.end_frame(eyes)
    session.request_exit()
    session.end()
session.close()
session.close()  # twice, as the window's close and the program's end both do
report["closed"], report["lost"] = session.state, session.lost
print(json.dumps(report), flush=True)
