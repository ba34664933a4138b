"""OpenVR (SteamVR) behind the same session interface: its pose matrices and raw projections in
Panda3D's terms, what a citizen without SteamVR is told, and a visit through the real OpenVR loader
with the test runtime (tests/openvr_runtime) standing in for SteamVR."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from panda3d.core import PNMImage, Vec3

from metaseoul.xr.openvr_session import OpenVRSession, fov_from_tangents, pose_from_matrix
from metaseoul.xr.runtime import NoRuntime


def yaw_matrix(degrees: float, position=(0.0, 0.0, 0.0)):
    """OpenVR's 3x4 row-major pose: a turn about +y (up) and a translation, in OpenXR's axes."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [[c, 0, s, position[0]], [0, 1, 0, position[1]], [-s, 0, c, position[2]]]


def test_a_pose_matrix_in_panda3d_axes():
    pose = pose_from_matrix(yaw_matrix(0, (0.1, 1.6, -0.5)))
    assert tuple(pose.position) == pytest.approx((0.1, 0.5, 1.6))  # x right, y forward (-z), z up (+y)
    turned = pose_from_matrix(yaw_matrix(90))
    # a quarter turn to the left about OpenVR's up: the device's forward now points to -x
    assert tuple(turned.rotation.xform(Vec3(0, 1, 0))) == pytest.approx((-1, 0, 0), abs=1e-6)
    assert turned.rotation.getHpr()[0] == pytest.approx(90, abs=1e-4)


def test_raw_projection_tangents_as_field_of_view_angles():
    fov = fov_from_tangents(-1.39, 1.24, -1.47, 1.46)  # a Vive's left eye: y points down in OpenVR
    assert fov.angle_left == pytest.approx(math.atan(-1.39))
    assert fov.angle_right == pytest.approx(math.atan(1.24))
    assert fov.angle_up == pytest.approx(math.atan(1.47)) and fov.angle_up > 0
    assert fov.angle_down == pytest.approx(math.atan(-1.46)) and fov.angle_down < 0


def test_without_steamvr_the_citizen_is_told_what_to_install(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("HOME", str(tmp_path))  # no SteamVR path registry here
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(NoRuntime) as raised:
        OpenVRSession(base=None)
    assert "SteamVR is not installed" in str(raised.value)
    captured = capfd.readouterr()
    assert "VR Path Registry" not in captured.out + captured.err  # OpenVR's own complaint stays quiet


def test_a_visit_through_openvr_when_no_openxr_runtime_answers(x_display, openvr_runtime, tmp_path):
    """``--vr`` (auto) with no OpenXR runtime falls back to OpenVR: SteamVR's stand-in (the test runtime
    behind the openvr package's loader) gets both eyes each frame, as Panda3D's own textures, and the
    visit ends cleanly when SteamVR asks it to quit."""
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(tmp_path / "none.json"),
               VR_PATHREG_OVERRIDE=str(openvr_runtime), METASEOUL_TEST_VR_OUT=str(tmp_path),
               METASEOUL_TEST_VR_FRAMES="10")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low", "--vr"],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "No VR headset runtime" not in result.stderr  # OpenXR's absence is not news when OpenVR works
    log = (tmp_path / "events.log").read_text().splitlines()
    steps = ["init application type 1", "tracking space 1", "frame 1 submit left", "frame 10 submit right",
             "SteamVR asks the application to quit", "quit acknowledged", "cleanup after 10 frames"]
    found = [log.index(step) for step in steps]
    assert found == sorted(found), log
    assert sum(line.startswith("frame ") for line in log) == 20, "both eyes in every frame"

    left, right = PNMImage(str(tmp_path / "left.ppm")), PNMImage(str(tmp_path / "right.ppm"))
    assert (left.getXSize(), left.getYSize()) == (256, 240)
    assert sum(left.getBlue(x, 8) for x in range(0, 256, 8)) > sum(left.getBlue(x, 230) for x in range(0, 256, 8))
    differing = sum(1 for y in range(0, 240, 4) for x in range(0, 256, 4)
                    if abs(left.getBright(x, y) - right.getBright(x, y)) > 0.05)
    assert 0 < differing < 0.5 * 60 * 64, "the eyes differ by parallax, not in content"


def test_steamvr_going_away_mid_visit_hands_the_visit_to_the_desktop(x_display, openvr_runtime, tmp_path):
    """SteamVR's server gone (it crashed): the compositor's requests fail, the session is lost and the
    visit goes on on the desktop, with one sentence and no traceback."""
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", VR_PATHREG_OVERRIDE=str(openvr_runtime),
               METASEOUL_TEST_VR_OUT=str(tmp_path), METASEOUL_TEST_VR_LOSE_AFTER="5", HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low", "--vr=openvr",
                             "--idle-exit", "3"], capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    sentence = "The headset's VR runtime stopped (VRCompositorError_RequestFailed); the visit goes on on the desktop."
    assert f"metaseoul: {sentence}" in result.stderr and f"metaseoul-status: notice {sentence}" in result.stdout
    log = (tmp_path / "events.log").read_text().splitlines()
    gone = log.index("SteamVR is gone after 5 frames")
    assert log[gone + 1:] == ["cleanup after 5 frames"], log
