"""One command registered on a visit, found in every presenter: its key and the Esc menu on the
desktop, the kiosk's touch buttons, the headset's wrist menu; and a touch-only walk at the kiosk.
Run under Xvfb by test_visit.py; prints a JSON report."""

from __future__ import annotations

import json

from direct.gui import DirectGuiGlobals as DGG
from panda3d.core import Point3

from metaseoul.runtime import engine
from stepping import steppers

base = engine.start(offscreen=False, size=(640, 360))
from metaseoul.client.desktop import DesktopClient  # noqa: E402
from metaseoul.client.headset import HeadsetClient  # noqa: E402
from metaseoul.settings import Settings  # noqa: E402
from metaseoul.visit.commands import Command  # noqa: E402
from metaseoul.visit.core import Visit  # noqa: E402
from metaseoul.xr.session import Pose, SimulatedSession  # noqa: E402

visit = Visit(base, "city-hall")
ran: list[str] = []
report: dict = {}


frames, frames_until = steppers(base)


def press(button, event: str) -> None:
    """What a finger (the pointer's first button) on ``button`` sends."""
    base.messenger.send(event + button.guiId, [None])


desktop = DesktopClient(base, visit, touch=True)
frames(3)
# registered while the presenters run: the keys, the touch buttons and the menus follow
visit.commands.register(Command("wave", "Wave hello", lambda: ran.append("wave"), keys=("f9",)))
frames(1)
base.messenger.send("f9")
frames(1)
report["by_key"] = ran.count("wave")
report["touch_buttons"] = desktop.touch.labels
press(desktop.touch.buttons[desktop.touch.labels.index("Wave hello")], DGG.B1CLICK)
frames(1)
report["by_touch"] = ran.count("wave") - report["by_key"]
press(desktop.touch.buttons[desktop.touch.labels.index("Menu")], DGG.B1CLICK)  # the menu, by touch
frames(1)
report["menu_by_touch"] = desktop.menu.shown
report["menu_buttons"] = desktop.menu.labels
desktop.menu.buttons[desktop.menu.labels.index("Wave hello")].commandFunc(None)
frames(1)
report["by_menu"] = ran.count("wave") - report["by_key"] - report["by_touch"]
report["menu_closed_after_choosing"] = not desktop.menu.shown

# Enter in the open menu chooses its button (Resume); the alert waits for the next Enter
visit.alerts.show({"level": "emergency", "text": {"ko": "대피하세요", "en": "Evacuate"}})
base.messenger.send("escape")
frames(1)
base.messenger.send("enter")
frames(1)
report["alert_after_menu_enter"] = visit.alerts.shown is not None and not desktop.menu.shown
base.messenger.send("enter")
frames(1)
report["alert_after_second_enter"] = visit.alerts.shown is not None

# a touch-only walk: hold the forward arrow, let go, hold turn-right; the pointer moving turns nothing
touch_buttons = desktop.touch.buttons + list(desktop.touch.arrows.values())
sides = [min(right - left, top - bottom) for left, right, bottom, top in (b["frameSize"] for b in touch_buttons)]
report["button_pixels"] = min(sides) * base.win.getYSize() / 2  # aspect2d: the window is 2 units high
report["buttons_inside"] = all(base.render2d.getRelativePoint(b, (0, 0, b["frameSize"][2])).z >= -1
                               for b in desktop.touch.buttons)
start, facing = visit.walker.position, visit.walker.facing
base.win.movePointer(0, 600, 100)
frames(3)
report["turned_by_pointer"] = abs(visit.walker.facing - facing)
press(desktop.touch.arrows["forward"], DGG.B1PRESS)
frames_until(lambda: (visit.walker.position - start).length() > 2.0)
press(desktop.touch.arrows["forward"], DGG.B1RELEASE)
report["walked"] = (visit.walker.position - start).length()
held = visit.walker.position
frames(10)
report["moved_after_release"] = (visit.walker.position - held).length()
press(desktop.touch.arrows["turn-right"], DGG.B1PRESS)  # until 45° either way (at most 9° a frame)
frames_until(lambda: 45 <= (visit.walker.facing - facing) % 360 <= 315)
press(desktop.touch.arrows["turn-right"], DGG.B1RELEASE)
report["turned"] = (visit.walker.facing - facing) % 360
report["fps_before"] = desktop.hud.fps.getText()
settings = Settings.load(visit.preferences.path)
settings.show_fps = True
settings.save(visit.preferences.path)  # as the launcher saves the choice; the client sees the file change
frames_until(lambda: desktop.hud.fps.getText(), seconds=10)
report["fps_after"] = desktop.hud.fps.getText()
desktop.close()

script = {"hands": {"left": Pose(Point3(-0.25, 0.35, 1.1))}, "actions": {}}
session = SimulatedSession(lambda t: (Pose(Point3(0, 0, 1.6)), script["hands"], script["actions"]), eye_size=(96, 96))
headset = HeadsetClient(base, session, visit)
frames(4)
script["actions"] = {"menu": True}
frames(2)
rows = headset.vr.menu.rows
report["wrist_rows"] = [row.label for row in rows]
rows[report["wrist_rows"].index("Wave hello")].action()
report["by_wrist"] = ran.count("wave") - report["by_key"] - report["by_touch"] - report["by_menu"]
headset.close()

# the headset handed back (as when its runtime is lost): the desktop takes over and a portal still works
desktop = DesktopClient(base, visit)
portal = visit.world.scene.portals[0]
visit.walker.place(tuple(portal["position"]), 0)
frames(3)
report["scene_after_handover"] = visit.world.scene.id
report["listeners"] = len(visit.preferences.listeners)
desktop.close()
visit.close()
print(json.dumps(report), flush=True)
