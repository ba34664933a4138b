"""OpenVR (SteamVR) behind the same session interface: its pose matrices and raw projections in
Panda3D's terms, and what a citizen without SteamVR is told."""

from __future__ import annotations

import math

import pytest
from panda3d.core import Vec3

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
