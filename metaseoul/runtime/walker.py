"""Walking in the world: a citizen's body that collides with buildings and stands on the ground.

Kinematic, in fixed steps: a pusher keeps two body spheres out of walls, a downward ray finds the
floor (steps up to knee height are climbed), gravity and jumps move it vertically, and the scene's
bounds and a safety floor keep it in the world. The desktop client and the tests drive it alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import (
    BitMask32,
    CollisionHandlerPusher,
    CollisionHandlerQueue,
    CollisionNode,
    CollisionRay,
    CollisionSphere,
    CollisionTraverser,
    NodePath,
    Point3,
    Vec3,
)

from metaseoul.scenes.builders.mesh import WALKABLE_MASK

STEP = 1 / 60  # seconds of simulation per physics step


@dataclass
class Intent:
    """What the citizen wants this moment, from any input device (each axis -1..1)."""

    forward: float = 0.0
    strafe: float = 0.0
    turn: float = 0.0  # degrees to turn this frame (mouse, stick or keys)
    look: float = 0.0  # degrees to pitch the view this frame
    run: bool = False
    jump: bool = False

    @property
    def active(self) -> bool:
        """Whether the citizen did anything at all (kiosks reset after a while without)."""
        return bool(self.forward or self.strafe or self.turn or self.look or self.jump)


class Walker:
    RADIUS = 0.3
    EYE_HEIGHT = 1.6
    WALK_SPEED = 2.5  # m/s: a brisk walk; plazas here are 160 m across
    RUN_SPEED = 6.0
    JUMP_SPEED = 4.2
    GRAVITY = 9.81
    STEP_UP = 0.45  # the highest kerb or stair one can walk onto

    def __init__(self, parent: NodePath):
        self.body = parent.attachNewNode("walker")
        self.head = self.body.attachNewNode("head")
        self.head.setZ(self.EYE_HEIGHT)
        self.velocity_z = 0.0
        self.on_ground = True
        self.blocked = False  # the last step ran into a wall or an obstacle
        self.bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._spawn = Point3()
        self._carry = 0.0
        self.traverser = CollisionTraverser("walker")
        self.pusher = CollisionHandlerPusher()
        self.pusher.setHorizontal(True)
        solid = CollisionNode("walker-body")
        # the lower sphere starts just above a climbable step, so anything taller stops the body
        for z in (self.STEP_UP + self.RADIUS + 0.01, 1.3):
            solid.addSolid(CollisionSphere(0, 0, z, self.RADIUS))
        solid.setFromCollideMask(BitMask32(WALKABLE_MASK))
        solid.setIntoCollideMask(BitMask32.allOff())
        self._solid = self.body.attachNewNode(solid)
        self.pusher.addCollider(self._solid, self.body)
        self.traverser.addCollider(self._solid, self.pusher)
        # a ray down the middle finds the floor; four at the body's edge find knee-high tops
        # (benches, planters) that are too tall to step on yet below the body spheres
        self.floor_hits = CollisionHandlerQueue()
        self._floor_traverser = CollisionTraverser("walker-floor")
        self._ray = self._rays("walker-floor", [(0, 0)])
        self._edge = self._rays("walker-edge", [(self.RADIUS, 0), (-self.RADIUS, 0), (0, self.RADIUS), (0, -self.RADIUS)])

    def _rays(self, name: str, offsets: list[tuple[float, float]]) -> NodePath:
        node = CollisionNode(name)
        for x, y in offsets:
            node.addSolid(CollisionRay(x, y, self.STEP_UP + 0.5, 0, 0, -1))
        node.setFromCollideMask(BitMask32(WALKABLE_MASK))
        node.setIntoCollideMask(BitMask32.allOff())
        path = self.body.attachNewNode(node)
        self._floor_traverser.addCollider(path, self.floor_hits)
        return path

    @property
    def position(self) -> Point3:
        return self.body.getPos()

    def place(self, position, facing: float, bounds=None) -> None:
        """Stand at ``position`` looking along the compass bearing ``facing``."""
        self._spawn = Point3(*position)
        self.body.setPos(self._spawn)
        self.body.setH(-facing)
        self.head.setP(0)
        self.velocity_z = 0.0
        self.bounds = bounds

    def update(self, dt: float, intent: Intent, world: NodePath) -> None:
        """Advance by ``dt`` seconds in fixed physics steps against the collision solids in ``world``."""
        self.body.setH(self.body.getH() - intent.turn)
        self.head.setP(max(-80.0, min(80.0, self.head.getP() + intent.look)))
        self._carry += dt
        while self._carry >= STEP:
            self._carry -= STEP
            self._step(intent, world)
            intent.jump = False

    def _step(self, intent: Intent, world: NodePath) -> None:
        speed = self.RUN_SPEED if intent.run else self.WALK_SPEED
        move = Vec3(intent.strafe, intent.forward, 0)
        if move.length() > 1:
            move.normalize()
        step = self.body.getQuat().xform(move) * speed * STEP
        start = self.body.getPos()
        self.body.setPos(start + step)
        start_z = start.z
        if intent.jump and self.on_ground:
            self.velocity_z = self.JUMP_SPEED
            self.on_ground = False
        self.velocity_z -= self.GRAVITY * STEP
        self.body.setZ(self.body.getZ() + self.velocity_z * STEP)
        self.traverser.traverse(world)
        if self._land(world, start_z):
            self.body.setFluidPos(start.x, start.y, self.body.getZ())  # knee-high obstacle: stay put
        self._keep_inside()
        wanted = step.getXy().length()
        if wanted > 1e-6:  # walked into something: most of the step did not happen
            self.blocked = (self.body.getPos() - start).getXy().length() < 0.3 * wanted
        else:
            self.blocked = False

    def _land(self, world: NodePath, start_z: float) -> bool:
        """Stand on the highest floor under the body that is at most a step above where it was.
        Returns whether an edge ray met a top too high to step on: the move must be undone."""
        self._floor_traverser.traverse(world)
        feet = self.body.getZ()
        floor = None
        blocked = False
        for i in range(self.floor_hits.getNumEntries()):
            entry = self.floor_hits.getEntry(i)
            z = entry.getSurfacePoint(world).z
            climbable = z <= start_z + self.STEP_UP + 1e-3
            if entry.getFromNodePath() == self._edge:
                blocked = blocked or not climbable
            elif climbable and (floor is None or z > floor):
                floor = z
        if floor is not None and feet <= floor + 1e-3 and self.velocity_z <= 0:
            self.body.setZ(floor)
            self.velocity_z = 0.0
            self.on_ground = True
        else:
            self.on_ground = False
        return blocked

    def _keep_inside(self) -> None:
        pos = self.body.getPos()
        if pos.z < -50:  # fell out of the world somehow: back to where we came in
            self.body.setPos(self._spawn)
            self.velocity_z = 0.0
            return
        if self.bounds:
            (x0, y0), (x1, y1) = self.bounds
            self.body.setX(min(max(pos.x, x0), x1))
            self.body.setY(min(max(pos.y, y0), y1))

    @property
    def facing(self) -> float:
        return (-self.body.getH()) % 360

    def forward_point(self, distance: float) -> Point3:
        h = math.radians(self.facing)
        return self.position + Vec3(math.sin(h), math.cos(h), 0) * distance
