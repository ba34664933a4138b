"""Opens an OpenXR session on the test runtime (run under Xvfb by test_openxr.py), runs the frame loop
until the session reaches the state named on the command line, then closes it as the program would
when its window is closed there."""

from __future__ import annotations

import sys

from metaseoul.runtime import engine

base = engine.start(offscreen=False, size=(320, 180))
from metaseoul.runtime.offscreen import OffscreenView  # noqa: E402
from metaseoul.xr.openxr_session import OpenXRSession  # noqa: E402

wanted = sys.argv[1]
session = OpenXRSession(base)
eyes = {eye: OffscreenView(base, base.render, session.eye_size, name=eye, to_ram=False, host=base.win).texture
        for eye in ("left", "right")}
for _ in range(50):
    if session.state == wanted:
        break
    for state in session.poll_events():
        if state == "ready" and wanted != "ready":
            session.begin()
    if session.wait_frame() is not None:
        base.graphicsEngine.renderFrame()
        session.end_frame(eyes)
print("reached", session.state, flush=True)
session.close()
print("closed", session.state, flush=True)
