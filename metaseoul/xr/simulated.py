"""A simulated headset: the same per-eye views an OpenXR runtime hands out, with no runtime.

Tests and ``metaseoul render --stereo`` use it: a head pose (scripted or aimed at a view), two eyes an
interpupillary distance apart, each with an asymmetric field of view like a real headset's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from panda3d.core import NodePath, Point3

from metaseoul.xr.spaces import Fov, eye_offset, lens_for

EYES = ("left", "right")


def _fov(left: float, right: float, up: float, down: float) -> Fov:
    return Fov(math.radians(left), math.radians(right), math.radians(up), math.radians(down))


@dataclass
class SimulatedHeadset:
    """Eye geometry of a typical PC headset (each eye sees further outward than inward)."""

    ipd: float = 0.063
    fovs: dict[str, Fov] = field(default_factory=lambda: {
        "left": _fov(-50, 43, 42, -50),
        "right": _fov(-43, 50, 42, -50),
    })


class StereoRig:
    """A head node carrying one camera per eye; each camera gets its eye's offset and lens."""

    def __init__(self, render: NodePath, headset: SimulatedHeadset, make_camera):
        self.head = render.attachNewNode("head")
        self.cameras: dict[str, NodePath] = {}
        for eye in EYES:
            camera = make_camera(eye, lens_for(headset.fovs[eye]))
            camera.reparentTo(self.head)
            camera.setPos(eye_offset(headset.ipd, eye))
            self.cameras[eye] = camera

    def aim(self, position, look_at) -> None:
        """Put the head at ``position`` looking at ``look_at``, level like a standing person's."""
        self.head.setPos(Point3(*position))
        self.head.lookAt(Point3(*look_at))
        self.head.setR(0)

    def remove(self) -> None:
        self.head.removeNode()
