"""Drives a headset visit on the desktop client (run under Xvfb by test_headset.py) with the simulated
headset: opens the wrist menu, points at a command and selects it; prints JSON and saves the mirror."""

from __future__ import annotations

import json
import sys

from panda3d.core import LQuaternionf, NodePath, PNMImage, Point3

from metaseoul.runtime import engine
from stepping import steppers

base = engine.start(offscreen=False, size=(640, 360))
from metaseoul.client.headset import HeadsetClient  # noqa: E402
from metaseoul.settings import Settings  # noqa: E402
from metaseoul.visit.core import Visit  # noqa: E402
from metaseoul.xr.session import Pose, SimulatedSession  # noqa: E402

script = {"hands": {}, "actions": {}}
session = SimulatedSession(lambda t: (Pose(Point3(0, 0, 1.6)), script["hands"], script["actions"]), eye_size=(320, 288))
core = Visit(base, "city-hall")
client = HeadsetClient(base, session, core)
report: dict = {}


frames, frames_until = steppers(base)


def aimed(position: Point3, target: Point3) -> Pose:
    node = NodePath("aim")
    node.setPos(position)
    node.lookAt(target)
    return Pose(Point3(position), LQuaternionf(node.getQuat()))


frames(4)
visit = client.vr
report["state"] = session.state
report["submitted"] = len(session.submitted)
script["hands"] = {"left": Pose(Point3(-0.25, 0.35, 1.1)), "right": aimed(Point3(0.2, 0.3, 1.2), Point3(0, 1, 1))}
script["actions"] = {"menu": True}
frames(2)
report["menu_rows"] = [row.label for row in visit.menu.rows]
report["commands"] = [command.title for command in core.commands]
row = report["menu_rows"].index("What is around")
panel = visit.menu
target = visit.origin.getRelativePoint(panel.card, Point3(panel.width / 2, 0, panel.height * (1 - (row + 0.5) / len(panel.rows))))
script["hands"]["right"] = aimed(Point3(0.2, 0.1, 1.2), target)
script["actions"] = {}
frames(2)
report["hovered"] = panel.hovered
script["actions"] = {"select": True}
frames(2)
report["caption"] = core.captions.text
frames(1)
report["caption_in_headset"] = client.captions.node().getText()
report["vibrations"] = [hand for hand, _seconds, _amplitude in session.vibrations]
row = report["menu_rows"].index("Signing avatar on or off")
target = visit.origin.getRelativePoint(panel.card, Point3(panel.width / 2, 0, panel.height * (1 - (row + 0.5) / len(panel.rows))))
script["actions"] = {}
script["hands"]["right"] = aimed(Point3(0.2, 0.1, 1.2), target)
frames(2)
script["actions"] = {"select": True}
frames(3)
report["wrist_signer"] = client.signer is not None and not client.signer.isHidden()
report["comfort_before"] = client.vr.locomotion.settings.locomotion
settings = Settings.load()
settings.vr_locomotion, settings.vr_snap_degrees = "smooth", 45
settings.save()
frames_until(lambda: client.vr.locomotion.settings.locomotion == "smooth"
             and client.vr.locomotion.turning.settings.snap_degrees == 45, seconds=10)
report["comfort_after"] = [client.vr.locomotion.settings.locomotion, client.vr.locomotion.turning.settings.snap_degrees]
shot = PNMImage()
base.win.getScreenshot(shot)
shot.write(sys.argv[1])
visit.quit()
frames(6)
report["exited"] = core.ended  # the visit ends with the headset session
report["closed"] = not visit.running and session.state == "exiting"
print(json.dumps(report))
sys.stdout.flush()
