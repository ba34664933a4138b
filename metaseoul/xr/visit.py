"""A visit in a headset, driven frame by frame by a HeadsetSession: on the scene and the citizen's body
(the desktop's walker, with its collisions), the head and both eye cameras on the tracking origin, the
controllers with simple hand models, comfort (teleport, turning, vignette, seated height) and the
wrist menu with every desktop command. It follows the session's lifecycle: begins when the runtime
is ready, draws while visible, takes input only while focused, ends cleanly when asked to stop."""

from __future__ import annotations

from collections.abc import Callable

from panda3d.core import LineSegs, NodePath, Vec3

from metaseoul.runtime.eyes import EYES, HANDS, Fov, lens_for
from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.walker import Walker
from metaseoul.runtime.world import World
from metaseoul.scenes.builders.mesh import MeshBuilder
from metaseoul.visit.commands import Commands
from metaseoul.xr import actions
from metaseoul.xr.comfort import ComfortSettings
from metaseoul.xr.locomotion import Hand, Locomotion
from metaseoul.xr.panels import WorldPanel, menu_rows
from metaseoul.xr.session import HeadsetSession
from metaseoul.xr.vignette import Vignette

ARC_OK, ARC_REFUSED = (0.3, 0.75, 1.0, 1), (1.0, 0.3, 0.25, 1)


def _hand_model(name: str) -> NodePath:
    """A controller-sized hand: a grip and a pointing tip along the aim (+y)."""
    mb = MeshBuilder({"skin": {"color": "#D8A67F"}, "grip": {"color": "#2A2D33"}})
    mb.box((0, -0.02, -0.05), (0.04, 0.1, 0.05), "grip")
    mb.box((0, 0.05, -0.01), (0.015, 0.06, 0.015), "skin")
    return mb.node(name)


class VRVisit:
    def __init__(self, base, session: HeadsetSession, world: World, walker: Walker, commands: Commands,
                 run: Callable[[str], None], comfort: ComfortSettings | None = None):
        """``world`` and ``walker`` are the visit's scene and the citizen's body, shared with the desktop
        client (its portals, guidance and city link go on working); they stay when the headset goes."""
        self.base, self.session = base, session
        self.world, self.walker = world, walker
        self.locomotion = Locomotion(self.walker, self.world.built.collision, comfort)
        self.origin = self.walker.body.attachNewNode("tracking-origin")  # the floor of the play space
        self.head = self.origin.attachNewNode("headset")
        self.eyes: dict[str, OffscreenView] = {}
        self._fovs: dict[str, Fov] = {}
        # with a window (the desktop mirror) the eyes share its OpenGL context and stay on the graphics
        # card, where the runtime's swapchain takes them; without one (tests) they come back to memory
        host = getattr(base, "win", None)
        for eye in EYES:
            view = OffscreenView(base, base.render, session.eye_size, name=f"eye-{eye}", to_ram=host is None, host=host)
            view.camera.reparentTo(self.origin)
            self.world.add_camera(view.camera)
            self.eyes[eye] = view
        self.vignette = Vignette({eye: view.camera for eye, view in self.eyes.items()})
        self.hands = {hand: self.origin.attachNewNode(f"{hand}-hand") for hand in HANDS}
        for hand, node in self.hands.items():
            _hand_model(f"{hand}-hand-model").reparentTo(node)
            node.hide()  # until the runtime tracks it
        self.commands, self.run = commands, run  # the wrist menu's rows, and how one is run (the visit's way)
        self.menu: WorldPanel | None = None  # made each time it opens: today's commands, in today's language
        self.arc = base.render.attachNewNode("teleport-arc")
        self.running = True
        self._calibrated = False
        self._pending = False  # posed for a frame that is not yet handed to the runtime
        self._held = actions.Intent()

    @property
    def active(self) -> bool:
        """Whether the controllers asked for anything in the last frame (kiosks end idle visits)."""
        held = self._held
        return bool(any(held.move) or held.turn or held.teleport or held.select or held.grab or held.menu)

    @property
    def menu_open(self) -> bool:
        return self.menu is not None

    def open_menu(self) -> None:
        self.close_menu()
        rows = menu_rows(self.commands, self.run, resume=self.close_menu, quit=self.quit, reset_view=self.reset_view)
        self.menu = WorldPanel(self.base, self.hands["left"], rows)
        self.menu.card.setPos(-0.16, 0.05, 0.06)

    def close_menu(self) -> None:
        if self.menu is not None:
            self.menu.close()
            self.menu = None

    def quit(self) -> None:
        self.session.request_exit()

    def configure(self, comfort: ComfortSettings) -> None:
        """New comfort choices, applied at once; seated or standing is measured again at the next frame."""
        self.locomotion.configure(comfort)
        self._calibrated = False

    def reset_view(self) -> None:
        """Where the head faces now becomes the body's forward; seated, the view goes back to standing height."""
        self.locomotion.reset_orientation(self.head.getH())
        tracked = self.head.getZ() - self.locomotion.calibration.floor_offset
        self.locomotion.calibration.calibrate_height(tracked, self.locomotion.settings)
        self.close_menu()

    def step(self, dt: float) -> None:
        """One turn of the frame loop, rendering included (for loops without Panda3D's task manager)."""
        if self.prepare(dt):
            self.base.graphicsEngine.renderFrame()
            self.submit()

    def prepare(self, dt: float) -> bool:
        """Follows the session's state, waits for the runtime's next frame and poses everything for it;
        True when that frame is to be drawn (then render, and ``submit``)."""
        for state in self.session.poll_events():
            if state == "ready":
                self.session.begin()
            elif state == "stopping":
                self.session.end()
            elif state in ("exiting", "lost"):
                self.close()
                return False
        if self.locomotion.world != self.world.built.collision:  # a portal changed the scene
            self.locomotion.follow(self.world.built.collision)
        frame = self.session.wait_frame() if self.running else None
        self._pending = frame is not None
        for view in self.eyes.values():
            view.buffer.setActive(self._pending)  # no frame wanted: the eyes are not drawn
        if frame is None:
            return False
        if not self._calibrated:  # the first tracked height sets the seated lift
            self.locomotion.calibration.calibrate_height(frame.head.position.z, self.locomotion.settings)
            self._calibrated = True
        lift = Vec3(0, 0, self.locomotion.calibration.floor_offset)
        self.head.setPos(frame.head.position + lift)
        self.head.setQuat(frame.head.rotation)
        for eye, view in frame.views.items():
            camera = self.eyes[eye].camera
            camera.setPos(view.pose.position + lift)
            camera.setQuat(view.pose.rotation)
            if self._fovs.get(eye) != view.fov:
                self._fovs[eye] = view.fov
                camera.node().setLens(lens_for(view.fov))
        self.origin.setH(self.locomotion.calibration.yaw_offset)
        for name, node in self.hands.items():
            pose = frame.hands.get(name)
            if pose is None:
                node.hide()
                continue
            node.show()
            node.setPos(pose.position + Vec3(0, 0, self.locomotion.calibration.floor_offset))
            node.setQuat(pose.rotation)
        self._act(actions.intent(frame.actions), dt)
        self.vignette.set(self.locomotion.vignette)
        return True

    def submit(self) -> None:
        """Hands the eyes just rendered to the runtime (when ``prepare`` asked for them)."""
        if self._pending:
            self._pending = False
            self.session.end_frame({eye: view.texture for eye, view in self.eyes.items()})

    def _act(self, intent: actions.Intent, dt: float) -> None:
        pressed = lambda name: getattr(intent, name) and not getattr(self._held, name)  # noqa: E731
        right = self.hands["right"]
        aim = Hand(right.getPos(self.base.render), self.base.render.getRelativeVector(right, Vec3(0, 1, 0)))
        if pressed("menu"):
            self.open_menu() if not self.menu_open else self.close_menu()
        if self.menu_open:
            hovered = self.menu.hovered
            if self.menu.point(aim.position, aim.direction, self.base.render) not in (None, hovered):
                self.session.vibrate("right", 0.01, 0.3)  # a tick as the pointer reaches each row
            if pressed("select") and self.menu.select():
                self.session.vibrate("right", 0.03, 0.7)
            self.locomotion.vignette = 0.0
        else:
            # the stick walks where the head looks, not where the body last faced
            walk = Vec3(*intent.move, 0)
            turned = self.walker.body.getRelativeVector(self.head, walk) if walk.length() else walk
            intent = actions.Intent(move=(turned.x, turned.y), turn=intent.turn, teleport=intent.teleport,
                                    select=intent.select, grab=intent.grab, menu=intent.menu)
            aiming = self.locomotion.aiming is not None
            self.locomotion.update(dt, intent, aim)
            if aiming and self.locomotion.aiming is None:  # released: a short pulse went, a long buzz refused
                refused = bool(self.locomotion.last_refusal)
                self.session.vibrate("right", 0.2 if refused else 0.03, 1.0 if refused else 0.5)
        self._held = intent
        self._draw_arc()

    def _draw_arc(self) -> None:
        """The teleport arc while aiming: blue where one can go, red (ending short) where one cannot."""
        self.arc.node().removeAllChildren()
        aiming = self.locomotion.aiming
        if aiming is None or len(aiming.arc) < 2:
            return
        lines = LineSegs("arc")
        lines.setThickness(4)
        lines.setColor(ARC_OK if aiming.target is not None else ARC_REFUSED)
        lines.moveTo(aiming.arc[0])
        for point in aiming.arc[1:]:
            lines.drawTo(point)
        drawn = self.arc.attachNewNode(lines.create())
        drawn.setLightOff(1)
        drawn.setShaderOff(1)

    def close(self) -> None:
        if not self.running:
            return
        self.running = False
        self.close_menu()
        self.arc.removeNode()
        for view in self.eyes.values():
            self.world.remove_camera(view.camera)
            view.close()
        self.origin.removeNode()
