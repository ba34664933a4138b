"""Audio description from scene metadata: what is around, where am I, what is ahead.

Portals (the ways to other scenes) are described like objects, by where they lead: "the door to
Seoul Plaza" where a door (an object with role ``door``) stands over the portal or leads through it,
"the exit to …" where none does. "Where am I" names the room one stands in, when the scene has rooms.
Directions are clock positions relative to where the citizen faces (12 o'clock straight ahead), and
both direction and distance are taken to the nearest edge of an object's footprint: a plaza one
stands on is 0 m away, and a long building is as near, and in the direction of, its nearest wall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from panda3d.core import Point3

from metaseoul import i18n
from metaseoul.i18n import N_, _
from metaseoul.scenes.loader import BuiltScene, PlacedObject, Portal

# How much each kind of thing matters to someone finding their way (0 never mentioned).
ROLE_SALIENCE = {
    "building": 1.0, "gate": 1.0, "portal": 1.0, "kiosk": 0.9, "statue": 0.8, "exhibit": 0.8, "door": 0.8,
    "fountain": 0.7, "plaza": 0.6, "sign": 0.5, "lawn": 0.5, "water": 0.5, "road": 0.4, "seat": 0.4,
    "wall": 0.3, "path": 0.3, "tree": 0.1, "lamp": 0.1, "terrain": 0.0,
}
AHEAD_DEGREES = 30.0
SURFACE_OF_ROLE = {"lawn": "grass", "plaza": "paving", "path": "paving", "road": "asphalt", "water": "water",
                   "building": "stone", "gate": "stone", "exhibit": "wood"}


@dataclass(frozen=True)
class Pose:
    x: float
    y: float
    facing: float  # compass bearing
    z: float | None = None  # the height of one's feet, to tell the storeys' rooms apart; None: any


@dataclass(frozen=True)
class Sighting:
    """One object as seen from a pose."""

    object: PlacedObject
    clock: int  # 1..12, 12 straight ahead
    bearing: float  # relative, degrees clockwise from straight ahead (-180..180)
    distance: float  # metres to the nearest edge of its footprint
    salience: float

    def phrase(self) -> str:
        name = i18n.pick(self.object.name)
        if self.distance < 1:
            return _("{name}, here").format(name=name)
        return _("{name}, {clock} o'clock, {distance} metres").format(
            name=name, clock=self.clock, distance=_round(self.distance))


def _round(metres: float) -> int:
    """Distances as people say them: to the metre nearby, to 5 m further, to 10 m far away."""
    step = 1 if metres < 20 else 5 if metres < 100 else 10
    return max(1, int(round(metres / step) * step))


def clock(relative: float) -> int:
    """A relative bearing (degrees clockwise from ahead) as a clock position."""
    hour = int((relative % 360) / 30 + 0.5) % 12  # halves round up, so every hour spans 30 degrees
    return 12 if hour == 0 else hour


class Describer:
    def __init__(self, built: BuiltScene):
        self.built = built
        names = {spec["id"]: spec.get("name") for spec in built.scene.portals}
        doors = {p.id: door for p in built.portals if (door := door_of(p, built.objects.values())) is not None}
        self.things = [o for o in built.objects.values() if o.name and ROLE_SALIENCE.get(o.role or "", 0.5) > 0
                       and o not in doors.values()]
        self.things += [door_thing(doors[p.id], names.get(p.id)) if p.id in doors else portal_thing(p, names.get(p.id))
                        for p in built.portals]
        self._seen: tuple[Pose | None, list[Sighting]] = (None, [])

    def sightings(self, pose: Pose) -> list[Sighting]:
        """Every named thing as seen from ``pose``; where, around and ahead for one pose share them."""
        if self._seen[0] != pose:
            self._seen = (pose, [self.sight(pose, o) for o in self.things])
        return self._seen[1]

    def sight(self, pose: Pose, obj: PlacedObject) -> Sighting:
        lo, hi = obj.bounds
        nx, ny = min(max(pose.x, lo.x), hi.x), min(max(pose.y, lo.y), hi.y)
        distance = math.hypot(nx - pose.x, ny - pose.y)
        # point at the nearest part of a large thing (a wall one walks towards), at the middle of
        # one that surrounds the citizen
        tx, ty = (nx, ny) if distance > 0 else ((lo.x + hi.x) / 2, (lo.y + hi.y) / 2)
        bearing = math.degrees(math.atan2(tx - pose.x, ty - pose.y))
        relative = (bearing - pose.facing + 180) % 360 - 180
        size = math.sqrt(max(1.0, (hi.x - lo.x) * (hi.y - lo.y)))
        weight = ROLE_SALIENCE.get(obj.role or "", 0.5) * (1.5 if obj.interactive else 1.0)
        salience = weight * (1 + math.log10(size)) / (1 + distance / 25)
        return Sighting(obj, clock(relative), relative, distance, salience)

    def around(self, pose: Pose, radius: float = 150.0, limit: int = 6) -> list[Sighting]:
        """The most notable named things within ``radius`` metres, most notable first."""
        near = [s for s in self.sightings(pose) if s.distance <= radius]
        return sorted(near, key=lambda s: -s.salience)[:limit]

    def ahead(self, pose: Pose, radius: float = 300.0, limit: int = 3) -> list[Sighting]:
        """Named things within 30 degrees of straight ahead, nearest first."""
        front = [s for s in self.sightings(pose) if abs(s.bearing) <= AHEAD_DEGREES and 1 <= s.distance <= radius]
        return sorted(front, key=lambda s: s.distance)[:limit]

    def where(self, pose: Pose) -> str:
        """The scene and the room or place one is in, and which way one faces."""
        scene = i18n.pick(self.built.scene.name)
        compass = [_("north"), _("north-east"), _("east"), _("south-east"), _("south"), _("south-west"),
                   _("west"), _("north-west")][int(pose.facing % 360 / 45 + 0.5) % 8]
        room = self.room(pose)
        if room is not None:
            return _("You are in {room}, in {scene}, facing {compass}.").format(
                room=i18n.pick(room.name), scene=scene, compass=compass)
        spot = self.standing_on(pose)
        if spot is not None:
            return _("You are in {scene}, at {place}, facing {compass}.").format(
                scene=scene, place=i18n.pick(spot.name), compass=compass)
        return _("You are in {scene}, facing {compass}.").format(scene=scene, compass=compass)

    def room(self, pose: Pose):
        """The smallest room (BuiltScene.rooms, format 2) whose inside holds the citizen, if any."""
        here = [r for r in self.built.rooms if r.name and r.lo[0] <= pose.x <= r.hi[0]
                and r.lo[1] <= pose.y <= r.hi[1] and (pose.z is None or r.lo[2] - 0.5 <= pose.z <= r.hi[2])]
        return min(here, key=lambda r: (r.hi[0] - r.lo[0]) * (r.hi[1] - r.lo[1])) if here else None

    def standing_on(self, pose: Pose) -> PlacedObject | None:
        """The smallest named place one stands in (a lawn within a plaza), if any."""
        here = [s.object for s in self.sightings(pose)
                if s.distance < 1 and ROLE_SALIENCE.get(s.object.role or "", 0.5) >= 0.3]
        return min(here, key=_area) if here else None

    def surface(self, pose: Pose) -> str:
        """What one's footsteps sound on: grass, paving, stone, asphalt, water or wood."""
        spot = self.standing_on(pose)
        return SURFACE_OF_ROLE.get(spot.role or "", "paving") if spot else "paving"

    def guide(self, pose: Pose, object_id: str) -> str:
        target = self.built.objects[object_id]
        return self.sight(pose, target).phrase()

    def describe(self, pose: Pose) -> list[str]:
        """Where am I, then what is around: the lines ``metaseoul describe`` prints and speaks."""
        lines = [self.where(pose)]
        around = self.around(pose)
        if around:
            lines.append(_("Around you:"))
            lines += [s.phrase() for s in around]
        ahead = self.ahead(pose)
        if ahead:
            lines.append(_("Ahead: {things}").format(things="; ".join(s.phrase() for s in ahead)))
        return lines


def _destination(name: dict[str, str], lang: str) -> str:
    """Where a portal leads, by its name; an English name written as a sign ("To Seoul Plaza") loses
    its "To", which the sentence says."""
    text = i18n.pick(name, lang)
    return text[3:] if lang == "en" and text[:3].lower() == "to " else text


def _named(template: str, unnamed: str, name: dict[str, str] | None) -> dict[str, str]:
    return {lang: i18n.translate(template, lang).format(place=_destination(name, lang)) if name
            else i18n.translate(unnamed, lang) for lang in i18n.LANGUAGES}


def door_of(portal: Portal, objects) -> PlacedObject | None:
    """The door that leads through ``portal``: one that says so (``to``), else one whose footprint the
    portal's centre lies in."""
    doors = [o for o in objects if o.role == "door"]
    led = [o for o in doors if o.leads_to == portal.id]
    c = portal.center
    over = [o for o in doors if o.bounds[0].x - 0.5 <= c.x <= o.bounds[1].x + 0.5
            and o.bounds[0].y - 0.5 <= c.y <= o.bounds[1].y + 0.5]
    return (led or over or [None])[0]


def door_thing(door: PlacedObject, name: dict[str, str] | None) -> PlacedObject:
    """A door through a portal: "the door to" the portal's name (the door's own name where the portal has none)."""
    if name is None and door.name:
        return door
    return replace(door, name=_named(N_("the door to {place}"), N_("a door to another place"), name))


def portal_thing(portal: Portal, name: dict[str, str] | None) -> PlacedObject:
    """A portal without a door as a thing to describe: "the exit to" its name, within the footprint of
    its turned box."""
    named = _named(N_("the exit to {place}"), N_("an exit to another place"), name)
    turn = math.radians(portal.heading)
    half_x = abs(math.cos(turn)) * portal.half_size.x + abs(math.sin(turn)) * portal.half_size.y
    half_y = abs(math.sin(turn)) * portal.half_size.x + abs(math.cos(turn)) * portal.half_size.y
    c = portal.center
    bounds = (Point3(c.x - half_x, c.y - half_y, c.z), Point3(c.x + half_x, c.y + half_y, c.z + 2 * portal.half_size.z))
    return PlacedObject(portal.id, "portal", "portal", named, None, False, c, bounds)


def _area(obj: PlacedObject) -> float:
    lo, hi = obj.bounds
    return (hi.x - lo.x) * (hi.y - lo.y)
