"""The desktop presenter of a visit: the window's camera on the walker's head, keyboard, mouse and
gamepad walking, every command on its keys and in the Esc menu, the HUD, the alert banner, the
signing avatar in a corner and, at the kiosk, touch controls."""

from __future__ import annotations

from metaseoul import i18n
from metaseoul.client.alerts import AlertPanel
from metaseoul.client.controls import Controls, KeyBindings
from metaseoul.client.menu import Hud, Menu
from metaseoul.client.sign_panel import SignPanel, sign_panel
from metaseoul.client.touch import TouchControls
from metaseoul.settings import Settings
from metaseoul.visit.core import Visit
from metaseoul.visit.keys import MENU, keymap


class DesktopClient:
    lost = None  # a headset presenter says here why its runtime went away; the desktop has none to lose

    def __init__(self, base, visit: Visit, touch: bool = False):
        self.base, self.visit = base, visit
        base.camera.reparentTo(visit.walker.head)
        base.camera.setPos(0, 0, 0)
        visit.world.add_camera(base.camera)
        self.hud = Hud(base)
        self.controls = Controls(base)
        self.menu = Menu(base, visit.commands, visit.run, on_resume=self.resume, on_quit=self.quit)
        self.alerts = AlertPanel(base, visit.alerts)
        self.sign_panel: SignPanel | None = None
        self.keys = KeyBindings({})
        self.touch = TouchControls(base, self.controls, visit.commands, visit.run, self.toggle_menu) if touch else None
        if touch:
            self.controls.capture_mouse(False)  # a tap is a press, not a look
            self.hud.hint.hide()  # the keys' hint: the touch controls say it all
        self._bound = -1  # the registry's changes when the keys were last bound
        visit.preferences.listeners.append(self.apply_settings)
        self.apply_settings(visit.settings)
        base.taskMgr.add(self._frame, "metaseoul-frame")

    def apply_settings(self, settings: Settings) -> None:
        """Show the visit by these settings from now on (they follow the settings file live)."""
        keys = keymap(self.visit.commands.default_keys(), settings.keys)
        self.controls.rebind(keys)
        self.controls.sensitivity, self.controls.invert_y = settings.mouse_sensitivity, settings.invert_y
        self._keymap = keys
        self._bind_keys()
        self.menu.keys = {action: keys[action] for action in MENU}
        self.hud.apply(settings, keys)
        self.alerts.reduced_motion = settings.reduced_motion
        if self.touch is not None:
            self.touch.relabel()  # a command registered, or the language changed

    def _bind_keys(self) -> None:
        """Every command on its keys; while the menu is open only the menu's own (Enter there chooses a
        button, and an alert waits for it)."""
        handlers = {"menu": self.toggle_menu}
        if not self.menu.shown:
            handlers |= {c.id: (lambda ident=c.id: self.visit.run(ident)) for c in self.visit.commands}
        self.keys.handlers = handlers
        self.keys.bind({action: self._keymap[action] for action in handlers})
        self._bound = self.visit.commands.changes

    def _sign_panel(self) -> SignPanel | None:
        """The signing avatar's panel, made when first needed and placed by the settings."""
        if self.sign_panel is None:
            self.sign_panel = sign_panel(self.base)
        if self.sign_panel is not None:
            self.sign_panel.place(self.visit.settings.sign_avatar_size, self.visit.settings.sign_avatar_corner)
        return self.sign_panel

    def toggle_menu(self) -> None:
        if self.menu.shown:
            self.resume()
        else:
            self.controls.release_all()
            self.controls.capture_mouse(False)
            self.visit.notice.clear()
            self.menu.show(i18n.pick(self.visit.place))
            self._bind_keys()

    def resume(self) -> None:
        self.menu.hide()
        self._bind_keys()
        self.controls.capture_mouse(self.touch is None)

    def quit(self) -> None:
        self.visit.ended = True

    def _signing(self) -> None:
        """The avatar shows while wanted and signs what the visit asks for."""
        wanted = self.visit.sign_avatar_wanted
        panel = self._sign_panel() if wanted or self.sign_panel is not None else None
        if panel is None:
            self.visit.to_sign.clear()
            return
        if panel.visible != wanted:
            panel.show(wanted)
        for text in self.visit.to_sign:
            panel.sign(text)
        self.visit.to_sign.clear()

    def _frame(self, task):
        dt = min(self.base.clock.getDt(), 0.1)
        if self.visit.commands.changes != self._bound:  # a command registered since: its keys and button
            self.apply_settings(self.visit.settings)
        self.visit.step(dt, None if self.menu.shown else self.controls.intent(dt))
        self.hud.update(self.visit.place, self.visit.captions, self.visit.notice)
        self.alerts.update()
        self._signing()
        return task.cont

    def close(self) -> None:
        """Take the presenter off the window: its frame task, keys, devices, HUD, menu, alert banner,
        signing avatar and touch controls (the visit goes on, for another presenter or to end)."""
        self.base.taskMgr.remove("metaseoul-frame")
        self.visit.preferences.listeners.remove(self.apply_settings)
        self.keys.ignoreAll()
        self.controls.close()
        self.menu.destroy()
        self.hud.destroy()
        self.alerts.destroy()
        if self.sign_panel is not None:
            self.sign_panel.close()
        if self.touch is not None:
            self.touch.destroy()
