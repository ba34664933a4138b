"""Keyboard, mouse, gamepad and touch turned into an Intent. Every movement has a key, so keyboard
alone is enough; the keys come from the keymap (visit/keys.py) and can be remapped while walking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from direct.showbase.DirectObject import DirectObject
from panda3d.core import InputDevice, WindowProperties

from metaseoul.runtime.walker import Intent
from metaseoul.visit.keys import MOVEMENT

TURN_RATE = 90.0  # degrees per second for keys and sticks
MOUSE_DEGREES_PER_PIXEL = 0.15
STICK_DEAD_ZONE = 0.15


class KeyBindings(DirectObject):
    """Binds actions to handlers; ``bind`` again to apply a new keymap at once."""

    def __init__(self, handlers: dict[str, Callable[[], None]], release: dict[str, Callable[[], None]] | None = None):
        super().__init__()
        self.handlers, self.release = handlers, release or {}

    def bind(self, keys: dict[str, list[str]]) -> None:
        self.ignoreAll()
        for action, names in keys.items():
            for name in names:
                if action in self.handlers:
                    self.accept(name, self.handlers[action])
                if action in self.release:
                    self.accept(f"{name}-up", self.release[action])


@dataclass
class Controls:
    """Reads devices once per frame; ``intent(dt)`` says what the citizen wants."""

    base: object
    keys: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in MOVEMENT.items()})
    mouse_look: bool = True
    sensitivity: float = 1.0  # times MOUSE_DEGREES_PER_PIXEL
    invert_y: bool = False

    def __post_init__(self):
        self._down: set[str] = set()
        self._focused = False  # the window had the focus last frame: a pointer that just came back is not a look
        self._jump = False
        self.bindings = KeyBindings({a: (lambda a=a: self._press(a)) for a in MOVEMENT},
                                    {a: (lambda a=a: self._release(a)) for a in MOVEMENT})
        self.rebind(self.keys)
        self.gamepad: InputDevice | None = None
        for device in self.base.devices.getDevices(InputDevice.DeviceClass.gamepad):
            self._connect(device)
        self.base.accept("connect-device", self._connect)
        self.base.accept("disconnect-device", self._disconnect)
        self.capture_mouse(True)

    def rebind(self, keys: dict[str, list[str]]) -> None:
        """Use these keys for moving from now on (other actions in ``keys`` are left alone); a key held
        down stays held unless the walking keys themselves changed."""
        moving = {action: keys.get(action, []) for action in MOVEMENT}
        if moving != self.keys or not self.bindings.getAllAccepting():
            self.keys = moving
            self._down.clear()
            self.bindings.bind(self.keys)

    def _press(self, action: str) -> None:
        self._down.add(action)
        if action == "jump":
            self._jump = True

    def _release(self, action: str) -> None:
        self._down.discard(action)

    def _connect(self, device: InputDevice) -> None:
        if device.device_class == InputDevice.DeviceClass.gamepad and self.gamepad is None:
            self.gamepad = device
            self.base.attachInputDevice(device, prefix="gamepad")
            self.base.accept("gamepad-face_a", self._press, ["jump"])
            self.base.accept("gamepad-face_a-up", self._release, ["jump"])

    def _disconnect(self, device: InputDevice) -> None:
        if device is self.gamepad:
            self.base.detachInputDevice(device)
            self.gamepad = None

    def capture_mouse(self, on: bool) -> None:
        """Hide and recentre the pointer for mouse look (on), or free it for menus (off)."""
        self.mouse_look = on
        props = WindowProperties()
        props.setCursorHidden(on)
        self.base.win.requestProperties(props)
        self._focused = False  # the pointer was free: its first reading after this only recentres

    def _recentre(self) -> None:
        win = self.base.win
        win.movePointer(0, win.getXSize() // 2, win.getYSize() // 2)

    def close(self) -> None:
        """Let go of the keys, the gamepad and the pointer (another presenter takes the window)."""
        self.bindings.ignoreAll()
        self.base.ignore("connect-device")
        self.base.ignore("disconnect-device")
        self.base.ignore("gamepad-face_a")
        self.base.ignore("gamepad-face_a-up")
        if self.gamepad is not None:
            self._disconnect(self.gamepad)
        self.capture_mouse(False)

    def release_all(self) -> None:
        self._down.clear()

    def hold(self, action: str, on: bool) -> None:
        """Press or release a movement as a key would (the kiosk's touch buttons do this)."""
        self._press(action) if on else self._release(action)

    def _mouse(self, intent: Intent) -> None:
        """Mouse look from the pointer's distance to the centre; the first frame after the window gains
        the focus (or the pointer comes back into it) only recentres, so the view never jumps."""
        win = self.base.win
        pointer = win.getPointer(0)
        focused = bool(win.getProperties().getForeground()) and pointer.getInWindow()
        if focused and self._focused:
            cx, cy = win.getXSize() // 2, win.getYSize() // 2
            degrees = MOUSE_DEGREES_PER_PIXEL * self.sensitivity
            intent.turn += (pointer.getX() - cx) * degrees
            intent.look += (pointer.getY() - cy) * degrees * (1 if self.invert_y else -1)
        if focused:
            self._recentre()
        self._focused = focused

    def intent(self, dt: float) -> Intent:
        held = self._down
        intent = Intent(
            forward=("forward" in held) - ("back" in held),
            strafe=("right" in held) - ("left" in held),
            turn=(("turn-right" in held) - ("turn-left" in held)) * TURN_RATE * dt,
            run="run" in held,
            jump=self._jump,
        )
        self._jump = False
        if self.mouse_look:
            self._mouse(intent)
        else:
            self._focused = False
        if self.gamepad is not None:
            def axis(name):
                value = self.gamepad.findAxis(getattr(InputDevice.Axis, name)).value
                return value if abs(value) > STICK_DEAD_ZONE else 0.0
            intent.forward += axis("left_y")
            intent.strafe += axis("left_x")
            intent.turn += axis("right_x") * TURN_RATE * dt
            intent.look += axis("right_y") * TURN_RATE * dt
            intent.run = intent.run or self.gamepad.findButton("lstick").pressed
        return intent
