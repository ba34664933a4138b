"""Moving in VR: the controllers' intent applied to the citizen's body (the same Walker the desktop
uses, with its collisions), by the comfort rules: aim and release to teleport, snap or smooth
turns, smooth walking with the vignette closing in, seated height and reset orientation."""

from __future__ import annotations

from dataclasses import dataclass

from panda3d.core import NodePath, Point3, Vec3

from metaseoul.runtime.walker import Intent as WalkIntent
from metaseoul.runtime.walker import Walker
from metaseoul.xr.actions import Intent
from metaseoul.xr.comfort import Calibration, ComfortSettings, Teleport, TeleportArc, Turning, vignette_strength


@dataclass
class Hand:
    """A controller's aim pose in the scene: where it is and where it points."""
    position: Point3
    direction: Vec3


class Locomotion:
    def __init__(self, walker: Walker, world: NodePath, settings: ComfortSettings | None = None):
        self.walker = walker
        self.world = world
        self.settings = settings or ComfortSettings()
        self.arc = TeleportArc(world)
        self.turning = Turning(self.settings)
        self.calibration = Calibration()
        self.aiming: Teleport | None = None  # the arc shown while the teleport button is held
        self.vignette = 0.0
        self.last_refusal = ""

    def configure(self, settings: ComfortSettings) -> None:
        """Use other comfort choices from now on (the citizen changed them in the launcher)."""
        self.settings = settings
        self.turning = Turning(settings)

    def follow(self, world: NodePath) -> None:
        """Walk and teleport in another scene's collision solids (after a portal)."""
        self.world = world
        self.arc = TeleportArc(world)
        self.aiming = None

    def update(self, dt: float, intent: Intent, hand: Hand) -> None:
        turn = self.turning.update(intent.turn, dt)
        if turn:
            self.walker.body.setH(self.walker.body.getH() - turn)
        before = self.walker.position
        if self.settings.locomotion == "smooth" and (abs(intent.move[0]) > 0.15 or abs(intent.move[1]) > 0.15):
            self.walker.update(dt, WalkIntent(forward=intent.move[1], strafe=intent.move[0]), self.world)
        speed = (self.walker.position - before).getXy().length() / dt if dt > 0 else 0.0
        turn_rate = turn / dt if dt > 0 and self.settings.turning == "smooth" else 0.0
        self.vignette = vignette_strength(speed, turn_rate, self.settings)
        if intent.teleport:
            self.aiming = self.arc.cast(hand.position, hand.direction, self.walker.position)
        elif self.aiming is not None:  # released: go, if the target is good
            if self.aiming.target is not None:
                self.walker.body.setPos(self.aiming.target)
                self.walker.velocity_z = 0.0
                self.last_refusal = ""
            else:
                self.last_refusal = self.aiming.reason
            self.aiming = None

    def eye_height(self, tracked: float) -> float:
        """The eye height to draw from, for a tracked head height above the tracked floor."""
        return tracked + self.calibration.floor_offset

    def reset_orientation(self, tracked_heading: float) -> None:
        """Make where the citizen's head faces now the way their body faces in the scene."""
        self.calibration.reset_orientation(tracked_heading, self.walker.facing)
