"""Gamepads drive the launcher and the kiosk like a keyboard: the d-pad or left stick moves the
focus (and the selection inside a gallery), A activates or opens a list, B goes back (Escape). Devices are read through Panda3D's input layer (XInput on
Windows, evdev on Linux), so no extra dependency is needed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QComboBox

# gamepad button → (key, modifiers) sent to the focused widget
BUTTON_KEYS = {
    "dpad_down": (Qt.Key_Tab, Qt.NoModifier),
    "dpad_right": (Qt.Key_Tab, Qt.NoModifier),
    "dpad_up": (Qt.Key_Backtab, Qt.ShiftModifier),
    "dpad_left": (Qt.Key_Backtab, Qt.ShiftModifier),
    "face_a": (Qt.Key_Return, Qt.NoModifier),
    "face_b": (Qt.Key_Escape, Qt.NoModifier),
}
ARROWS = {"dpad_up": Qt.Key_Up, "dpad_down": Qt.Key_Down, "dpad_left": Qt.Key_Left, "dpad_right": Qt.Key_Right}
STICK_THRESHOLD = 0.6


class GamepadNavigator(QObject):
    """Polls connected gamepads and turns button presses into key presses."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._held: set[tuple[int, str]] = set()
        self._manager = None
        try:
            from panda3d.core import InputDeviceManager, loadPrcFileData

            loadPrcFileData("gamepad", "notify-level-device fatal")
            self._manager = InputDeviceManager.getGlobalPtr()
        except ImportError:  # pragma: no cover - Panda3D is a hard dependency
            return
        self._timer = QTimer(self, interval=33)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self) -> None:
        from panda3d.core import InputDevice

        self._manager.update()
        for device in self._manager.getDevices(InputDevice.DeviceClass.gamepad):
            device.poll()
            down = {b.handle.name for b in device.buttons if b.pressed}
            for axis, negative, positive in (("left_y", "dpad_down", "dpad_up"), ("left_x", "dpad_left", "dpad_right")):
                value = device.findAxis(getattr(InputDevice.Axis, axis)).value
                if value <= -STICK_THRESHOLD:
                    down.add(negative)
                elif value >= STICK_THRESHOLD:
                    down.add(positive)
            for name in BUTTON_KEYS:
                key = (id(device), name)
                if name in down and key not in self._held:
                    self._held.add(key)
                    self.press(name)
                elif name not in down:
                    self._held.discard(key)

    def press(self, button: str) -> None:
        """Act as if ``button`` was pressed, on whatever has the focus."""
        target = QApplication.focusWidget() or QApplication.activeWindow()
        if target is None or button not in BUTTON_KEYS:
            return
        key, modifiers = BUTTON_KEYS[button]
        if button == "face_a" and isinstance(target, QAbstractButton):
            target.click()  # buttons activate on Space, not Return; A should always work
            return
        if button == "face_a" and isinstance(target, QComboBox):
            target.showPopup()
            return
        if isinstance(target, QAbstractItemView) and button in ARROWS:
            key, modifiers = ARROWS[button], Qt.NoModifier  # move within a list or gallery
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers))
