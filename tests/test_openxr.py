"""``metaseoul play --vr`` in a headset through the real OpenXR loader (pyopenxr's), with the test
runtime (tests/openxr_runtime) standing in for SteamVR or Monado: the session lifecycle, Panda3D's
GLX context handed over, both eyes copied into the swapchain images (checked on their pixels), the
controllers read through the suggested bindings, and a clean exit when the citizen quits from the
runtime's menu; and the desktop, with the reason, when no runtime answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from panda3d.core import PNMImage


def play(x_display, runtime, out, *args, frames=12):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(runtime),
               METASEOUL_TEST_XR_OUT=str(out), METASEOUL_TEST_XR_FRAMES=str(frames))
    return subprocess.Popen([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low", "--vr-runtime", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_a_visit_in_an_openxr_headset(x_display, openxr_runtime, tmp_path):
    client = play(x_display, openxr_runtime, tmp_path, "openxr")
    out, err = client.communicate(timeout=180)
    assert client.returncode == 0, err[-3000:]
    assert "metaseoul-status: ready city-hall" in out
    log = (tmp_path / "events.log").read_text().splitlines()
    assert not [line for line in log if "refused" in line], log  # Panda3D's GLX context was the current one
    steps = ["session created", "swapchain 320x288", "begin session", "frame 1 ", "frame 12 ",
             "the citizen quits", "end session after 12 frames", "destroy session", "destroy instance"]
    found = [next(i for i, line in enumerate(log) if line.startswith(step)) for step in steps]
    assert found == sorted(found), log  # in the lifecycle's order
    frames = [line for line in log if line.startswith("frame ")]
    assert frames[0].startswith("frame 1 state=2 layers=0"), frames  # the loop runs from begin, drawing once shown
    shown = [line for line in frames if " state=4 " in line or " state=5 " in line]  # visible, focused
    assert len(shown) >= 10 and all("layers=1 views=2" in line for line in shown), frames  # both eyes each frame
    for profile in ("khr/simple_controller", "oculus/touch_controller", "valve/index_controller",
                    "htc/vive_controller", "microsoft/motion_controller"):
        assert any(line.startswith(f"bindings {profile} ") for line in log), profile

    left, right = PNMImage(str(tmp_path / "left.ppm")), PNMImage(str(tmp_path / "right.ppm"))
    assert (left.getXSize(), left.getYSize()) == (320, 288)
    top = [left.getXel(x, 10) for x in range(0, 320, 8)]
    bottom = [left.getXel(x, 270) for x in range(0, 320, 8)]
    assert sum(p[2] for p in top) > sum(p[2] for p in bottom), "sky above, ground below: the image is upright"
    differing = sum(1 for y in range(0, 288, 4) for x in range(0, 320, 4)
                    if abs(left.getBright(x, y) - right.getBright(x, y)) > 0.05)
    assert 0 < differing < 0.5 * (288 // 4) * (320 // 4), "the eyes differ by parallax, not in content"


def test_without_a_runtime_the_visit_opens_on_the_desktop_and_says_why(x_display, tmp_path):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(tmp_path / "none.json"),
               HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low", "--vr",
                             "--idle-exit", "2"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "metaseoul: No VR headset runtime was found" in result.stderr
    assert "SteamVR" in result.stderr and "Monado" in result.stderr
    assert "Traceback" not in result.stderr
    assert "OpenXR-Loader" not in result.stderr and "VR Path Registry" not in result.stderr  # only our sentence
    assert "metaseoul-status: notice No VR headset runtime" in result.stdout
    assert "metaseoul-status: ready city-hall" in result.stdout


@pytest.mark.parametrize("state", ["ready", "focused"])
def test_closing_the_window_ends_the_session_cleanly_in_any_state(state, x_display, openxr_runtime, tmp_path):
    env = dict(os.environ, DISPLAY=x_display, XR_RUNTIME_JSON=str(openxr_runtime), METASEOUL_TEST_XR_OUT=str(tmp_path))
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("openxr_drive.py")), state],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["reached"] == state and report["closed"] == "exiting" and report["lost"] is None, report
    log = (tmp_path / "events.log").read_text().splitlines()
    assert log[-2:] == ["destroy session", "destroy instance"], log
    if state == "focused":  # a running session is asked to exit and ended before it is destroyed
        ends = [line for line in log if line.startswith(("exit requested", "end session"))]
        assert [line.split(" after")[0] for line in ends] == ["exit requested", "end session"], log
    else:
        assert not any(line.startswith("end session") for line in log), log
