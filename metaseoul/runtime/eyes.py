"""Eyes and hands: the geometry every headset shares, runtime or not. An eye's field of view as four
angles (often asymmetric) and the lens that draws exactly it, where each eye sits in the head, and a
simulated headset (a typical PC headset's eyes) with a head carrying one camera per eye, which tests
and ``metaseoul render --stereo`` use in place of a runtime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from panda3d.core import NodePath, PerspectiveLens, Point3, Vec3

HANDS = ("left", "right")  # the controllers a frame may carry poses for
EYES = ("left", "right")


@dataclass(frozen=True)
class Fov:
    """An eye's field of view in radians, as OpenXR gives it (left and down are negative)."""

    angle_left: float
    angle_right: float
    angle_up: float
    angle_down: float


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
