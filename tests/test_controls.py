"""The mouse follows the sensitivity and invert-Y settings, and the view does not jump when the window
gains the focus."""

from __future__ import annotations

import pytest

from metaseoul.runtime.walker import Intent


class Window:
    """Just enough of a Panda3D window for the mouse: a pointer, a size, the focus."""

    def __init__(self):
        self.x, self.y, self.foreground = 320, 180, True

    def getPointer(self, _device):
        window = self

        class Pointer:
            def getX(self):
                return window.x

            def getY(self):
                return window.y

            def getInWindow(self):
                return True
        return Pointer()

    def getProperties(self):
        window = self

        class Properties:
            def getForeground(self):
                return window.foreground
        return Properties()

    def getXSize(self):
        return 640

    def getYSize(self):
        return 360

    def movePointer(self, _device, x, y):
        self.x, self.y = x, y


def look(controls, window: Window, dx: int, dy: int) -> Intent:
    window.x, window.y = 320 + dx, 180 + dy
    intent = Intent()
    controls._mouse(intent)
    return intent


def test_mouse_sensitivity_invert_and_no_jump_when_focus_returns():
    from metaseoul.client.controls import MOUSE_DEGREES_PER_PIXEL, Controls

    window = Window()
    controls = Controls.__new__(Controls)  # the mouse alone: no key bindings, devices or cursor
    controls.base = type("Base", (), {"win": window})()
    controls.sensitivity, controls.invert_y, controls._focused = 1.0, False, False
    first = look(controls, window, 200, 50)
    assert (first.turn, first.look) == (0, 0), "the first reading after gaining the focus only recentres"
    plain = look(controls, window, 10, 10)
    assert plain.turn == pytest.approx(10 * MOUSE_DEGREES_PER_PIXEL) and plain.look < 0
    controls.sensitivity, controls.invert_y = 2.0, True
    fast = look(controls, window, 10, 10)
    assert fast.turn == pytest.approx(2 * plain.turn) and fast.look == pytest.approx(-2 * plain.look)
    window.foreground = False
    assert look(controls, window, 100, 0).turn == 0
    window.foreground = True
    assert look(controls, window, 150, 0).turn == 0, "coming back to the window does not jump the view"
    assert look(controls, window, 10, 0).turn > 0
