"""VR input and comfort without a headset: the actions' suggested bindings for the five controller
families, intents from action values, the teleport arc and its target rules on a test room, snap and
smooth turning, the vignette while moving smoothly (and drawn darker at the edges), seated height
and reset orientation."""

from __future__ import annotations

import math
import re

import pytest
from panda3d.core import NodePath, Point3, Vec3

from metaseoul.runtime.walker import Walker
from metaseoul.scenes.builders.mesh import MeshBuilder
from metaseoul.xr import actions
from metaseoul.xr.comfort import MAX_TELEPORT, Calibration, ComfortSettings, TeleportArc, Turning, vignette_strength
from metaseoul.xr.locomotion import Hand, Locomotion


@pytest.fixture(scope="module")
def room() -> NodePath:
    """A 40 m floor, a wall on the east (x = 8), and a low roof over y = 4…6 (1.5 m up)."""
    mb = MeshBuilder({"grey": {"color": "#808080"}})
    mb.box((0, 0, -0.2), (40, 40, 0.2), "grey")
    mb.box((8.1, 0, 0), (0.2, 40, 4), "grey")
    mb.box((-15, 5, 1.5), (10, 2, 0.1), "grey")
    root = NodePath("room")
    mb.node("room").reparentTo(root)
    return root


def aim(pitch: float, heading: float = 0.0) -> Vec3:
    """A pointing direction: compass heading (0 north = +y) and pitch above the horizon, in degrees."""
    h, p = math.radians(heading), math.radians(pitch)
    return Vec3(math.sin(h) * math.cos(p), math.cos(h) * math.cos(p), math.sin(p))


@pytest.mark.parametrize("profile", sorted(actions.BINDINGS))
def test_every_controller_family_reaches_every_action_with_real_inputs(profile):
    bound = dict.fromkeys(actions.ACTIONS, 0)
    inputs = actions.INPUTS[profile]
    for action, path in actions.binding_paths(profile):
        match = re.fullmatch(r"/user/hand/(left|right)/(input|output)/(.+)", path)
        assert match, path
        hand, _kind, component = match.groups()
        assert component in inputs.get("both", set()) | inputs.get(hand, set()), f"{profile} has no {path}"
        bound[action] += 1
    assert all(bound[a] for a in actions.REQUIRED), {a: n for a, n in bound.items() if not n}
    if profile != "khr/simple_controller":  # the simple controller has no stick: one walks by teleporting
        assert bound["move"] and bound["turn"] and bound["grab"]
    assert actions.profile_path(profile) == f"/interaction_profiles/{profile}"


def test_action_values_become_intents():
    intent = actions.intent({"move": (0.1, 0.9), "turn": (-1.0, 0.0), "teleport": True, "select": 0.8, "grab": 0.4})
    assert intent.move == (0.1, 0.9) and intent.turn == -1.0 and intent.teleport and intent.select
    assert not actions.intent({"select": 0.2}).select and not actions.intent({}).menu


def test_the_arc_lands_on_open_floor(room):
    arc = TeleportArc(room)
    result = arc.cast(Point3(0, 0, 1.2), aim(20), feet=Point3(0, 0, 0))
    assert result.target is not None and result.reason == ""
    assert result.target.z == pytest.approx(0.0, abs=1e-3) and 3 < result.target.y < 8
    assert all(b.y >= a.y for a, b in zip(result.arc, result.arc[1:])), "the arc goes where it is pointed"
    assert max(p.z for p in result.arc) > 1.2, "and rises before it falls"


@pytest.mark.parametrize("start, direction, reason", [
    (Point3(5, 0, 1.2), aim(10, heading=90), "too steep"),  # straight at the wall
    (Point3(-15, 0, 1.2), aim(5), "no headroom"),  # under the low roof
])
def test_bad_targets_are_refused_with_a_reason(room, start, direction, reason):
    result = TeleportArc(room).cast(start, direction, feet=Point3(start.x, start.y, 0))
    assert result.target is None and result.reason == reason


def test_far_and_high_targets_are_refused(room):
    arc = TeleportArc(room)
    up = Vec3(0, 0, 1)
    assert arc._judge(Point3(0, MAX_TELEPORT + 1, 0), up, Point3(0, 0, 0)) == (None, "too far")
    assert arc._judge(Point3(0, 3, 3.5), up, Point3(0, 0, 0)) == (None, "too high")


def test_snap_turns_once_per_push_and_smooth_turns_with_the_stick():
    snap = Turning(ComfortSettings())
    pushes = [snap.update(x, 1 / 60) for x in (0.0, 0.9, 1.0, 0.9, 0.1, -0.95, -0.5)]
    assert pushes == [0.0, 30.0, 0.0, 0.0, 0.0, -30.0, 0.0]
    smooth = Turning(ComfortSettings(turning="smooth", smooth_turn_speed=90))
    assert smooth.update(0.5, 0.1) == pytest.approx(4.5) and smooth.update(0.05, 0.1) == 0.0


def test_teleport_on_release_and_refusals_keep_you_put(room):
    walker = Walker(room)
    walker.place((0, 0, 0), 0)
    motion = Locomotion(walker, room)
    hand = Hand(Point3(0, 0.3, 1.2), aim(20))
    motion.update(1 / 60, actions.Intent(teleport=True), hand)
    assert motion.aiming is not None and motion.aiming.target is not None
    target = motion.aiming.target
    motion.update(1 / 60, actions.Intent(), hand)  # released
    assert walker.position.y == pytest.approx(target.y) and motion.aiming is None
    walker.place((5, 0, 0), 0)
    wall = Hand(Point3(5, 0, 1.2), aim(10, heading=90))
    motion.update(1 / 60, actions.Intent(teleport=True), wall)
    motion.update(1 / 60, actions.Intent(), wall)
    assert walker.position.x == pytest.approx(5) and motion.last_refusal == "too steep"


def test_the_vignette_closes_in_only_while_moving_smoothly(room):
    walker = Walker(room)
    walker.place((0, -10, 0), 0)
    motion = Locomotion(walker, room, ComfortSettings(locomotion="smooth"))
    hand = Hand(Point3(0, 0, 1.2), aim(0))
    for _ in range(30):
        motion.update(1 / 30, actions.Intent(move=(0.0, 1.0)), hand)
    assert walker.position.y > -9 and motion.vignette > 0.1
    motion.update(1 / 30, actions.Intent(), hand)
    assert motion.vignette == 0.0
    assert vignette_strength(2.0, 0.0, ComfortSettings(vignette=False)) == 0.0
    assert vignette_strength(50.0, 500.0, ComfortSettings()) <= 0.7


def test_seated_mode_lifts_the_view_and_reset_points_forward(room):
    walker = Walker(room)
    walker.place((0, 0, 0), 90)
    motion = Locomotion(walker, room, ComfortSettings(seated=True, standing_eye_height=1.65))
    motion.calibration.calibrate_height(1.15, motion.settings)
    assert motion.eye_height(1.15) == pytest.approx(1.65)
    motion.reset_orientation(tracked_heading=200.0)
    assert (200.0 + motion.calibration.yaw_offset) % 360 == pytest.approx(90.0)
    standing = Calibration()
    standing.calibrate_height(1.7, ComfortSettings())
    assert standing.floor_offset == 0.0


def test_the_vignette_darkens_the_edges_of_each_eye(offscreen_base):
    from metaseoul.runtime.eyes import SimulatedHeadset, StereoRig
    from metaseoul.runtime.offscreen import OffscreenView
    from metaseoul.xr.vignette import Vignette

    scene = NodePath("bright")
    mb = MeshBuilder({"white": {"color": "#FFFFFF"}})
    views = {}

    def camera(eye, lens):
        views[eye] = OffscreenView(offscreen_base, scene, (160, 160), name=f"vignette-{eye}", lens=lens)
        views[eye].buffer.setClearColor((1, 1, 1, 1))
        return views[eye].camera

    mb.box((0, 5, -1), (10, 1, 10), "white")
    mb.node("wall").reparentTo(scene)
    rig = StereoRig(scene, SimulatedHeadset(), camera)
    vignette = Vignette(rig.cameras)
    try:
        def brightness(strength):
            vignette.set(strength)
            offscreen_base.graphicsEngine.renderFrame()
            offscreen_base.graphicsEngine.renderFrame()
            image = views["left"].image()
            return image.getBright(80, 80), image.getBright(3, 3)

        (centre_open, edge_open), (centre_closed, edge_closed) = brightness(0.0), brightness(0.6)
        # every run: the edge 1.0 open and 0.0 closed, the centre 1.0 both times
        assert edge_closed < 0.2 < edge_open and abs(centre_closed - centre_open) < 0.05
    finally:
        for view in views.values():
            view.close()
        rig.remove()


def test_every_desktop_command_is_a_row_on_the_vr_panel_and_the_pointer_selects_it(offscreen_base):
    from metaseoul.visit.commands import Command, Commands
    from metaseoul.xr.panels import WorldPanel, menu_rows

    done = []
    commands = Commands()
    for ident, label in (("where", "Where am I"), ("around", "What is around"), ("ahead", "What is ahead")):
        commands.register(Command(ident, label, lambda a=ident: done.append(a)))
    rows = menu_rows(commands, lambda ident: commands[ident].run(), resume=lambda: done.append("resume"),
                     quit=lambda: done.append("quit"))
    assert [row.label for row in rows] == ["Resume", "Where am I", "What is around", "What is ahead", "Quit"]
    world = NodePath("world")
    wrist = world.attachNewNode("left-wrist")
    wrist.setPos(-0.2, 0.4, 1.1)
    wrist.setH(20)
    panel = WorldPanel(offscreen_base, wrist, rows)
    try:
        offscreen_base.graphicsEngine.renderFrame()  # the panel draws with the next frame
        plain = panel.view.image()
        third = world.getRelativePoint(panel.card, Point3(panel.width / 2, 0, panel.height * (1 - 2.5 / len(rows))))
        hand = Point3(0.3, -0.3, 1.3)
        assert panel.point(hand, third - hand, world) == 2
        offscreen_base.graphicsEngine.renderFrame()
        lit = panel.view.image()
        changed = sum(1 for x in range(0, lit.getXSize(), 8) for y in range(0, lit.getYSize(), 8)
                      if abs(lit.getBright(x, y) - plain.getBright(x, y)) > 0.1)
        assert changed > 20, "the row pointed at lights up"  # 316 of 2,040 in every run; no highlight: 0
        assert panel.select() and done == ["around"]  # Resume, Where am I, What is around, …
        assert panel.point(hand, Vec3(0, 0, 1), world) is None and not panel.select()
    finally:
        panel.close()
