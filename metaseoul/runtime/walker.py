"""Walking in the world: a citizen's body that collides with buildings and stands on the ground.

Kinematic, in fixed steps: two body spheres are shoved sideways out of walls, short downward segments
("floor rays") find the floor (steps up to knee height are climbed), gravity and jumps move it vertically, and the scene's
bounds and a safety floor keep it in the world. The desktop client and the tests drive it alike.

Only walls shove. A walkable top the spheres meet (a counter, a railing) is the floor rays' business: with
Panda's CollisionHandlerPusher such a top and the box's side made a "convex corner", the pusher dropped the
side's (larger) shove, and flattening the top's vertical shove left nothing: the body walked through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panda3d.core import (
    BitMask32,
    CollisionEntry,
    CollisionHandlerQueue,
    CollisionNode,
    CollisionSegment,
    CollisionSphere,
    CollisionTraverser,
    NodePath,
    Point3,
    Vec3,
)

from metaseoul.scenes.builders.mesh import WALKABLE_MASK

STEP = 1 / 60  # seconds of simulation per physics step
WALL = 0.7  # faces whose normal is less upright than this shove the body; flatter ones are floors and tops
# the floor rays end this far below the feet: a floor lower still is fallen towards, not stood on, and a short
# segment is cheaper to test than an endless ray
FLOOR_BELOW = 0.05
SAME_WAY = 0.9  # two shoves whose directions agree this well are one wall met twice: the deeper counts


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
        self.body_hits = CollisionHandlerQueue()
        solid = CollisionNode("walker-body")
        # the lower sphere starts just above a climbable step, so anything taller stops the body
        for z in (self.STEP_UP + self.RADIUS + 0.01, 1.3):
            solid.addSolid(CollisionSphere(0, 0, z, self.RADIUS))
        solid.setFromCollideMask(BitMask32(WALKABLE_MASK))
        solid.setIntoCollideMask(BitMask32.allOff())
        self._solid = self.body.attachNewNode(solid)
        self.traverser.addCollider(self._solid, self.body_hits)
        # a ray down the middle finds the floor; four at the body's edge find knee-high tops
        # (benches, planters) that are too tall to step on yet below the body spheres
        self.floor_hits = CollisionHandlerQueue()
        self._floor_traverser = CollisionTraverser("walker-floor")
        self._ray = self._rays("walker-floor", [(0, 0)])
        self._edge = self._rays("walker-edge", [(self.RADIUS, 0), (-self.RADIUS, 0), (0, self.RADIUS), (0, -self.RADIUS)])

    def _rays(self, name: str, offsets: list[tuple[float, float]]) -> NodePath:
        node = CollisionNode(name)
        for x, y in offsets:
            node.addSolid(CollisionSegment(x, y, self.STEP_UP + 0.5, x, y, -FLOOR_BELOW))
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
        self._shove()
        self._floor_traverser.traverse(world)
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
        feet = self.body.getZ()
        floor = None
        blocked = False
        for i in range(self.floor_hits.getNumEntries()):
            entry = self.floor_hits.getEntry(i)
            if not entry.hasSurfacePoint():  # the whole segment is under a ground plane: no floor in reach
                continue
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

    def _shove(self) -> None:
        """Move the body sideways out of the walls its spheres went into.
        Like Panda's pusher: a wall met by both spheres (or two parallel walls) shoves once, by the deeper
        amount; at a convex corner of one object the deeper shove is dropped, so the body slides round it."""
        shoves: list[tuple[Vec3, float, CollisionEntry]] = []
        for i in range(self.body_hits.getNumEntries()):
            entry = self.body_hits.getEntry(i)
            normal = entry.getSurfaceNormal(self.body)  # in the body's frame, as Panda's pusher works
            depth = (entry.getSurfacePoint(self.body) - entry.getInteriorPoint(self.body)).length()
            if abs(normal.z) < WALL and depth > 1e-6:
                normal.z = 0
                normal.normalize()
                shoves.append((normal, depth, entry))
        if shoves:
            self.body.setPos(self.body, sum((normal * depth for normal, depth, _ in self._merge(shoves)), Vec3()))

    @staticmethod
    def _merge(shoves: list[tuple[Vec3, float, CollisionEntry]]) -> list[tuple[Vec3, float, CollisionEntry]]:
        deepest: list[tuple[Vec3, float, CollisionEntry]] = []  # one per direction: each wall once
        for shove in sorted(shoves, key=lambda shove: -shove[1]):
            if all(shove[0].dot(other[0]) <= SAME_WAY for other in deepest):
                deepest.append(shove)
        return [shove for shove in deepest  # at an outside corner only the shallower wall holds the body
                if not any(other[1] < shove[1] and _convex(shove[2], other[2]) for other in deepest)]

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


def _convex(a: CollisionEntry, b: CollisionEntry) -> bool:
    """Whether two faces of one collision node each lie behind the other: an outside corner."""
    if a.getIntoNodePath() != b.getIntoNodePath():
        return False
    pa, pb = a.getInto(), b.getInto()
    if not (hasattr(pa, "distToPlane") and hasattr(pb, "distToPlane")):
        return False
    return pa.distToPlane(pb.getCollisionOrigin()) < 0 and pb.distToPlane(pa.getCollisionOrigin()) < 0
