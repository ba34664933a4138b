"""OpenXR's conventions in Panda3D's: poses and per-eye projections.

OpenXR spaces are right-handed with +Y up and -Z forward; Panda3D's are right-handed with +Z up and
+Y forward. A vector (x, y, z) in OpenXR is (x, -z, y) here; rotations carry over the same way, and a
runtime's per-eye field of view (four angles, often asymmetric) becomes a lens with an offset film.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import LQuaternionf, PerspectiveLens, Point3, Vec3


@dataclass(frozen=True)
class Fov:
    """An eye's field of view in radians, as OpenXR gives it (left and down are negative)."""

    angle_left: float
    angle_right: float
    angle_up: float
    angle_down: float


def position_from_xr(x: float, y: float, z: float) -> Point3:
    return Point3(x, -z, y)


def quaternion_from_xr(x: float, y: float, z: float, w: float) -> LQuaternionf:
    """The same rotation, expressed in Panda3D's axes (Panda3D stores w first)."""
    return LQuaternionf(w, x, -z, y)


def lens_for(fov: Fov, near: float = 0.05, far: float = 3000.0) -> PerspectiveLens:
    """A lens whose frustum is exactly the runtime's, asymmetric angles included."""
    left, right = math.tan(fov.angle_left), math.tan(fov.angle_right)
    down, up = math.tan(fov.angle_down), math.tan(fov.angle_up)
    lens = PerspectiveLens()
    lens.setFocalLength(1.0)
    lens.setFilmSize(right - left, up - down)
    lens.setFilmOffset((right + left) / 2, (up + down) / 2)
    lens.setNearFar(near, far)
    return lens


def eye_offset(ipd: float, eye: str) -> Vec3:
    """Where an eye sits relative to the head centre, in the head's frame."""
    return Vec3(-ipd / 2 if eye == "left" else ipd / 2, 0, 0)
