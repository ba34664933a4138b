"""OpenXR's conventions in Panda3D's: positions and rotations.

OpenXR spaces are right-handed with +Y up and -Z forward; Panda3D's are right-handed with +Z up and
+Y forward. A vector (x, y, z) in OpenXR is (x, -z, y) here; rotations carry over the same way. An
eye's field of view and its lens are the runtime layer's (``runtime/eyes.py``).
"""

from __future__ import annotations

from panda3d.core import LQuaternionf, Point3


def position_from_xr(x: float, y: float, z: float) -> Point3:
    return Point3(x, -z, y)


def quaternion_from_xr(x: float, y: float, z: float, w: float) -> LQuaternionf:
    """The same rotation, expressed in Panda3D's axes (Panda3D stores w first)."""
    return LQuaternionf(w, x, -z, y)
