"""A scene's lamps as the world shader's inputs and shadow casters, and their glowing fittings.

Units: a light's ``lumens`` become its luminous intensity in candela (point I = lm / 4π, spot
I = lm / 2π(1 - cos half-angle), area: a flat Lambertian panel, I = lm / π along its normal, falling
off with the cosine). The shader gives illuminance E = I cos θ / d², windowed smoothly to 0 at ``range``,
and adds albedo · E / LUX_PER_UNIT · colour to the same linear sums as the sun before exposure and
tone mapping. One shader unit stands for LUX_PER_UNIT lux seen by an eye adapted to indoor light: a
room's sky light at its default ``ambient`` 0.3 is about 0.15 units (~ 22 lux adapted), and an 800 lm
bulb 2 m above a desk adds 16 lux, 0.1 units: the desk is clearly lit next to the room's ambient.

Ceiling panels: an area light inside a room that casts no shadow is not added up per pixel. The room's
panels together light it evenly by the lighting designer's lumen method, E = lumens x UTILISATION /
floor area, full on floors, 0.55 on walls and 0.1 on the ceiling: a grid of panels gives nearly even
light, and a room then costs one lookup however many panels it has (on llvmpipe each lamp added up per
pixel costs about a fifth of a frame). A panel that should throw a pool of light or a shadow is given
``shadows`` or placed outside rooms, and is shaded per pixel like every other lamp.

Shadows: a spot light's shadow map covers its cone; a point light's covers a 120° cone straight down
(floors and tables; nothing is shadowed above it); an area light's covers a 120° cone along its aim,
cast from its centre. At most MAX_SHADOWED_LIGHTS per scene (validate says so).
"""

from __future__ import annotations

import math

from panda3d.core import (
    CallbackNode,
    ColorWriteAttrib,
    ConfigVariableInt,
    LightLensNode,
    NodePath,
    OmniBoundingVolume,
    Point3,
    PTA_LVecBase4f,
    PythonCallbackObject,
    RenderState,
    ShaderAttrib,
    Spotlight,
    Vec3,
    Vec4,
)

from metaseoul.runtime.programs import shader
from metaseoul.scenes.builders.mesh import MeshBuilder, srgb
from metaseoul.scenes.loader import Room
from metaseoul.scenes.shell import MAX_ROOMS
from metaseoul.scenes.validate import MAX_SHADOWED_LIGHTS

PER_FRAME = 16  # lights the shader adds up (uniform array length in world.frag)
LUX_PER_UNIT = 150.0
UTILISATION = 0.6  # share of a room's panel lumens that reaches its floor (light walls and ceiling)
DEFAULT_COLOR = "#FFD8A8"  # warm white, about 3000 K
DEFAULT_ANGLE, DEFAULT_SOFTNESS, DEFAULT_PANEL = 60.0, 0.2, (0.6, 0.6)
SHADOW_CONE = 120.0  # degrees covered by a point or area light's shadow map
SHADOW_NEAR = 0.15  # metres: the fitting itself (within this of the lamp) casts no shadow
KINDS = ("point", "spot", "area")
ON_GLOW, OFF_GLOW = 4.0, 0.06
LIGHT_SHADOW_SIZE = ConfigVariableInt("metaseoul-light-shadow-size", 1024, "Shadow map size of each lamp, in texels.")
_ARRAYS = ("light_position", "light_color", "light_aim", "light_shape", "light_axis")


def intensity(spec: dict) -> float:
    """Candela along the light's axis (see the module's docstring)."""
    lumens = spec["lumens"]
    if spec["kind"] == "point":
        return lumens / (4 * math.pi)
    if spec["kind"] == "spot":
        half = math.radians(spec.get("angle", DEFAULT_ANGLE) / 2)
        return lumens / (2 * math.pi * (1 - math.cos(half)))
    return lumens / math.pi


def _linear_colour(spec: dict) -> Vec3:
    return Vec3(*(c ** 2.2 for c in srgb(spec.get("color", DEFAULT_COLOR))))


def _aim(spec: dict) -> Vec3:
    position = Vec3(*spec["position"])
    aim = Vec3(*spec["aim"]) - position if "aim" in spec else Vec3(0, 0, -1)
    aim.normalize()
    return aim


def _across(aim: Vec3) -> Vec3:
    """An area light's width axis: east for a panel facing up or down, else horizontal across its aim."""
    across = aim.cross(Vec3(0, 0, 1))
    if across.length() < 1e-3:
        return Vec3(1, 0, 0)
    across.normalize()
    return across


def blank(node: NodePath) -> None:
    """No lamps: the inputs the world shader needs where there are none (a signing stage, a scene without lights)."""
    for name in _ARRAYS:
        node.setShaderInput(name, _zeros())
    node.setShaderInput("light_count", 0.0)
    node.setShaderInput("room_fill", _zeros(MAX_ROOMS))
    dummy = _dummy_caster()
    for slot in range(MAX_SHADOWED_LIGHTS):
        node.setShaderInput(f"light_shadow{slot}", dummy)


def _zeros(length: int = PER_FRAME) -> PTA_LVecBase4f:
    array = PTA_LVecBase4f()
    for _i in range(length):
        array.pushBack(Vec4(0))
    return array


_DUMMY: list[NodePath] = []


def _dummy_caster() -> NodePath:
    """A lamp that casts no shadow, bound to unused shadow slots (Panda3D gives it a blank shadow map)."""
    if not _DUMMY:
        _DUMMY.append(NodePath(Spotlight("no-shadow")))
    return _DUMMY[0]


class Lights:
    """The lamps of the scene under ``render``: ``switch`` turns one on or off at once."""

    def __init__(self, render: NodePath, specs: list[dict], materials: dict, rooms: list[Room] = ()):
        self.render = render
        self.rooms = list(rooms)[:MAX_ROOMS]
        self.panels = {spec["id"]: i for spec in specs if (i := self._room_of_panel(spec)) is not None}
        self.specs = {spec["id"]: spec for spec in specs}
        self.on = {spec["id"]: spec.get("on", True) for spec in specs}
        self.fill = _zeros(MAX_ROOMS)
        render.setShaderInput("room_fill", self.fill)
        self.root = render.attachNewNode("lights")
        self.arrays = {name: _zeros() for name in _ARRAYS}
        self.slots = {spec["id"]: slot for slot, spec in enumerate(s for s in specs if s.get("shadows", False))}
        self.casters = [self._caster(self.specs[ident]) for ident in self.slots]
        self.fittings = {spec["id"]: self._fitting(spec, materials) for spec in specs}
        self.shaded = [ident for ident in self.specs if ident not in self.panels]  # lamps added up per pixel
        self.chosen = self.shaded[:PER_FRAME]
        for name, array in self.arrays.items():
            render.setShaderInput(name, array)
        for slot in range(MAX_SHADOWED_LIGHTS):
            caster = self.casters[slot] if slot < len(self.casters) else _dummy_caster()
            render.setShaderInput(f"light_shadow{slot}", caster)
        if len(self.shaded) > PER_FRAME:
            self._watch_viewer()
        self._update()

    @property
    def ids(self) -> list[str]:
        return list(self.specs)

    def switch(self, ident: str, on: bool) -> None:
        """Turn the light ``ident`` on or off; the next frame shows it."""
        if ident not in self.specs:
            raise KeyError(ident)
        self.on[ident] = on
        self.fittings[ident].setShaderInput("glow", self._glow(self.specs[ident]))
        if ident in self.slots:  # an unlit lamp needs no shadow pass
            self.casters[self.slots[ident]].node().setActive(on)
        self._update()

    def follow(self, viewer: Point3) -> None:
        """Light the frame with the PER_FRAME lamps nearest ``viewer`` (only matters with more lamps than that)."""
        near = sorted(self.shaded, key=lambda i: (Point3(*self.specs[i]["position"]) - viewer).lengthSquared())
        chosen = near[:PER_FRAME]
        if chosen != self.chosen:
            self.chosen = chosen
            self._update()

    def remove(self) -> None:
        self.root.removeNode()
        blank(self.render)

    def _update(self) -> None:
        """Write the chosen lamps into the shader's arrays (shared with the GPU state: no new state is made)."""
        count = 0
        for ident in self.chosen:
            if self.on[ident]:
                self._write(count, self.specs[ident])
                count += 1
        self.render.setShaderInput("light_count", float(count))
        for index, room in enumerate(self.rooms):
            lit = [self.specs[i] for i, r in self.panels.items() if r == index and self.on[i]]
            lux = sum((_linear_colour(s) * (s["lumens"] * UTILISATION / room.floor_area) for s in lit), Vec3(0))
            self.fill.setElement(index, Vec4(lux / LUX_PER_UNIT, 0))

    def _room_of_panel(self, spec: dict) -> int | None:
        """The room whose even light a shadowless area lamp joins (see the module's docstring), if any."""
        if spec["kind"] != "area" or spec.get("shadows", False):
            return None
        return next((i for i, room in enumerate(self.rooms) if room.contains(Point3(*spec["position"]))), None)

    def _write(self, index: int, spec: dict) -> None:
        aim = _aim(spec)
        colour = _linear_colour(spec)
        half = math.radians(spec.get("angle", DEFAULT_ANGLE) / 2)
        inner = half * (1 - spec.get("softness", DEFAULT_SOFTNESS))
        w, d = spec.get("size", DEFAULT_PANEL)
        self.arrays["light_position"].setElement(index, Vec4(*spec["position"], spec["range"]))
        self.arrays["light_color"].setElement(index, Vec4(colour * (intensity(spec) / LUX_PER_UNIT),
                                                           KINDS.index(spec["kind"])))
        self.arrays["light_aim"].setElement(index, Vec4(aim, math.cos(half)))
        self.arrays["light_shape"].setElement(index, Vec4(math.cos(inner), w / 2, d / 2,
                                                          self.slots.get(spec["id"], -1)))
        self.arrays["light_axis"].setElement(index, Vec4(_across(aim), 0))

    def _caster(self, spec: dict) -> NodePath:
        """A shadow-casting Spotlight at the lamp, drawing depth only (as the sun's caster does)."""
        light = Spotlight(f"shadow:{spec['id']}")
        size = LIGHT_SHADOW_SIZE.getValue()
        light.setShadowCaster(True, size, size)
        light.getLens().setFov(spec.get("angle", DEFAULT_ANGLE) if spec["kind"] == "spot" else SHADOW_CONE)
        light.getLens().setNearFar(SHADOW_NEAR, spec["range"])
        light.setInitialState(RenderState.make(
            ShaderAttrib.make(shader("depth"), 1000), ColorWriteAttrib.make(ColorWriteAttrib.COff)))
        light.setActive(self.on[spec["id"]])
        caster = self.root.attachNewNode(light)
        caster.setPos(*spec["position"])
        caster.lookAt(caster.getPos() + _aim(spec), _across(_aim(spec)).cross(_aim(spec)))
        return caster

    def _fitting(self, spec: dict, materials: dict) -> NodePath:
        """The lamp itself, glowing in its colour: a small bulb, a disc facing the aim, or the panel."""
        mb = MeshBuilder(materials | {"lamp": {"color": spec.get("color", DEFAULT_COLOR)}})
        if spec["kind"] == "point":
            mb.ellipsoid((0, 0, 0), (0.07, 0.07, 0.07), "lamp", rings=6, segments=10)
        elif spec["kind"] == "spot":
            mb.cylinder((0, 0, 0), 0.08, 0.02, "lamp", solid=False)
        else:
            w, d = spec.get("size", DEFAULT_PANEL)
            mb.box((0, 0, 0), (w, d, 0.02), "lamp", solid=False)
        fitting = mb.node(f"fitting:{spec['id']}")
        fitting.reparentTo(self.root)
        fitting.setPos(*spec["position"])
        aim = _aim(spec)
        fitting.lookAt(fitting.getPos() - _across(aim).cross(aim), -aim)  # local -z (its face) towards the aim
        fitting.setShader(shader("glow"), 10)
        fitting.setShaderInput("glow", self._glow(spec))
        fitting.setLightOff(1)
        return fitting

    def _glow(self, spec: dict) -> Vec4:
        return Vec4(ON_GLOW if self.on[spec["id"]] else OFF_GLOW)

    def _watch_viewer(self) -> None:
        """Pick the nearest lamps for each camera as it draws (cull callback: no caller needs to call follow)."""
        def chose(data) -> None:
            camera = data.getTrav().getScene().getCameraPath()
            if not isinstance(camera.node(), LightLensNode):  # shadow passes draw whatever the viewer's frame has
                self.follow(camera.getPos(self.render))

        hook = CallbackNode("nearest-lights")
        hook.setCullCallback(PythonCallbackObject(chose))
        hook.setBounds(OmniBoundingVolume())
        hook.setFinal(True)
        self.root.attachNewNode(hook)
