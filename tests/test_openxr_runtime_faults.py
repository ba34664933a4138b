"""What real OpenXR runtimes and machines do that a visit must survive, through the real loader
(pyopenxr's) with the test runtime (tests/openxr_runtime) asked to do it: an xrWaitFrame that blocks
and stretches its period when frames come late, the instance or session lost in any call, a headset
with no controllers until they connect, synchronized only after the first xrEndFrame, GL_RGBA16
offered first, an xrCreateInstance that fails, a driver without GL_EXT_memory_object; and the
program ended by SIGTERM in the middle of a focused session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRIVE = Path(__file__).with_name("openxr_drive.py")
NO_MEMORY_OBJECT = "-GL_EXT_memory_object -GL_EXT_memory_object_fd"  # Mesa's switch: a driver without them


def environment(x_display, runtime, out, **test_runtime) -> dict:
    """The client's environment, with the test runtime's settings (METASEOUL_TEST_XR_<NAME>)."""
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(runtime),
               METASEOUL_TEST_XR_OUT=str(out), HOME=str(out), VR_PATHREG_OVERRIDE=str(out / "none.vrpath"))
    env.update({f"METASEOUL_TEST_XR_{name.upper()}": str(value) for name, value in test_runtime.items()})
    return env


def drive(x_display, runtime, out, state: str, **test_runtime) -> tuple[dict, list[str]]:
    """tests/openxr_drive.py until ``state``: its report and the runtime's log."""
    result = subprocess.run([sys.executable, str(DRIVE), state], capture_output=True, text=True, timeout=120,
                            env=environment(x_display, runtime, out, **test_runtime))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1]), (out / "events.log").read_text().splitlines()


def play(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def first(log: list[str], start: str) -> int:
    return next(i for i, line in enumerate(log) if line.startswith(start))


def wait_for(log_file: Path, start: str, client: subprocess.Popen) -> None:
    deadline = time.monotonic() + 150
    while not (log_file.exists() and any(line.startswith(start) for line in log_file.read_text().splitlines())):
        assert client.poll() is None, client.communicate()[1][-3000:]
        assert time.monotonic() < deadline, f"the runtime never logged {start!r}"
        time.sleep(0.1)


def test_the_frame_loop_keeps_pace_with_a_runtime_that_blocks_and_stretches(x_display, openxr_runtime, tmp_path):
    """At 500 Hz every rendered frame comes late: the runtime stretches its period and the loop goes on
    at the runtime's pace, ending each frame at the display time xrWaitFrame predicted for it."""
    client = play(environment(x_display, openxr_runtime, tmp_path, hz=500, frames=40), "--vr=openxr")
    out, err = client.communicate(timeout=180)
    assert client.returncode == 0 and "Traceback" not in err, err[-3000:]
    log = (tmp_path / "events.log").read_text().splitlines()
    assert "end session after 40 frames" in log, log
    assert any(line.startswith("late by ") for line in log), "the runtime saw late frames and stretched its period"
    frames = [dict(field.split("=") for field in line.split()[2:] if "=" in field)
              for line in log if line.startswith("frame ")]
    assert len(frames) == 40 and not [line for line in log if "(not the frame's)" in line], log
    displays = [int(frame["display"]) for frame in frames]
    assert displays == sorted(set(displays)), "display times only move on"
    refresh = 2_000_000
    assert all((d - displays[0]) % refresh == 0 for d in displays), "every frame lands on a refresh of the display"
    periods = {int(frame["period"]) for frame in frames}
    assert max(periods) > refresh and all(p % refresh == 0 and p <= 8 * refresh for p in periods), periods
    assert all(frame["layers"] == "1" for frame in frames if frame["state"] in ("4", "5")), "both eyes while shown"


@pytest.mark.parametrize("call", [
    "xrPollEvent", "xrWaitFrame", "xrBeginFrame", "xrLocateViews", "xrLocateSpace", "xrSyncActions",
    "xrGetActionStateVector2f", "xrApplyHapticFeedback", "xrAcquireSwapchainImage", "xrWaitSwapchainImage",
    "xrReleaseSwapchainImage", "xrEndFrame"])
def test_the_instance_lost_in_any_call_ends_the_session_not_the_visit(call, x_display, openxr_runtime, tmp_path):
    report, log = drive(x_display, openxr_runtime, tmp_path, "lost", lose="instance", lose_in=call)
    assert report["states"][-1] == "lost" and report["states"].count("lost") == 1, report
    assert report["closed"] == "lost", "a lost session stays lost, closed or not"
    assert report["lost"] == ("The headset's VR runtime stopped (XR_ERROR_INSTANCE_LOST); "
                                 "the visit goes on on the desktop."), report
    lost = log.index(f"instance lost in {call}")
    assert log[lost + 1:] == ["destroy session", "destroy instance"], "let go at once, and nothing called after"


@pytest.mark.parametrize("call, reason", [
    (None, "XR_SESSION_STATE_LOSS_PENDING"),  # told by its state
    ("xrWaitFrame", "XR_SESSION_LOSS_PENDING"),  # told by xrWaitFrame's success code
    ("xrWaitSwapchainImage", "XR_ERROR_SESSION_LOST")])  # found lost in the middle of a frame
def test_a_session_lost_ends_the_same_way(call, reason, x_display, openxr_runtime, tmp_path):
    settings = {"lose": "session"} | ({"lose_in": call} if call else {})
    report, log = drive(x_display, openxr_runtime, tmp_path, "lost", **settings)
    assert report["states"][-1] == "lost" and report["closed"] == "lost", report
    assert f"({reason})" in report["lost"], report
    assert log[-2:] == ["destroy session", "destroy instance"], log
    assert not [line for line in log[first(log, "session lost in "):] if line.startswith("frame ")], log


def test_losing_the_instance_mid_visit_hands_the_visit_to_the_desktop_with_one_sentence(x_display, openxr_runtime,
                                                                                        tmp_path):
    env = environment(x_display, openxr_runtime, tmp_path, lose="instance", lose_after=8, lose_in="xrEndFrame")
    client = play(env, "--vr=openxr", "--idle-exit", "3")
    try:
        out, err = client.communicate(timeout=180)  # the desktop's idle exit ends it
    finally:
        if client.poll() is None:
            client.kill()
    assert client.returncode == 0 and "Traceback" not in err, err[-3000:]
    sentence = "The headset's VR runtime stopped (XR_ERROR_INSTANCE_LOST); the visit goes on on the desktop."
    assert f"metaseoul: {sentence}" in err and f"metaseoul-status: notice {sentence}" in out, (out, err[-3000:])
    log = (tmp_path / "events.log").read_text().splitlines()
    lost = log.index("instance lost in xrEndFrame")
    assert log[lost + 1:] == ["destroy session", "destroy instance"], log


def test_a_headset_without_controllers_runs_head_only_until_they_connect(x_display, openxr_runtime, tmp_path):
    report, log = drive(x_display, openxr_runtime, tmp_path, "exiting", controllers=10, frames=30)
    assert report["closed"] == "exiting", report
    hands = report["hands"]
    assert len(hands) >= 25 and hands[0] == [] and hands[-1] == ["left", "right"], hands
    assert hands.count([]) >= 8, "the head alone, frame after frame, before the controllers connect"
    assert hands[hands.index(["left", "right"]):] == [["left", "right"]] * (len(hands) - hands.index(["left", "right"]))
    connected = log.index("controllers connected")
    assert first(log, "frame 10 ") < connected < log.index("event interaction profile changed"), log


def test_the_session_is_synchronized_only_after_its_first_frame(x_display, openxr_runtime, tmp_path):
    report, log = drive(x_display, openxr_runtime, tmp_path, "focused")
    assert report["states"] == ["idle", "ready", "synchronized", "visible", "focused"], report
    assert first(log, "frame 1 state=2 layers=0") < log.index("state SYNCHRONIZED"), \
        "the loop ran from xrBeginSession, ending a first frame while only ready"


@pytest.mark.parametrize("offered, chosen", [("0x805B,0x8C43,0x8058", "0x8c43"), ("0x805B,0x8058", "0x8058")])
def test_the_swapchains_are_8_bit_whatever_the_runtime_offers_first(offered, chosen, x_display, openxr_runtime,
                                                                    tmp_path):
    """GL_RGBA16 (0x805B) first: sRGB 8-bit is chosen, else RGBA8; Panda3D's images copy into neither else."""
    report, log = drive(x_display, openxr_runtime, tmp_path, "focused", formats=offered)
    swapchains = [line for line in log if line.startswith("swapchain ")]
    assert swapchains == [f"swapchain 320x288 format {chosen}"] * 2, log
    assert any(line.startswith("frame ") and "layers=1" in line for line in log), "and the eyes reach the runtime"


@pytest.mark.parametrize("result", ["XR_ERROR_RUNTIME_FAILURE", "XR_ERROR_INITIALIZATION_FAILED"])
def test_a_runtime_that_fails_to_start_is_named_with_what_it_answered(result, x_display, openxr_runtime, tmp_path):
    env = environment(x_display, openxr_runtime, tmp_path, fail_instance=result)
    info = subprocess.run([sys.executable, "-m", "metaseoul", "xr-info"], capture_output=True, text=True,
                          timeout=120, env=env)
    sentence = f"The VR runtime metaseoul test runtime is installed but failed to start ({result})."
    assert info.returncode == 3 and info.stderr.startswith(f"metaseoul: {sentence}"), info.stderr
    assert "\n" not in info.stderr.strip() and "No VR headset runtime was found" not in info.stderr
    client = play(env, "--vr=openxr", "--idle-exit", "2")
    out, err = client.communicate(timeout=180)
    assert client.returncode == 0 and "Traceback" not in err, err[-3000:]
    assert f"metaseoul: {sentence}" in err and f"metaseoul-status: notice {sentence}" in out
    assert "metaseoul-status: ready city-hall" in out, "the visit opens on the desktop instead"
    assert (tmp_path / "events.log").read_text().splitlines() == [f"instance refused: {result}"] * 2  # xr-info, play


def test_a_driver_that_cannot_share_images_with_the_runtime_is_named(x_display, openxr_runtime, tmp_path):
    env = environment(x_display, openxr_runtime, tmp_path, needs_gl="GL_EXT_memory_object GL_EXT_memory_object_fd")
    env["MESA_EXTENSION_OVERRIDE"] = NO_MEMORY_OBJECT
    client = play(env, "--vr=openxr", "--idle-exit", "2")
    out, err = client.communicate(timeout=180)
    assert client.returncode == 0 and "Traceback" not in err, err[-3000:]
    sentence = ("The graphics driver cannot share images with the VR runtime metaseoul test runtime: it lacks the "
                "OpenGL extension GL_EXT_memory_object, GL_EXT_memory_object_fd. Update the graphics driver")
    assert f"metaseoul: {sentence}" in err and f"metaseoul-status: notice {sentence}" in out
    assert "metaseoul-status: ready city-hall" in out
    log = (tmp_path / "events.log").read_text().splitlines()
    assert "session refused: the driver lacks GL_EXT_memory_object" in log
    assert log[-1] == "destroy instance", log


def test_a_driver_with_the_sharing_extensions_gets_its_session(x_display, openxr_runtime, tmp_path):
    """The runtime's check is real: the same requirement, on a driver that has them (Mesa's llvmpipe)."""
    report, log = drive(x_display, openxr_runtime, tmp_path, "focused",
                        needs_gl="GL_EXT_memory_object GL_EXT_memory_object_fd")
    assert report["reached"] == "focused" and not [line for line in log if "refused" in line], log


def test_sigterm_during_a_focused_session_ends_it_the_runtimes_way(x_display, openxr_runtime, tmp_path):
    client = play(environment(x_display, openxr_runtime, tmp_path), "--vr=openxr")
    try:
        wait_for(tmp_path / "events.log", "state FOCUSED", client)
        client.send_signal(signal.SIGTERM)
        out, err = client.communicate(timeout=20)
    finally:
        if client.poll() is None:
            client.kill()
    assert "Traceback" not in err, err[-3000:]
    log = (tmp_path / "events.log").read_text().splitlines()
    steps = ["exit requested", "end session", "destroy session", "destroy instance"]
    found = [first(log, step) for step in steps]
    assert found == sorted(found) and log[-1] == "destroy instance", log
