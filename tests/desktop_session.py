"""Drives the desktop client in a real window (run under Xvfb by test_desktop.py) and prints JSON."""

from __future__ import annotations

import json
import sys
import time

from metaseoul.runtime import engine
from stepping import steppers

base = engine.start(offscreen=False, size=(640, 360))
from metaseoul.client.desktop import DesktopClient  # noqa: E402
from metaseoul.visit.core import Visit  # noqa: E402

visit = Visit(base, "city-hall")
client = DesktopClient(base, visit)
report: dict = {}


frames, frames_until = steppers(base)


frames(3)
start = visit.walker.position
base.messenger.send("w")
frames_until(lambda: (visit.walker.position - start).length() > 2.0)
base.messenger.send("w-up")
report["walked_metres"] = (visit.walker.position - start).length()
report["scene_name_shown"] = client.hud.place.getText()

base.messenger.send("escape")
frames(2)
report["menu_open"] = client.menu.shown
held = visit.walker.position
base.messenger.send("w")
frames(20)
report["moved_with_menu_open"] = (visit.walker.position - held).length()
base.messenger.send("w-up")
base.messenger.send("escape")
frames(2)
report["menu_closed"] = not client.menu.shown
before = visit.walker.position
base.messenger.send("arrow_up")  # walking by arrow keys must still work after the menu took them
frames_until(lambda: (visit.walker.position - before).length() > 1.0)
base.messenger.send("arrow_up-up")
report["arrow_walk_after_menu"] = (visit.walker.position - before).length()

base.messenger.send("f2")  # what is around me: caption now, speech through the (file) sound device
frames(2)
report["caption_around"] = client.hud.captions.getText()
time.sleep(3)  # let the speech thread finish playing

portal = visit.world.scene.portals[0]
x, y, z = portal["position"]
visit.walker.place((x, y, z), 0)
frames(3)
report["scene_after_portal"] = visit.world.scene.id
report["scene_name_after_portal"] = client.hud.place.getText()

base.messenger.send("escape")
frames(2)
base.screenshot(sys.argv[1], defaultFilename=False)
print(json.dumps(report), flush=True)
base.messenger.send("arrow_up")  # from Resume round to the last button, Quit
base.messenger.send("enter")
frames(5)
if not visit.ended:
    print("still running after Quit", flush=True)
