"""Turns a scene into Panda3D nodes: geometry, collision solids, portals and an object index.

The optimised build flattens all static geometry into a handful of draw calls; the naive build
keeps one node per shape and exists so the benchmark can show what flattening buys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import cos, radians, sin

from panda3d.core import CollisionNode, CollisionPlane, NodePath, Plane, Point3, Vec3

from metaseoul.scenes import shell
from metaseoul.scenes.builders import AFFORDANCES, BUILDERS, BuildContext, MeshBuilder
from metaseoul.scenes.builders.context import BuildError
from metaseoul.scenes.builders.mesh import WALKABLE_MASK
from metaseoul.scenes.builders.text import make_text
from metaseoul.scenes.catalog import Scene
from metaseoul.scenes.errors import SceneError, SceneInvalid
from metaseoul.scenes.safe_read import Unreadable

DEFAULT_FACING = 180.0  # objects and portals face south unless told
LOW_PORTAL = 3.5  # metres: a portal this low is a doorway, labelled inside its frame


def heading_for(facing: float) -> float:
    """Panda3D heading for a compass bearing: builders make their front face -y (south)."""
    return 180.0 - facing


@dataclass(frozen=True)
class PlacedObject:
    """What the client knows about one scene object: its metadata and where it ended up."""

    id: str
    type: str
    role: str | None
    name: dict[str, str] | None
    description: dict[str, str] | None
    interactive: bool
    position: Point3
    bounds: tuple[Point3, Point3]
    leads_to: str | None = None  # a door's portal id (a room opening's ``to``)
    affordance: str | None = None  # "sit" or "use": what a citizen can do with it


def _unturned(offset: Vec3, heading: float) -> tuple[float, float, float]:
    """An offset from a turned box's centre in the box's own axes."""
    h = radians(-heading)
    return offset.x * cos(h) - offset.y * sin(h), offset.x * sin(h) + offset.y * cos(h), offset.z


@dataclass(frozen=True)
class Portal:
    id: str
    to: str
    spawn: str | None
    center: Point3
    half_size: Vec3
    heading: float

    def contains(self, point: Point3) -> bool:
        x, y, z = _unturned(point - self.center, self.heading)
        return abs(x) <= self.half_size.x and abs(y) <= self.half_size.y and 0 <= z <= 2 * self.half_size.z


@dataclass(frozen=True)
class Room:
    """The inside of a room: where it is (``lo``/``hi``, its world bounding box; ``center``, ``half_size``
    and ``heading`` the box itself, turned with the room) and how much sky light reaches in."""

    id: str
    name: dict[str, str] | None
    description: dict[str, str] | None
    lo: Point3
    hi: Point3
    ambient: float
    center: Point3
    half_size: Vec3
    heading: float

    def contains(self, point: Point3) -> bool:
        x, y, z = _unturned(point - self.center, self.heading)
        return abs(x) <= self.half_size.x and abs(y) <= self.half_size.y and abs(z) <= self.half_size.z

    @property
    def floor_area(self) -> float:
        return 4 * self.half_size.x * self.half_size.y


@dataclass
class BuiltScene:
    scene: Scene
    root: NodePath
    collision: NodePath
    objects: dict[str, PlacedObject]
    portals: list[Portal]
    rooms: list[Room] = field(default_factory=list)
    screens: dict[str, NodePath] = field(default_factory=dict)  # by screen name: quads whose texture changes


def build(scene: Scene, naive: bool = False) -> BuiltScene:
    root = NodePath(f"scene:{scene.id}")
    collision = NodePath(f"collision:{scene.id}")
    floor = CollisionNode("floor")
    floor.addSolid(CollisionPlane(Plane(Vec3(0, 0, 1), Point3(0, 0, 0))))
    floor.setIntoCollideMask(WALKABLE_MASK)
    collision.attachNewNode(floor)
    objects: dict[str, PlacedObject] = {}
    screens: dict[str, NodePath] = {}
    for index, obj in enumerate(scene.objects):
        node = _build_object(scene, index, obj, naive)
        for coll in node.findAllMatches("**/+CollisionNode"):
            coll.wrtReparentTo(collision)
        node.reparentTo(root)
        lo, hi = node.getTightBounds() if not node.getBounds().isEmpty() else (Point3(), Point3())
        objects[obj["id"]] = PlacedObject(
            id=obj["id"], type=obj["type"], role=obj.get("role"), name=obj.get("name"),
            description=obj.get("description"), interactive=obj.get("interactive", False),
            position=Point3(*obj["position"]), bounds=(Point3(lo), Point3(hi)),
            affordance=obj.get("affordance", AFFORDANCES.get(obj["type"])),
        )
        for surface in node.findAllMatches("**/=screen"):
            screens[surface.getTag("screen")] = surface
            surface.detachNode()  # kept out of flattening: its texture is replaced at run time
    rooms = [_room(obj) for obj in scene.objects if obj["type"] == "room"]
    for obj in scene.objects:
        if obj["type"] == "room":
            objects |= {o.id: o for o in _openings(scene, obj)}
    portals = []
    for spec in scene.portals:
        portals.append(Portal(
            id=spec["id"], to=spec["to"], spawn=spec.get("spawn"), center=Point3(*spec["position"]),
            half_size=Vec3(*spec["size"]) * 0.5, heading=heading_for(spec.get("facing", DEFAULT_FACING)),
        ))
        _portal_marker(scene, spec, naive).reparentTo(root)
    if not naive:
        root.flattenStrong()
        collision.flattenLight()
    for surface in screens.values():
        surface.reparentTo(root)
    return BuiltScene(scene=scene, root=root, collision=collision, objects=objects, portals=portals,
                      screens=screens, rooms=rooms)


def _to_world(obj: dict, points) -> list[Point3]:
    """Points in an object's own frame, placed as its builder is (turned by its heading, then moved)."""
    h = radians(heading_for(obj.get("facing", DEFAULT_FACING)))
    x0, y0, z0 = obj["position"]
    return [Point3(x0 + x * cos(h) - y * sin(h), y0 + x * sin(h) + y * cos(h), z0 + z) for x, y, z in points]


def _box_of(points: list[Point3]) -> tuple[Point3, Point3]:
    return (Point3(*(min(p[i] for p in points) for i in range(3))),
            Point3(*(max(p[i] for p in points) for i in range(3))))


def _room(obj: dict) -> Room:
    w, d, h = obj["size"]
    lo, hi = _box_of(_to_world(obj, [(x, y, z) for x in (-w / 2, w / 2) for y in (-d / 2, d / 2) for z in (0, h)]))
    return Room(id=obj["id"], name=obj.get("name"), description=obj.get("description"), lo=lo, hi=hi,
                ambient=obj.get("ambient", shell.DEFAULT_AMBIENT), center=_to_world(obj, [(0, 0, h / 2)])[0],
                half_size=Vec3(w / 2, d / 2, h / 2), heading=heading_for(obj.get("facing", DEFAULT_FACING)))


def _openings(scene: Scene, obj: dict) -> list[PlacedObject]:
    """Each door, window and arch of a room as an object of its own, named after the portal it leads through."""
    frames, t = shell.wall_frames(obj), obj.get("wall", shell.DEFAULT_WALL)
    portal_names = {p["id"]: p.get("name") for p in scene.portals}
    placed = []
    for opening, ident in zip(obj.get("openings", []), shell.opening_ids(obj)):
        frame = frames[opening["wall"]]
        a = radians(frame.heading)
        z0 = shell.sill(opening)
        corners = []
        for u in (opening.get("offset", 0.0) - opening["width"] / 2, opening.get("offset", 0.0) + opening["width"] / 2):
            for v in (0.0, t):
                x, y = frame.center[0] + u * cos(a) - v * sin(a), frame.center[1] + u * sin(a) + v * cos(a)
                corners += [(x, y, z0), (x, y, z0 + opening["height"])]
        lo, hi = _box_of(_to_world(obj, corners))
        name = opening.get("name") or portal_names.get(opening.get("to"))
        placed.append(PlacedObject(
            id=ident, type=opening["kind"], role=shell.ROLE_OF_KIND[opening["kind"]], name=name, description=None,
            interactive=False, position=Point3((lo.x + hi.x) / 2, (lo.y + hi.y) / 2, lo.z), bounds=(lo, hi),
            leads_to=opening.get("to")))
    return placed


def _build_object(scene: Scene, index: int, obj: dict, naive: bool) -> NodePath:
    mb = MeshBuilder(scene.materials, split_parts=naive)
    ctx = BuildContext(obj=obj, asset=scene.asset, text=make_text)
    with mb.local(obj["position"], heading=heading_for(obj.get("facing", DEFAULT_FACING))):
        try:
            BUILDERS[obj["type"]](mb, obj, ctx)
        except (BuildError, Unreadable) as exc:  # Unreadable: an asset changed since it was validated
            raise SceneInvalid([SceneError(str(scene.source), f"objects[{index}]", str(exc))]) from None
    if not obj.get("solid", True):
        mb.colliders.clear()
    node = mb.node(obj["id"])
    node.setTag("id", obj["id"])
    if "role" in obj:
        node.setTag("role", obj["role"])
    return node


def _portal_marker(scene: Scene, spec: dict, naive: bool) -> NodePath:
    """A blue gateway frame with the destination's name, so citizens can see where it leads."""
    w, d, h = spec["size"]
    mb = MeshBuilder(scene.materials, split_parts=naive)
    with mb.local(spec["position"], heading=heading_for(spec.get("facing", DEFAULT_FACING))):
        for x in (-w / 2, w / 2):
            mb.box((x, 0, 0), (0.4, 0.4, h), "byeokcheong", solid=False)
        mb.box((0, 0, h), (w + 0.4, 0.5, 0.5), "byeokcheong", solid=False)
        mb.box((0, 0, 0), (w, d, 0.03), "water", solid=False)
        if "name" in spec:
            _portal_label(mb, spec["name"], w, h)
    return mb.node(f"portal:{spec['id']}")


def _portal_label(mb: MeshBuilder, name: dict, width: float, height: float) -> None:
    """The destination's name on both faces: above a tall outdoor gateway; inside the top of a doorway
    lower than LOW_PORTAL, like an exit sign, so it fits under a room's ceiling. Never wider than the frame."""
    low = height <= LOW_PORTAL
    z, ko, en, gap = (height - 0.3, 0.24, 0.14, 0.22) if low else (height + 0.6, 0.9, 0.5, 0.7)
    fit = width - 0.2 if low else width + 2.0
    for heading in (0.0, 180.0):
        with mb.local((0, 0, z), heading=heading):
            with mb.local((0, -0.3, 0)):
                mb.attach(make_text(name["ko"], height=ko, color="#FFFFFF", max_width=fit))
            with mb.local((0, -0.3, -gap)):
                mb.attach(make_text(name["en"], height=en, color="#FFFFFF", max_width=fit))
