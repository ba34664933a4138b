"""Drives the desktop client's accessibility features in a real window (run under Xvfb by
test_accessibility.py, with sound going to an ALSA file) and prints a JSON report."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from panda3d.core import PNMImage, Point3

from metaseoul.runtime import engine
from stepping import steppers
from metaseoul.settings import Settings

settings_path = Path(sys.argv[1])
Settings(language="en", sign_avatar=True, caption_size="huge", keys={"where": ["k"]}).save(settings_path)
base = engine.start(offscreen=False, size=(640, 360), quality="low")
from metaseoul.client.desktop import DesktopClient  # noqa: E402
from metaseoul.visit.core import Visit  # noqa: E402

visit = Visit(base, "city-hall", settings_path=settings_path)
client = DesktopClient(base, visit)
report: dict = {}
played: list[str] = []  # every earcon the client plays, by name
real_sound = visit.sound
visit.sound = lambda name, *args, **kwargs: (played.append(name), real_sound(name, *args, **kwargs))


frames, frames_until = steppers(base)


frames(3)
report["caption_scale"] = client.hud.captions.getScale()[0]
shot = PNMImage()
base.win.getScreenshot().store(shot)
card = client.sign_panel.card  # the middle of the signing avatar's picture, in window pixels
centre = base.render2d.getRelativePoint(card, Point3(0.5, 0, 0.5))
px, py = int((centre.x + 1) / 2 * shot.getXSize()), int((1 - centre.z) / 2 * shot.getYSize())
report["panel_brightness"] = sum(shot.getBright(px + dx, py + dy) for dx in range(-20, 21, 5)
                                 for dy in range(-20, 21, 5)) / 81
report["sign_panel_shown"] = client.sign_panel is not None and not client.sign_panel.card.isHidden()
report["signing_place_name"] = [i.label for i in client.sign_panel.performance.items] if client.sign_panel.performance else []
report["hint"] = client.hud.hint.getText()

base.messenger.send("f1")  # remapped away: nothing happens
frames(2)
report["caption_after_f1"] = client.hud.captions.getText()
base.messenger.send("k")
frames(2)
report["caption_after_k"] = client.hud.captions.getText()

Settings(language="en", sign_avatar=False, caption_colors="black-on-white", keys={"where": ["k"]}).save(settings_path)
frames_until(lambda: client.sign_panel.card.isHidden()  # the client looks at the file twice a second
             and list(client.hud.captions.textNode.getTextColor())[:3] == [0.0, 0.0, 0.0], seconds=10)
report["caption_color_live"] = list(client.hud.captions.textNode.getTextColor())
report["sign_panel_hidden_live"] = client.sign_panel.card.isHidden()

base.messenger.send("f4")  # guide me
frames(2)
report["guide_caption"] = client.hud.captions.getText()
target = visit.guide.target
frames(40, sleep=0.03)
lo, hi = target.bounds
visit.walker.place(((lo.x + hi.x) / 2, lo.y - 1.0, 0.0), 0)
frames(3)
report["arrived_caption"] = client.hud.captions.getText()

visit.alerts.show({"level": "emergency", "text": {"ko": "지진 발생, 대피하세요", "en": "Earthquake: evacuate"}})
frames(2)
report["alert_signed"] = [i.label for i in client.sign_panel.performance.items] if client.sign_panel.performance else []
brightness = []
for _ in range(30):
    frames(1, sleep=0.05)
    brightness.append(client.alerts.border["frameColor"][0])
report["alert_still_shown_after_1_5_s"] = visit.alerts.shown is not None and not client.alerts.border.isHidden()
report["alert_border_changes"] = sum(1 for a, b in zip(brightness, brightness[1:]) if a != b)
base.messenger.send("enter")
frames(2)
report["alert_dismissed"] = visit.alerts.shown is None and client.alerts.border.isHidden()

import math  # noqa: E402

hall = next(o for o in visit.world.scene.objects if o["id"] == "old-city-hall")
toward = math.radians(hall["facing"])
cx, cy, _z = hall["position"]
# 16 m in front of the old City Hall, facing its entrance: walk until the wall stops us
visit.walker.place((cx + 16 * math.sin(toward), cy + 16 * math.cos(toward), 0), (hall["facing"] + 180) % 360)
report["sounds_before_the_wall"] = list(played)
base.messenger.send("w")
frames_until(lambda: "bump" in played[len(report["sounds_before_the_wall"]):], seconds=60)
frames(3)
base.messenger.send("w-up")
report["bumped"] = visit.walker.blocked or visit._bump_wait > 0
report["sounds"] = played[len(report["sounds_before_the_wall"]):]
time.sleep(1.0)
print(json.dumps(report), flush=True)
