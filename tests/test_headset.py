"""A headset visit on the desktop client, in a real window (Xvfb) with the simulated headset: every
desktop command on the wrist menu, a command reached by pointing, the window mirroring the left eye,
and the program ending with the session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from panda3d.core import PNMImage

from metaseoul.client.keymap import COMMANDS, action_label


def test_the_wrist_menu_carries_the_desktop_and_the_window_mirrors_the_headset(tmp_path):
    shot = tmp_path / "mirror.png"
    env = dict(os.environ, METASEOUL_LANG="en", HOME=str(tmp_path))
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1024x768x24", sys.executable,
                             str(Path(__file__).with_name("headset_session.py")), str(shot)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["state"] == "focused" and report["submitted"] >= 1
    assert set(report["menu_rows"]) >= {action_label(a) for a in COMMANDS if a != "menu"} | {"Resume", "Quit", "Reset view"}
    assert report["hovered"] == report["menu_rows"].index("What is around")
    assert report["caption"], "the desktop's narrator answered the wrist menu"
    assert report["caption_in_headset"] == report["caption"], "captions show in the headset too"
    assert "right" in report["vibrations"], "pointing at a row and selecting it are felt"
    assert report["wrist_signer"], "switched on from the wrist menu, the signing avatar rides on the right wrist"
    assert report["exited"] and report["closed"]
    image = PNMImage(str(shot))
    top = sum(image.getBlue(x, 20) for x in range(200, 440, 8))
    bottom = sum(image.getBlue(x, 330) for x in range(200, 440, 8))
    assert top > bottom, "the window shows the eye's view: sky above, ground below"
    bars = [image.getBright(x, y) for x in (20, 60) for y in range(80, 280, 10)]  # (the signing avatar is bottom right)
    assert max(bars) < 0.05, "the eye's narrower image is letterboxed, not the scene drawn a third time"
