"""The desktop client in a real OpenGL window on a virtual X display (Xvfb)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
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
    # 850,000 to 885,000 samples, loudest 20,000, over 5 runs; nothing said: no file or silence (0)
    assert len(sound) > 22050 and np.abs(sound).max() > 3000, "F2 should also be spoken aloud"
    assert report["scene_after_portal"] == "gwanghwamun"
    assert report["scene_name_after_portal"] == "Gwanghwamun and Gwanghwamun Square"
    image = PNMImage(str(shot))
    assert (image.getXSize(), image.getYSize()) == (640, 360)
    centre = [image.getBright(x, y) for x in range(250, 390, 4) for y in range(150, 220, 4)]
    # the menu's dark buttons cover 77% of the middle, the square behind it alone 5%; their white labels 3.7%,
    # plain buttons none (the same in every run). The square alone has contrast as well: max - min 0.68.
    dark = sum(1 for b in centre if b < 0.3) / len(centre)
    labels = sum(1 for b in centre if b > 0.8) / len(centre)
    assert dark > 0.4, "the menu's buttons should show in the middle"
    assert labels > 0.01, "the buttons' labels should show"


def test_client_reports_ready_and_quits_when_idle(x_display):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low",
                             "--idle-exit", "2"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "metaseoul-status: loading city-hall" in result.stdout
    assert "metaseoul-status: ready city-hall" in result.stdout


def test_without_a_backend_address_the_built_in_one_runs_for_the_visit(x_display, tmp_path, serve_processes):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en", METASEOUL_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low",
                             "--idle-exit", "2"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "backend" / "metaseoul.sqlite3").is_file()  # the built-in backend's data
    assert not serve_processes(str(tmp_path)), "the built-in backend must stop with the client"


def test_an_unreachable_backend_is_named(x_display, dead_url):
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en")
    result = subprocess.run([sys.executable, "-m", "metaseoul", "play", "--backend", dead_url],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 3
    assert f"metaseoul: the city backend at {dead_url} is unreachable" in result.stderr


def test_the_visitor_appears_and_moves_in_the_backend_room(x_display, server):
    from metaseoul.backend.realtime_client import RealtimeSession
    from metaseoul.scenes import load

    token = httpx.post(server.url + "/auth/guest").json()["access_token"]
    watcher = RealtimeSession(server.url, token, "city-hall", "Watcher").start()
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en")
    client = subprocess.Popen([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low",
                               "--backend", server.url, "--idle-exit", "8"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 90
        while not (visitors := watcher.avatars()):
            assert client.poll() is None, client.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the visitor never showed up in the room"
            time.sleep(0.1)
        ((ident, pose),) = visitors.items()
        assert watcher.members[ident] == "guest"
        spawn = load("city-hall").spawn()["position"]
        assert abs(pose.position[0] - spawn[0]) < 1 and abs(pose.position[1] - spawn[1]) < 1
        assert client.wait(60) == 0
        deadline = time.monotonic() + 10
        while ident in watcher.members:  # the visit ended: it left the room
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        watcher.close()
        if client.poll() is None:
            client.kill()
