"""A HeadsetSession on SteamVR through OpenVR (the ``openvr`` package), for when OpenXR is missing or
asked against.

OpenVR has no session lifecycle of its own, so this one is mapped onto OpenXR's: ready once the
compositor answers, focused while we have the input focus (visible while SteamVR's dashboard has it),
stopping when SteamVR asks the application to quit. Eyes are handed to the compositor as Panda3D's
own OpenGL textures, so no copy is made. Controllers are read through OpenVR's controller state
(SteamVR maps every controller onto it); poses are converted from OpenVR's axes, which are OpenXR's.
When SteamVR's server goes away (its compositor's requests fail) the session is lost, as an OpenXR
session whose instance is lost: state LOST, the sentence in ``lost``, every method a no-op.
"""

from __future__ import annotations

import contextlib
import math
import os

from panda3d.core import LMatrix3f, LQuaternionf

from metaseoul.i18n import _
from metaseoul.runtime.eyes import EYES, HANDS, Fov
from metaseoul.xr.runtime import RuntimeFailed, RuntimeNotInstalled
from metaseoul.xr.session import INPUT, LOST, RENDERING, Frame, Pose, View, runtime_stopped
from metaseoul.xr.spaces import position_from_xr, quaternion_from_xr

PULSE_LIMIT = 0.0039  # seconds: the longest pulse OpenVR's controllers give in one call


@contextlib.contextmanager
def _quiet():
    """OpenVR's library prints its own complaints (a missing path registry) to the terminal; ours say more."""
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def installed() -> bool:
    """Whether SteamVR is installed, as OpenVR's loader sees it (without starting it)."""
    try:
        import openvr
    except ImportError:
        return False
    with _quiet():
        return bool(openvr.isRuntimeInstalled())


def pose_from_matrix(m) -> Pose:
    """An OpenVR 3x4 pose matrix (rotation columns and a translation, OpenXR's axes) in Panda3D's terms."""
    rotation = LMatrix3f(m[0][0], m[1][0], m[2][0], m[0][1], m[1][1], m[2][1], m[0][2], m[1][2], m[2][2])
    q = LQuaternionf()
    q.setFromMatrix(rotation)  # Panda3D's matrices take row vectors: the transpose of OpenVR's
    return Pose(position_from_xr(m[0][3], m[1][3], m[2][3]), quaternion_from_xr(q.getI(), q.getJ(), q.getK(), q.getR()))


def fov_from_tangents(left: float, right: float, top: float, bottom: float) -> Fov:
    """OpenVR's raw projection (tangents, with y pointing down) as OpenXR's four angles."""
    return Fov(math.atan(left), math.atan(right), math.atan(-top), math.atan(-bottom))


class OpenVRSession:
    name = "SteamVR (OpenVR)"

    def __init__(self, base):
        try:
            import openvr
        except ImportError:
            raise RuntimeNotInstalled(_("OpenVR was asked for, but the openvr package is not installed: "
                              "install metaseoul with its xr extra.")) from None
        self.openvr = openvr
        if not installed():
            raise RuntimeNotInstalled(_("SteamVR is not installed. Install Steam and SteamVR, start SteamVR with the "
                              "headset connected, then try again."))
        try:
            with _quiet():
                self.system = openvr.init(openvr.VRApplication_Scene)
        except openvr.error_code.OpenVRError as exc:
            raise RuntimeFailed(_("SteamVR did not start a VR session ({problem}). Start SteamVR, check that it "
                                  "sees the headset, then try again.").format(problem=type(exc).__name__)) from None
        self.state = "idle"
        self.running = False
        self.lost: str | None = None
        self._events = ["ready"]
        try:
            self.gsg = base.win.getGsg()
            self.compositor = openvr.VRCompositor()
            self.compositor.setTrackingSpace(openvr.TrackingUniverseStanding)
            self.eye_size = self.system.getRecommendedRenderTargetSize()
            self._eye_ids = {"left": openvr.Eye_Left, "right": openvr.Eye_Right}
            self.fovs = {eye: fov_from_tangents(*self.system.getProjectionRaw(e)) for eye, e in self._eye_ids.items()}
            self.eye_poses = {eye: pose_from_matrix(self.system.getEyeToHeadTransform(e).m)
                              for eye, e in self._eye_ids.items()}
            self.poses = (openvr.TrackedDevicePose_t * openvr.k_unMaxTrackedDeviceCount)()
        except openvr.error_code.OpenVRError as exc:
            self.close()
            raise RuntimeFailed(_("SteamVR did not start a VR session ({problem}). Start SteamVR, check that it "
                                  "sees the headset, then try again.").format(problem=type(exc).__name__)) from None

    def poll_events(self) -> list[str]:
        openvr = self.openvr
        if self.state in ("exiting", "closed"):
            return []
        if self.state == LOST:  # told once
            events, self._events = self._events, []
            return events
        event = openvr.VREvent_t()
        while self.system.pollNextEvent(event):
            if event.eventType == openvr.VREvent_Quit:
                self.system.acknowledgeQuit_Exiting()
                self._events.append("stopping")
        if self.state in RENDERING and not self._events:  # the dashboard takes the input, and gives it back
            wanted = "focused" if self.system.isInputAvailable() else "visible"
            if wanted != self.state:
                self._events.append(wanted)
        events, self._events = self._events, []
        for state in events:
            self.state = state
        return events

    def begin(self) -> None:
        if self.state == LOST:
            return
        self.running = True
        self._events += ["synchronized", "visible", "focused"]

    def wait_frame(self) -> Frame | None:
        """Waits for the compositor's next frame (it paces the loop) and reads the poses and controllers."""
        openvr = self.openvr
        if self.state not in RENDERING:
            return None
        try:
            self.compositor.waitGetPoses(self.poses, None)
        except openvr.error_code.CompositorError_RequestFailed:
            self._lose("VRCompositorError_RequestFailed")
            return None
        except openvr.error_code.CompositorError:
            return None  # another application has the headset (SteamVR slows us to 10 Hz meanwhile)
        hmd = self.poses[openvr.k_unTrackedDeviceIndex_Hmd]
        if not hmd.bPoseIsValid:
            return None
        head = pose_from_matrix(hmd.mDeviceToAbsoluteTracking.m)
        views = {eye: View(Pose(head.position + head.rotation.xform(self.eye_poses[eye].position),
                                self.eye_poses[eye].rotation * head.rotation), self.fovs[eye]) for eye in EYES}
        hands, values = {}, {}
        if self.state in INPUT:
            for hand in HANDS:
                index = self._controller(hand)
                if index is not None and self.poses[index].bPoseIsValid:
                    hands[hand] = pose_from_matrix(self.poses[index].mDeviceToAbsoluteTracking.m)
            values = self._read_controllers()
        return Frame(0.0, head, views, hands, values)

    def end_frame(self, images: dict) -> None:
        openvr = self.openvr
        if self.state not in RENDERING:
            return
        for eye, e in self._eye_ids.items():
            texture = images[eye].prepareNow(0, self.gsg.getPreparedObjects(), self.gsg)
            try:
                self.compositor.submit(e, openvr.Texture_t(handle=texture.getNativeId(),
                                                           eType=openvr.TextureType_OpenGL,
                                                           eColorSpace=openvr.ColorSpace_Gamma))
            except openvr.error_code.CompositorError_RequestFailed:
                self._lose("VRCompositorError_RequestFailed")
                return
            except openvr.error_code.CompositorError:
                return  # not shown this frame (focus lost meanwhile); the next one will be

    def vibrate(self, hand: str, seconds: float, amplitude: float) -> None:
        index = self._controller(hand)
        if index is not None and self.state in INPUT:
            self.system.triggerHapticPulse(index, 0, int(min(seconds, PULSE_LIMIT) * amplitude * 1e6))

    def request_exit(self) -> None:
        if self.state in ("ready", "synchronized", *RENDERING):
            self._events.append("stopping")

    def end(self) -> None:
        self.running = False
        if self.state != LOST:
            self._events += ["idle", "exiting"]

    def close(self) -> None:
        """Lets go of SteamVR (OpenVR needs no more than that to end cleanly, in any state)."""
        if self.state not in ("closed", LOST):
            self.state = "closed"
            self.running = False
            self.openvr.shutdown()

    def _lose(self, reason: str) -> None:
        """SteamVR's server is gone (it crashed, or was stopped): let go of it, for good."""
        self.close()
        self.lost = runtime_stopped(reason)
        self.state = LOST
        self._events = [LOST]

    def _controller(self, hand: str) -> int | None:
        openvr = self.openvr
        role = openvr.TrackedControllerRole_LeftHand if hand == "left" else openvr.TrackedControllerRole_RightHand
        index = self.system.getTrackedDeviceIndexForControllerRole(role)
        return None if index == openvr.k_unTrackedDeviceIndexInvalid else index

    def _read_controllers(self) -> dict[str, object]:
        """The same action values OpenXR gives, from each hand's stick or trackpad, trigger and buttons."""
        openvr = self.openvr
        values: dict[str, object] = {}
        for hand in HANDS:
            index = self._controller(hand)
            if index is None:
                continue
            ok, state = self.system.getControllerState(index)
            if not ok:
                continue
            pressed = lambda button: bool(state.ulButtonPressed & (1 << button))  # noqa: E731
            stick = (state.rAxis[0].x, state.rAxis[0].y)
            if hand == "left":
                values["move"] = stick
            else:
                values["turn"] = stick
                values["teleport"] = pressed(openvr.k_EButton_A) or pressed(openvr.k_EButton_SteamVR_Touchpad)
            values["select"] = values.get("select", False) or pressed(openvr.k_EButton_SteamVR_Trigger)
            values["grab"] = max(float(values.get("grab", 0.0)), 1.0 if pressed(openvr.k_EButton_Grip) else 0.0)
            values["menu"] = values.get("menu", False) or pressed(openvr.k_EButton_ApplicationMenu)
        return values
