"""What a VR visit needs from a headset, whichever runtime drives it: the session's state (OpenXR's
lifecycle: idle, ready, synchronized, visible, focused, stopping, exiting; and lost, for good, when
the runtime goes away mid-visit, with the sentence for the citizen in ``lost``), one frame at a
time with the head, eye and hand poses and the controllers' action values, and the rendered eye
images handed back. The simulated session implements it with scripted poses and no runtime, for
tests and headless use; an OpenXR or OpenVR session implements the same methods.

Poses are in Panda3D's axes (x right, y forward, z up), relative to the tracking space's origin on
the floor; ``spaces.py`` converts OpenXR's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from panda3d.core import LQuaternionf, Point3

from metaseoul.i18n import _
from metaseoul.runtime.eyes import EYES, Fov, SimulatedHeadset, eye_offset

RENDERING = ("visible", "focused")  # states in which frames are drawn
INPUT = ("focused",)  # the state in which the controllers are ours
LOST = "lost"  # the runtime stopped (instance or session lost): nothing more comes; every method is a no-op


def runtime_stopped(reason: str) -> str:
    """What the citizen is told when the headset's runtime goes away mid-visit; ``reason`` is what it said."""
    return _("The headset's VR runtime stopped ({reason}); the visit goes on on the desktop.").format(reason=reason)


@dataclass(frozen=True)
class Pose:
    position: Point3
    rotation: LQuaternionf = field(default_factory=LQuaternionf.identQuat)


@dataclass(frozen=True)
class View:
    """Where one eye is and what it sees this frame (runtimes may change both, e.g. with the IPD dial)."""
    pose: Pose
    fov: Fov


@dataclass(frozen=True)
class Frame:
    time: float  # seconds, the runtime's predicted display time
    head: Pose
    views: dict[str, View]  # "left", "right"
    hands: dict[str, Pose]  # aim poses of the controllers that are tracked: "left", "right"
    actions: dict[str, object]  # action values (see actions.py), empty unless focused


class HeadsetSession(Protocol):
    name: str
    state: str
    running: bool  # begun and not yet ended: the runtime paces the frame loop
    eye_size: tuple[int, int]  # pixels of each eye's image
    lost: str | None  # once the state is LOST: the sentence for the citizen (runtime_stopped)

    def poll_events(self) -> list[str]: ...  # new states since the last poll, in order
    def begin(self) -> None: ...  # after "ready": start the session
    def wait_frame(self) -> Frame | None: ...  # the next frame, or None when nothing is to be drawn
    def end_frame(self, images: dict) -> None: ...  # the eyes' textures for this frame
    def vibrate(self, hand: str, seconds: float, amplitude: float) -> None: ...
    def request_exit(self) -> None: ...
    def end(self) -> None: ...  # after "stopping": end the session
    def close(self) -> None: ...  # let go of the runtime, in any state; never raises


Script = Callable[[float], tuple[Pose, dict[str, Pose], dict[str, object]]]


class SimulatedSession:
    """A headset with no runtime: poses and controller input come from ``script(t)``; submitted eye
    images are kept in ``submitted`` so tests can look at them."""

    name = "simulated headset"

    def __init__(self, script: Script, eye_size: tuple[int, int] = (640, 640), frame_seconds: float = 1 / 90,
                 headset: SimulatedHeadset | None = None):
        headset = headset or SimulatedHeadset()
        self.script, self.eye_size, self.frame_seconds = script, eye_size, frame_seconds
        self.fovs, self.ipd = headset.fovs, headset.ipd
        self.state = "idle"
        self.running = False
        self.lost: str | None = None
        self.time = 0.0
        self.submitted: list[dict] = []
        self.vibrations: list[tuple[str, float, float]] = []
        self._events = ["ready"]
        self._focus_lost = False

    def _to(self, state: str) -> None:
        self._events.append(state)

    def poll_events(self) -> list[str]:
        events, self._events = self._events, []
        for state in events:
            self.state = state
        return events

    def begin(self) -> None:
        if self.state == LOST:
            return
        if self.state != "ready":
            raise RuntimeError(f"cannot begin a session that is {self.state}")
        self.running = True
        for state in ("synchronized", "visible", "focused"):
            self._to(state)

    def lose_focus(self) -> None:
        """As when the runtime's own menu opens: still drawn, no input."""
        self._to("visible")

    def lose(self, reason: str = "XR_ERROR_INSTANCE_LOST") -> None:
        """As when the runtime crashes or the headset is unplugged: the session ends for good."""
        self.running = False
        self.lost = runtime_stopped(reason)
        self._events = [LOST]

    def wait_frame(self) -> Frame | None:
        if self.state not in RENDERING:
            return None
        self.time += self.frame_seconds
        head, hands, actions = self.script(self.time)
        views = {eye: View(Pose(head.position + head.rotation.xform(eye_offset(self.ipd, eye)), head.rotation),
                           self.fovs[eye]) for eye in EYES}
        return Frame(self.time, head, views, hands, actions if self.state in INPUT else {})

    def end_frame(self, images: dict) -> None:
        self.submitted.append(images)

    def vibrate(self, hand: str, seconds: float, amplitude: float) -> None:
        self.vibrations.append((hand, seconds, amplitude))

    def request_exit(self) -> None:
        if self.state == LOST:
            return
        if self.state in ("synchronized", "visible", "focused"):
            self._to("stopping")
        elif self.state in ("idle", "ready"):
            self._to("exiting")

    def end(self) -> None:
        self.running = False
        if self.state == "stopping":
            self._to("idle")
            self._to("exiting")

    def close(self) -> None:
        self.request_exit()
