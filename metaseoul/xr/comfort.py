"""Comfort in VR: teleporting along a parabolic arc to a checked target, snap or smooth turning,
a tunnelling vignette while moving smoothly, seated mode and height calibration, and resetting
where "forward" is. The defaults are the comfortable ones: teleport, 30° snap turns, vignette on.

Everything here works in the scene's frame (metres, z up) and on Panda3D collision solids, so the
same rules hold for an OpenXR headset, an OpenVR one and the simulated headset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import (
    BitMask32,
    CollisionHandlerQueue,
    CollisionNode,
    CollisionSegment,
    CollisionTraverser,
    NodePath,
    Point3,
    Vec3,
)

from metaseoul.scenes.builders.mesh import WALKABLE_MASK

GRAVITY = 9.81
ARC_SPEED = 8.0  # m/s at which the teleport arc leaves the hand: about 6.5 m on flat ground at 45°
ARC_STEP = 0.04  # seconds per arc segment
ARC_SEGMENTS = 60
MAX_TELEPORT = 15.0  # metres
MAX_SLOPE_DEGREES = 35.0  # steeper ground is not a place to stand
HEADROOM = 1.9  # metres of free space a target needs above it
MAX_CLIMB = 3.0  # metres above one's feet: higher (a roof, the top of a wall) is refused


@dataclass(frozen=True)
class ComfortSettings:
    locomotion: str = "teleport"  # or "smooth"
    turning: str = "snap"  # or "smooth"
    snap_degrees: float = 30.0
    smooth_turn_speed: float = 90.0  # degrees a second
    vignette: bool = True
    seated: bool = False
    standing_eye_height: float = 1.6  # metres, the citizen's eye height when standing


@dataclass(frozen=True)
class Teleport:
    arc: tuple[Point3, ...]  # from the hand to where the arc ends
    target: Point3 | None  # where one would stand; None when the target is refused
    reason: str = ""  # why it is refused: "no ground", "too steep", "too far", "no headroom", "too high"


class TeleportArc:
    """Casts the arc through the scene's collision solids and judges where it lands."""

    def __init__(self, world: NodePath):
        self.world = world
        self.traverser = CollisionTraverser("teleport")
        self.hits = CollisionHandlerQueue()
        self.segment = CollisionSegment()
        node = CollisionNode("teleport-probe")
        node.addSolid(self.segment)
        node.setFromCollideMask(BitMask32(WALKABLE_MASK))
        node.setIntoCollideMask(BitMask32.allOff())
        self.probe = world.attachNewNode(node)  # a collider is only tested within the graph traversed
        self.traverser.addCollider(self.probe, self.hits)

    def _first_hit(self, a: Point3, b: Point3):
        self.segment.setPointA(a)
        self.segment.setPointB(b)
        self.hits.clearEntries()
        self.traverser.traverse(self.world)
        if self.hits.getNumEntries() == 0:
            return None
        self.hits.sortEntries()
        entry = self.hits.getEntry(0)
        return entry.getSurfacePoint(self.world), entry.getSurfaceNormal(self.world)

    def cast(self, hand: Point3, direction: Vec3, feet: Point3) -> Teleport:
        """The arc thrown from ``hand`` along ``direction``; ``feet`` is where the citizen stands now."""
        velocity = Vec3(direction).normalized() * ARC_SPEED
        points = [Point3(hand)]
        for i in range(1, ARC_SEGMENTS + 1):
            t = i * ARC_STEP
            point = hand + velocity * t + Vec3(0, 0, -0.5 * GRAVITY * t * t)
            hit = self._first_hit(points[-1], point)
            if hit is not None:
                where, normal = hit
                points.append(where)
                return Teleport(tuple(points), *self._judge(where, normal, feet))
            points.append(point)
        return Teleport(tuple(points), None, "no ground")

    def _judge(self, where: Point3, normal: Vec3, feet: Point3) -> tuple[Point3 | None, str]:
        if math.degrees(math.acos(max(-1.0, min(1.0, normal.normalized().z)))) > MAX_SLOPE_DEGREES:
            return None, "too steep"  # a wall, a roof's slope
        if (where - feet).getXy().length() > MAX_TELEPORT:
            return None, "too far"
        if where.z - feet.z > MAX_CLIMB:
            return None, "too high"
        above = self._first_hit(where + Vec3(0, 0, 0.05), where + Vec3(0, 0, HEADROOM))
        if above is not None:
            return None, "no headroom"
        return where, ""


class Turning:
    """Snap turns by a fixed angle once per push of the stick, or a smooth turn while it is held."""

    DEAD_ZONE, REARM = 0.7, 0.3  # a snap needs a firm push, and the stick back near centre before the next

    def __init__(self, settings: ComfortSettings):
        self.settings = settings
        self._armed = True

    def update(self, stick_x: float, dt: float) -> float:
        """Degrees to turn this frame (clockwise positive) for the stick's sideways position."""
        if self.settings.turning == "smooth":
            return stick_x * self.settings.smooth_turn_speed * dt if abs(stick_x) > 0.15 else 0.0
        if abs(stick_x) < self.REARM:
            self._armed = True
            return 0.0
        if self._armed and abs(stick_x) >= self.DEAD_ZONE:
            self._armed = False
            return math.copysign(self.settings.snap_degrees, stick_x)
        return 0.0


def vignette_strength(speed: float, turn_rate: float, settings: ComfortSettings) -> float:
    """How far the vignette closes in (0 open … 0.7 narrow) for smooth motion in m/s and degrees/s;
    teleports and snap turns are instant and need none."""
    if not settings.vignette:
        return 0.0
    return min(0.7, 0.12 * speed + 0.004 * abs(turn_rate))


@dataclass
class Calibration:
    """Where the tracked floor is, and where "forward" points, relative to the scene."""

    floor_offset: float = 0.0  # added to tracked heights
    yaw_offset: float = 0.0  # degrees added to tracked headings

    def calibrate_height(self, tracked_eye_height: float, settings: ComfortSettings) -> None:
        """Seated: lift the view to standing eye height; standing: trust the runtime's floor."""
        self.floor_offset = settings.standing_eye_height - tracked_eye_height if settings.seated else 0.0

    def reset_orientation(self, tracked_heading: float, wanted_heading: float) -> None:
        """Make the direction the citizen faces now count as ``wanted_heading``."""
        self.yaw_offset = (wanted_heading - tracked_heading) % 360
