"""The visit core and its presenters: a command registered once is reached everywhere; the kiosk can
be walked by touch alone; the visit ends in order on signals and when the display goes away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def presenters(x_display, tmp_path_factory) -> dict:
    """The report of tests/presenters_session.py, run once in a real window."""
    env = dict(os.environ, DISPLAY=x_display, METASEOUL_LANG="en",
               METASEOUL_CONFIG_DIR=str(tmp_path_factory.mktemp("presenters")))
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("presenters_session.py"))],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_command_registered_once_appears_on_desktop_kiosk_and_headset(presenters):
    report = presenters
    assert "Wave hello" in report["menu_buttons"] and "Wave hello" in report["touch_buttons"]
    assert "Wave hello" in report["wrist_rows"]
    assert [report[k] for k in ("by_key", "by_touch", "by_menu", "by_wrist")] == [1, 1, 1, 1]
    assert report["menu_closed_after_choosing"]
    assert report["touch_buttons"][:3] == ["Menu", "Where am I", "What is around"], "the menu, then the commands"
    assert report["menu_by_touch"], "the menu (and its Quit) opens by touch"


def test_enter_in_the_menu_chooses_a_button_and_the_alert_waits(presenters):
    assert presenters["alert_after_menu_enter"], "Enter resumed the visit and left the alert up"
    assert not presenters["alert_after_second_enter"], "the next Enter dismissed it"


def test_a_presenter_hands_the_visit_over_cleanly(presenters):
    assert presenters["scene_after_handover"] == "gwanghwamun", "through a portal after the headset went"
    assert presenters["listeners"] == 2, "the visit's and the presenter's now: closed presenters unsubscribed"


def test_the_frame_rate_shows_when_asked_for(presenters):
    assert presenters["fps_before"] == "" and presenters["fps_after"].endswith(" fps")


def test_the_kiosk_is_walked_by_touch_alone(presenters):
    report = presenters
    assert report["button_pixels"] >= 15 / 25.4 * 96, "every touch button is at least 15 mm on a 96 dpi screen"
    assert report["buttons_inside"], "the buttons stay on the screen (in more columns when they must)"
    assert report["turned_by_pointer"] < 1e-6, "at the kiosk a tap is not a look"
    assert report["walked"] > 1.0, "holding the forward arrow walks"
    assert report["moved_after_release"] < 0.01, "letting go stops"
    assert 20 < report["turned"] < 180, "holding the turn arrow turns right"


def start_visit(display: str, folder: Path) -> subprocess.Popen:
    """``metaseoul play`` with the built-in backend, its files in ``folder``, once it says it is ready."""
    env = dict(os.environ, DISPLAY=display, METASEOUL_LANG="en", METASEOUL_CONFIG_DIR=str(folder / "config"),
               METASEOUL_DATA_DIR=str(folder / "data"), PYTHONUNBUFFERED="1")
    client = subprocess.Popen([sys.executable, "-m", "metaseoul", "play", "city-hall", "--quality", "low"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in client.stdout:  # ends when the client does; the test's timeout bounds a client that hangs
        if line.startswith("metaseoul-status: ready"):
            return client
    raise AssertionError("the visit never became ready: " + client.stderr.read()[-2000:])


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_visit_in_order_and_stops_the_built_in_backend(x_display, tmp_path, ending,
                                                                        serve_processes):
    client = start_visit(x_display, tmp_path)
    try:
        assert serve_processes(str(tmp_path)), "the built-in backend runs for the visit"
        client.send_signal(ending)
        assert client.wait(timeout=20) == 0, client.stderr.read()[-2000:]
        assert "Traceback" not in client.stderr.read()
        assert not serve_processes(str(tmp_path)), "the built-in backend stops with the visit"
    finally:
        if client.poll() is None:
            client.kill()


def test_losing_the_display_ends_the_visit_in_order(tmp_path, serve_processes):
    number = next(n for n in range(150, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                  and not Path(f"/tmp/.X{n}-lock").exists())
    display = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = None
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert display.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        client = start_visit(f":{number}", tmp_path)
        display.terminate()
        display.wait(10)
        assert client.wait(timeout=20) == 3
        assert "the display went away, so the visit has ended; start it again" in client.stderr.read()
        assert not serve_processes(str(tmp_path)), "the built-in backend stops with the visit"
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        if display.poll() is None:
            display.kill()


def test_level_view_levels_the_head_and_is_a_command(visit):
    from metaseoul.runtime.walker import Intent

    visit.step(0.1, Intent(look=-30))
    assert visit.walker.head.getP() == pytest.approx(-30)
    visit.run("level-view")
    assert visit.walker.head.getP() == 0
    assert visit.commands["level-view"].keys == ("f8",)


def test_a_command_that_needs_a_target_gets_what_the_citizen_faces(visit):
    from metaseoul.visit.commands import Command

    got = []
    visit.commands.register(Command("inspect", "Inspect", got.append, needs_target=True))
    visit.walker.place((-110, 8, 0), 270)  # on Sejong-daero, facing west: Daehanmun 20 m ahead
    visit.run("inspect")
    assert [o.id for o in got] == ["daehanmun"]
    visit.walker.place((0, 0, 0), 0)
    visit.walker.body.setZ(-1000)  # nothing named within reach ahead: nothing is done, and the citizen is told
    visit.run("inspect")
    assert len(got) == 1 and visit.captions.text.startswith("There is nothing in front of you for that: turn")
    visit.run("inspect", target=got[0])
    assert got == [got[0], got[0]], "a presenter may pass what the citizen points at"


def test_a_command_needs_an_id_and_keys_of_its_own(visit):
    from metaseoul.visit.commands import Command

    with pytest.raises(ValueError, match="'where' exists"):
        visit.commands.register(Command("where", "Again", lambda: None))
    with pytest.raises(ValueError, match="'jump' exists"):
        visit.commands.register(Command("jump", "Leap", lambda: None))  # a walking action
    with pytest.raises(ValueError, match=r"e \(turn-right\), f1 \(where\)"):
        visit.commands.register(Command("wave", "Wave", lambda: None, keys=("e", "f1")))
    assert "wave" not in visit.commands


def test_captions_toggle_is_saved_and_said(visit, tmp_path):
    from metaseoul.settings import Settings

    visit.run("captions")
    assert Settings.load(tmp_path / "settings.json").captions and visit.notice.text == "Captions on"
    visit.step(5.0)
    assert visit.notice.text == "", "a notice goes when its time is up"


def test_an_idle_visit_ends_and_any_input_keeps_it(visit):
    from metaseoul.runtime.walker import Intent

    visit.idle_exit = 1.0
    for _ in range(3):
        visit.step(0.4)  # a headset presenter moves the walker itself and stirs the visit on input
        visit.stir()
    visit.step(0.4, Intent(forward=1))
    assert not visit.ended
    visit.step(0.6)
    visit.step(0.6, Intent())
    assert visit.ended, "over a second without input ends a kiosk's visit"


def test_a_language_chosen_mid_visit_relabels_the_commands(visit):
    from dataclasses import replace

    from metaseoul import i18n

    try:
        visit.preferences.changed(replace(visit.settings, language="ko"))  # as the launcher saves it
        assert i18n.language() == "ko" and visit.commands["where"].title == "현재 위치"
    finally:
        i18n.set_language("en")


def test_a_portal_to_a_scene_broken_since_the_visit_began_is_closed_with_a_message(offscreen_base, tmp_path):
    """Nobody's edit to a neighbouring scene ends a visit: its portal is closed, said, and the citizen stays."""
    import json

    from metaseoul.runtime.walker import Intent
    from metaseoul.scenes.catalog import builtin_dir
    from metaseoul.visit.core import Visit

    hall = json.loads((builtin_dir() / "city-hall.json").read_text("utf-8"))
    annex = json.loads((builtin_dir() / "gwanghwamun.json").read_text("utf-8"))
    hall["id"], annex["id"] = "my-hall", "annex"
    hall["portals"] = [portal | {"to": "annex"} for portal in hall["portals"] if portal["to"] == "gwanghwamun"]
    (tmp_path / "hall.json").write_text(json.dumps(hall), "utf-8")
    (tmp_path / "annex.json").write_text(json.dumps(annex), "utf-8")
    visit = Visit(offscreen_base, str(tmp_path / "hall.json"), settings_path=tmp_path / "settings.json")
    try:
        (tmp_path / "annex.json").write_text(json.dumps(annex | {"objects": "none"}), "utf-8")  # broken meanwhile
        x, y, z = hall["portals"][0]["position"]
        visit.walker.place((x, y - 6, z), facing=0)
        for _ in range(4 * 60):
            visit.step(1 / 60, Intent(forward=1.0))
        assert visit.world.scene.id == "my-hall", "the citizen stays where they are"
        assert visit.captions.text.startswith("This way is closed"), visit.captions.text
        visit.walker.place((x, y - 6, z), facing=180)  # out and back in: said again, still no crash
        for _ in range(60):
            visit.step(1 / 60, Intent())
        visit.captions.clear()
        visit.walker.place((x, y - 6, z), facing=0)
        for _ in range(4 * 60):
            visit.step(1 / 60, Intent(forward=1.0))
        assert visit.captions.text.startswith("This way is closed") and visit.world.scene.id == "my-hall"
    finally:
        visit.close()
        visit.walker.body.removeNode()
