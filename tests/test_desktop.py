"""The desktop client in a real OpenGL window on a virtual X display (Xvfb)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from panda3d.core import PNMImage


def test_walk_menu_portal_and_quit_in_a_window(tmp_path):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: run installer/setup-debian"
    shot = tmp_path / "menu.png"
    heard = tmp_path / "speech.raw"
    (tmp_path / ".asoundrc").write_text(f'pcm.!default {{ type file slave.pcm "null" file "{heard}" format "raw" }}\n')
    env = dict(os.environ, METASEOUL_LANG="en", HOME=str(tmp_path))
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1024x768x24", sys.executable,
         str(Path(__file__).with_name("desktop_session.py")), str(shot)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "still running after Quit" not in result.stdout, "Quit in the menu should end the program"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["walked_metres"] > 0.5, "holding W should walk"
    assert report["scene_name_shown"] == "Seoul City Hall and Seoul Plaza"
    assert report["menu_open"] and report["menu_closed"]
    assert report["arrow_walk_after_menu"] > 0.3, "arrow keys should walk again once the menu is closed"
    assert report["moved_with_menu_open"] < 1e-6, "the citizen should not walk while the menu is open"
    assert "Seoul City Hall, " in report["caption_around"] and "o'clock" in report["caption_around"]
    import numpy as np

    sound = np.frombuffer(heard.read_bytes(), dtype="<i2")
    assert len(sound) > 22050 and np.abs(sound).max() > 3000, "F2 should also be spoken aloud"
    assert report["scene_after_portal"] == "gwanghwamun"
    assert report["scene_name_after_portal"] == "Gwanghwamun and Gwanghwamun Square"
    image = PNMImage(str(shot))
    assert (image.getXSize(), image.getYSize()) == (640, 360)
    centre = [image.getBright(x, y) for x in range(250, 390, 4) for y in range(150, 220, 4)]
    assert max(centre) - min(centre) > 0.3, "the menu's buttons should show in the middle"


def test_client_reports_ready_and_quits_when_idle(x_display):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low",
                             "--idle-exit", "2"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "metaseoul-status: loading city-hall" in result.stdout
    assert "metaseoul-status: ready city-hall" in result.stdout
