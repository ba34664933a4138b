"""Sun, sky light, shadows and the sky dome, from the scene's date and time of day.

Everything is drawn by metaseoul's own GLSL programs (shaders/), which run on OpenGL 3.3 and up,
Mesa's llvmpipe included; Panda3D's automatic shaders are not used because their Cg path fails there.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import radians

from panda3d.core import (
    ColorBlendAttrib,
    ColorWriteAttrib,
    CompassEffect,
    DirectionalLight,
    LVecBase4f,
    NodePath,
    PTA_LVecBase4f,
    Point3,
    RenderState,
    ShaderAttrib,
    Vec3,
)

from metaseoul.runtime import lights, sun
from metaseoul.runtime.engine import SHADOW_RADIUS, SHADOW_SIZE
from metaseoul.runtime.programs import shader
from metaseoul.scenes.builders.mesh import MeshBuilder, srgb
from metaseoul.scenes.loader import Room
from metaseoul.scenes.shell import MAX_ROOMS

DEFAULT_DATE, DEFAULT_TIME = "05-15", "15:00"
ROOM_MARGIN = 0.02  # metres: a room's own inner faces count as inside it (walls are at least 0.05 thick)


def _linear(color: tuple[float, float, float]) -> Vec3:
    return Vec3(*(c ** 2.2 for c in color))


def _mix(a, b, t: float):
    t = min(1.0, max(0.0, t))
    return tuple(x + (y - x) * t for x, y in zip(a, b))


class Environment:
    """Lights a scene graph and draws its sky; ``follow`` keeps the shadow map around the viewer."""

    def __init__(self, render: NodePath, environment: dict):
        month, day = (int(p) for p in environment.get("date", DEFAULT_DATE).split("-"))
        hh, mm = (int(p) for p in environment.get("time", DEFAULT_TIME).split(":"))
        self.elevation, self.azimuth = sun.sun_position(month, day, hh + mm / 60)
        self.sun_direction = Vec3(*sun.direction(max(self.elevation, 2.0), self.azimuth))
        daylight = min(1.0, max(0.0, (self.elevation + 4) / 20))
        low = 1.0 - min(1.0, max(0.0, (self.elevation - 3) / 25))  # warm light near the horizon
        sky = environment.get("sky", {})
        zenith = srgb(sky["zenith"]) if "zenith" in sky else _mix((0.05, 0.07, 0.15), _mix((0.25, 0.5, 0.85), (0.3, 0.42, 0.65), low), daylight)
        horizon = srgb(sky["horizon"]) if "horizon" in sky else _mix((0.1, 0.1, 0.16), _mix((0.75, 0.84, 0.93), (0.96, 0.72, 0.5), low), daylight)
        tint = _mix((1.0, 0.96, 0.9), (1.0, 0.62, 0.36), low)
        strength = environment.get("sun", 2.4) * daylight
        self.inputs = {
            "sun_direction": self.sun_direction,
            "sun_color": _linear(tint) * strength,
            "sky_zenith": _linear(zenith),
            "sky_horizon": _linear(horizon),
            "ground_bounce": _linear((0.42, 0.4, 0.36)) * daylight,
            "ambient_strength": environment.get("ambient", 1.0) * (0.25 + 0.75 * daylight),
            "fog_distance": environment.get("fog", 1800.0),
            "exposure": 0.7,
            "texture_mode": 0.0,
        }
        self.render = render
        light = DirectionalLight("sun")
        light.setColor((1, 1, 1, 1))
        size = SHADOW_SIZE.getValue()
        light.setShadowCaster(True, size, size)
        radius = SHADOW_RADIUS.getValue()
        light.getLens().setFilmSize(2 * radius, 2 * radius)
        light.getLens().setNearFar(-600, 600)
        # the shadow pass needs depth only: a trivial program instead of the world shader
        light.setInitialState(RenderState.make(
            ShaderAttrib.make(shader("depth"), 1000), ColorWriteAttrib.make(ColorWriteAttrib.COff)))
        self.sun = render.attachNewNode(light)
        self.sun.lookAt(-self.sun_direction)
        render.setLight(self.sun)
        render.setShader(shader("world"))
        for name, value in self.inputs.items():
            render.setShaderInput(name, value)
        lights.blank(render)  # no lamps until a World gives the scene's (the shader needs its inputs)
        self.set_rooms([])

    def set_rooms(self, rooms: Sequence[Room]) -> None:
        """The rooms whose insides get only their ``ambient`` share of the sky light (the first MAX_ROOMS;
        the validator allows no more). Each is passed as its own turned box, so any facing is exact."""
        centers, halves = PTA_LVecBase4f.emptyArray(MAX_ROOMS), PTA_LVecBase4f.emptyArray(MAX_ROOMS)
        for i, room in enumerate(rooms[:MAX_ROOMS]):
            centers[i] = LVecBase4f(*room.center, radians(room.heading))
            halves[i] = LVecBase4f(*(room.half_size + Vec3(ROOM_MARGIN)), room.ambient)
        self.render.setShaderInput("room_center", centers)
        self.render.setShaderInput("room_half", halves)
        self.render.setShaderInput("room_count", float(min(len(rooms), MAX_ROOMS)))

    def follow(self, focus: Point3) -> None:
        """Centre the sun's shadow map on ``focus`` (a little ahead of the viewer)."""
        self.sun.setPos(focus)

    def make_sky(self, camera: NodePath) -> NodePath:
        """A sky dome that moves with ``camera`` but keeps the world's orientation."""
        mb = MeshBuilder({"sky": {"color": "#FFFFFF"}})
        mb.ellipsoid((0, 0, 0), (-1000.0, -1000.0, -1000.0), "sky", rings=12, segments=24)
        dome = mb.node("sky")
        dome.reparentTo(camera)
        dome.setEffect(CompassEffect.make(self.render, CompassEffect.PRot))
        dome.setBin("background", 0)
        dome.setDepthWrite(False)
        dome.setDepthTest(False)
        dome.setLightOff(1)
        dome.setAttrib(ColorBlendAttrib.make(ColorBlendAttrib.MNone))
        dome.setShader(shader("sky"), 1)
        for name, value in self.inputs.items():
            dome.setShaderInput(name, value)
        return dome

    def remove(self) -> None:
        self.render.clearLight(self.sun)
        self.sun.removeNode()
