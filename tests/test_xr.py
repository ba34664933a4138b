"""VR without a headset: OpenXR-to-Panda3D conversions against the OpenXR SDK's own formulas, the
simulated headset's stereo images, and the clear message when no runtime is installed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from panda3d.core import LQuaternionf, PNMImage, Point3, Vec3

from metaseoul.client.headless import render_scene
from metaseoul.runtime.eyes import Fov, SimulatedHeadset, lens_for
from metaseoul.xr.spaces import position_from_xr, quaternion_from_xr


def sdk_projection(fov: Fov, near: float, far: float) -> np.ndarray:
    """XrMatrix4x4f_CreateProjectionFov from the OpenXR SDK (graphics API OpenGL), row-major here."""
    tl, tr = math.tan(fov.angle_left), math.tan(fov.angle_right)
    td, tu = math.tan(fov.angle_down), math.tan(fov.angle_up)
    w, h = tr - tl, tu - td
    return np.array([
        [2 / w, 0, (tr + tl) / w, 0],
        [0, 2 / h, (tu + td) / h, 0],
        [0, 0, -(far + near) / (far - near), -(far * (near + near)) / (far - near)],
        [0, 0, -1, 0],
    ])


@pytest.mark.parametrize("fov", [
    Fov(math.radians(-50), math.radians(43), math.radians(42), math.radians(-50)),
    Fov(math.radians(-45), math.radians(45), math.radians(45), math.radians(-45)),
    Fov(math.radians(-30), math.radians(55), math.radians(20), math.radians(-60)),
])
def test_projection_matches_the_openxr_sdk(fov):
    near, far = 0.05, 1000.0
    sdk = sdk_projection(fov, near, far)
    lens = lens_for(fov, near, far)
    panda = lens.getProjectionMat()
    for x, y, z in [(0, 0, -1), (0.5, 0.2, -2), (-1.5, 0.9, -3), (2.0, -1.0, -10)]:
        clip = sdk @ np.array([x, y, z, 1.0])
        expected = clip[:2] / clip[3]
        p = position_from_xr(x, y, z)
        projected = panda.xform((p.x, p.y, p.z, 1.0))
        got = np.array([projected[0], projected[1]]) / projected[3]
        assert got == pytest.approx(expected, abs=1e-5)


def test_positions_and_rotations_from_openxr():
    assert position_from_xr(0, 0, -1) == Point3(0, 1, 0), "OpenXR forward is Panda3D forward"
    assert position_from_xr(0, 1.6, 0) == Point3(0, 0, 1.6), "OpenXR up is Panda3D up"
    half = math.radians(90) / 2
    turn_left = quaternion_from_xr(0, math.sin(half), 0, math.cos(half))  # +90 degrees about OpenXR's up
    looking = turn_left.xform(Vec3(0, 1, 0))
    assert (looking.x, looking.y, looking.z) == pytest.approx((-1, 0, 0), abs=1e-6)
    pitch_up = quaternion_from_xr(math.sin(math.radians(30) / 2), 0, 0, math.cos(math.radians(30) / 2))
    assert pitch_up.xform(Vec3(0, 1, 0)).z == pytest.approx(math.sin(math.radians(30)))
    assert isinstance(turn_left, LQuaternionf)


def red_centroid(image: PNMImage) -> tuple[float, int]:
    xs = [x for y in range(image.getYSize()) for x in range(image.getXSize())
          if image.getRed(x, y) > 0.45 and image.getGreen(x, y) < 0.25 and image.getBlue(x, y) < 0.25]
    return (sum(xs) / len(xs) if xs else -1.0), len(xs)


def test_stereo_eyes_differ_by_parallax_and_agree_in_content(offscreen_base, fixtures, tmp_path):
    doc = json.loads((fixtures / "valid" / "fixture.json").read_text())
    doc["materials"] = {"red": {"color": "#E01010"}}
    doc["objects"].append({"id": "marker", "type": "box", "position": [0, -27, 1.4], "size": [0.3, 0.3, 0.3],
                           "material": "red", "solid": False})
    doc["views"] = [{"name": "near", "position": [0, -30, 1.5], "look_at": [0, 0, 1.5]}]
    (tmp_path / "scene.json").write_text(json.dumps(doc))
    (tmp_path / "models").symlink_to(fixtures.parents[1] / "assets" / "models")
    size = (320, 320)
    stats = render_scene(tmp_path / "scene.json", tmp_path / "out", size=size, frames=1, stereo=True)
    assert stats["stereo"] and stats["views"]["near"]["images"] == ["fixture-near-left.png", "fixture-near-right.png"]
    left = PNMImage(str(tmp_path / "out" / "fixture-near-left.png"))
    right = PNMImage(str(tmp_path / "out" / "fixture-near-right.png"))
    (lx, ln), (rx, rn) = red_centroid(left), red_centroid(right)
    assert ln > 50 and rn > 50, "the near marker is in both eyes"
    headset = SimulatedHeadset()

    def straight_ahead(eye: str) -> float:  # where a point at infinity straight ahead lands, in pixels
        fov = headset.fovs[eye]
        return -math.tan(fov.angle_left) / (math.tan(fov.angle_right) - math.tan(fov.angle_left)) * size[0]

    fov = headset.fovs["left"]
    pixels_per_tangent = size[0] / (math.tan(fov.angle_right) - math.tan(fov.angle_left))
    parallax = headset.ipd / 2.85 * pixels_per_tangent  # the marker's front face is 2.85 m away
    asymmetry = straight_ahead("left") - straight_ahead("right")
    assert lx - rx - asymmetry == pytest.approx(parallax, abs=1.5), "a near thing shifts between the eyes"
    assert parallax > 2
    far_rows = [abs(left.getBright(x, y) - right.getBright(x, y)) for x in range(0, size[0], 4) for y in range(0, 40, 4)]
    assert sum(far_rows) / len(far_rows) < 0.02, "the distant sky agrees between the eyes"


def test_xr_info_without_a_runtime_explains_in_one_paragraph(tmp_path):
    env = dict(os.environ, METASEOUL_LANG="en", VR_PATHREG_OVERRIDE=str(tmp_path / "none.vrpath"))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "xr-info"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 3
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    for words in ("No VR headset runtime was found", "unable to find or load a runtime", "SteamVR", "Monado"):
        assert words in message


def test_xr_info_names_the_runtime_the_headset_and_its_eyes(openxr_runtime, openvr_runtime, tmp_path):
    env = dict(os.environ, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(openxr_runtime))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "xr-info"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == ["runtime: metaseoul test runtime 1.0.0", "system: metaseoul test headset",
                         "left eye: 320x288 recommended", "right eye: 320x288 recommended"]
    assert lines[4].startswith("extensions: ") and "XR_KHR_opengl_enable" in lines[4]
    env = dict(os.environ, METASEOUL_LANG="en", XR_RUNTIME_JSON=str(tmp_path / "none.json"),
               VR_PATHREG_OVERRIDE=str(openvr_runtime))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "xr-info"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("runtime: SteamVR (OpenVR) (no OpenXR runtime answered")


def test_render_stereo_from_the_command_line(tmp_path):
    env = dict(os.environ, METASEOUL_LANG="en")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "render", "city-hall", "--stereo", "--out",
                             str(tmp_path), "--size", "160x160", "--views", "plaza", "--frames", "1"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == ["city-hall-plaza-left.png", "city-hall-plaza-right.png"]
