"""A VR visit driven by the simulated headset session: the lifecycle (begin when ready, draw while
visible, input only when focused, a clean end), teleporting with the controller in City Hall, and
the wrist menu reaching a desktop command by pointing."""

from __future__ import annotations

import pytest
from panda3d.core import LQuaternionf, NodePath, Point3

from metaseoul.runtime.walker import Walker
from metaseoul.runtime.world import World
from metaseoul.visit.commands import Command, Commands
from metaseoul.xr.session import Pose, SimulatedSession
from metaseoul.xr.visit import VRVisit

HEAD = Pose(Point3(0, 0, 1.6))


def aimed(position: Point3, target: Point3) -> Pose:
    """A controller at ``position`` pointing at ``target`` (its aim is +y)."""
    node = NodePath("aim")
    node.setPos(position)
    node.lookAt(target)
    return Pose(Point3(position), LQuaternionf(node.getQuat()))


def run(visit: VRVisit, frames: int) -> None:
    for _ in range(frames):
        visit.step(1 / 90)


@pytest.fixture
def visit(offscreen_base):
    script = {"hands": {}, "actions": {}}
    session = SimulatedSession(lambda t: (HEAD, script["hands"], script["actions"]), eye_size=(96, 96))
    done = []
    commands = Commands()
    for ident, label in (("where", "Where am I"), ("around", "What is around")):
        commands.register(Command(ident, label, lambda a=ident: done.append(a)))
    world = World(offscreen_base.render)
    world.enter("city-hall")
    walker = Walker(offscreen_base.render)
    world.spawn(walker, None)
    running = VRVisit(offscreen_base, session, world, walker, commands, lambda ident: commands[ident].run())
    running.script, running.done = script, done
    yield running
    running.close()
    world.leave()
    walker.body.removeNode()


def test_the_session_lifecycle_is_followed(visit):
    session = visit.session
    run(visit, 1)
    assert session.state == "ready" and not session.submitted  # begins on ready …
    run(visit, 2)
    assert session.state == "focused" and len(session.submitted) >= 1  # … and draws once focused
    assert set(session.submitted[-1]) == {"left", "right"}
    visit.quit()
    run(visit, 3)
    assert session.state == "exiting" and not visit.running
    frames = len(session.submitted)
    run(visit, 2)
    assert len(session.submitted) == frames  # nothing drawn after the end


def test_teleporting_with_the_controller(visit):
    run(visit, 3)
    start = visit.walker.position
    hand = Point3(0.2, 0.3, 1.2)
    visit.script["hands"] = {"right": aimed(hand, Point3(0.2, 4, 0.2))}
    visit.script["actions"] = {"teleport": True}
    run(visit, 5)
    assert visit.locomotion.aiming is not None and visit.locomotion.aiming.target is not None
    visit.script["actions"] = {}
    run(visit, 2)
    moved = visit.walker.position - start
    assert 2 < moved.length() < 10, moved


def test_no_input_without_focus(visit):
    run(visit, 3)
    start = visit.walker.position
    visit.session.lose_focus()
    visit.script["hands"] = {"right": aimed(Point3(0.2, 0.3, 1.2), Point3(0.2, 4, 0.2))}
    visit.script["actions"] = {"teleport": True}
    run(visit, 4)
    visit.script["actions"] = {}
    run(visit, 2)
    assert (visit.walker.position - start).length() < 0.01 and visit.session.state == "visible"
    assert visit.session.submitted, "still drawn while the runtime's own menu is up"


def test_the_wrist_menu_reaches_desktop_commands(visit):
    run(visit, 3)
    left = Pose(Point3(-0.25, 0.35, 1.1))
    visit.script["hands"] = {"left": left, "right": aimed(Point3(0.2, 0.3, 1.2), Point3(0, 1, 1))}
    visit.script["actions"] = {"menu": True}
    run(visit, 2)
    assert visit.menu_open
    panel = visit.menu
    row = 1  # Resume, Where am I, …
    target = visit.origin.getRelativePoint(  # tracked poses are in the play space's frame
        panel.card, Point3(panel.width / 2, 0, panel.height * (1 - (row + 0.5) / len(panel.rows))))
    visit.script["hands"]["right"] = aimed(Point3(0.2, 0.1, 1.2), target)
    visit.script["actions"] = {}
    run(visit, 2)
    assert panel.hovered == row
    visit.script["actions"] = {"select": True}
    run(visit, 2)
    assert visit.done == ["where"]
