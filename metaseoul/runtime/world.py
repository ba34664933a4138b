"""The world runtime: the scene that is loaded now, its lighting, and moving between scenes."""

from __future__ import annotations

import time
from pathlib import Path

from panda3d.core import NodePath, Point3

from metaseoul.runtime.environment import Environment
from metaseoul.runtime.lights import Lights
from metaseoul.runtime.screens import Screen, screens_of
from metaseoul.runtime.walker import Walker
from metaseoul.scenes import catalog, loader
from metaseoul.scenes.catalog import Scene
from metaseoul.scenes.errors import SceneInvalid, UnknownName
from metaseoul.scenes.loader import BuiltScene, Portal


class World:
    """Holds one built scene under ``render`` at a time; ``enter`` swaps it for another."""

    def __init__(self, render: NodePath, naive: bool = False):
        self.render = render
        self.naive = naive
        self.built: BuiltScene | None = None
        self.environment: Environment | None = None
        self.lights: Lights | None = None  # the scene's lamps: ``world.lights.switch(id, on)``
        self.load_seconds = 0.0
        self._cameras: list[NodePath] = []
        self._arrived_in: Portal | None = None
        self._skies: list[NodePath] = []
        self.screens: dict[str, Screen] = {}  # the loaded scene's named screens (see runtime/screens.py)

    def add_camera(self, camera: NodePath) -> None:
        """Give ``camera`` the sky of whichever scene is loaded, now and after each change."""
        self._cameras.append(camera)
        if self.environment is not None:
            self._skies.append(self.environment.make_sky(camera))

    def remove_camera(self, camera: NodePath) -> None:
        """``camera`` is going away (a headset's eyes, a presenter's view): no more skies for it."""
        index = self._cameras.index(camera)
        self._cameras.pop(index)
        if self._skies:
            self._skies.pop(index).removeNode()

    @property
    def scene(self) -> Scene:
        assert self.built is not None, "no scene loaded"
        return self.built.scene

    def enter(self, scene: Scene | str | Path) -> BuiltScene:
        """Load ``scene`` (a Scene, a built-in id or a file path), replacing the current one."""
        started = time.perf_counter()
        if not isinstance(scene, Scene):
            scene = catalog.load(str(scene))
        built = loader.build(scene, naive=self.naive)
        self.leave()
        built.root.reparentTo(self.render)
        built.collision.reparentTo(self.render)
        built.collision.hide()
        self.environment = Environment(self.render, scene.environment)
        self.environment.set_rooms(built.rooms)
        self.lights = Lights(self.render, scene.doc.get("lights", []), scene.materials, built.rooms)
        self._skies = [self.environment.make_sky(camera) for camera in self._cameras]
        self.built = built
        self.screens = screens_of(built)
        self.load_seconds = time.perf_counter() - started
        return built

    def leave(self) -> None:
        if self.built is not None:
            self.built.root.removeNode()
            self.built.collision.removeNode()
            self.built = None
            self.screens = {}
        if self.lights is not None:
            self.lights.remove()
            self.lights = None
        if self.environment is not None:
            self.environment.remove()
            self.environment = None
        for sky in self._skies:
            sky.removeNode()
        self._skies = []

    def spawn(self, walker: Walker, name: str | None = None) -> None:
        """Stand ``walker`` at a spawn point of the current scene, inside its bounds."""
        point = self.scene.spawn(name)
        bounds = self.scene.doc.get("bounds")
        walker.place(point["position"], point.get("facing", 0.0),
                     (tuple(bounds["min"]), tuple(bounds["max"])) if bounds else None)

    def portal_at(self, point: Point3) -> Portal | None:
        if self.built is None:
            return None
        for portal in self.built.portals:
            if portal.contains(point):
                return portal
        return None

    def use_portal(self, walker: Walker) -> Portal | None:
        """If ``walker`` stands in a portal, go through it: load its scene and spawn there.

        A portal one arrives in is ignored until one has stepped out of it, so two portals that
        lead to each other's doorsteps never bounce a citizen back and forth. A portal whose scene
        cannot be used raises SceneInvalid or UnknownName once, and the citizen stays where they are.
        """
        portal = self.portal_at(walker.position)
        if portal is None or portal == self._arrived_in:
            self._arrived_in = portal
            return None
        try:
            scene = catalog.load(portal.to, near=self.scene.source.parent)
        except (SceneInvalid, UnknownName):
            self._arrived_in = portal  # tried once: the citizen stays here until they step out and back in
            raise
        self.enter(scene)
        self.spawn(walker, portal.spawn)
        self._arrived_in = self.portal_at(walker.position)
        return portal
