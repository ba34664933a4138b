"""A HeadsetSession on an OpenXR runtime (through pyopenxr), drawing with Panda3D's own OpenGL context.

The runtime gets Panda3D's context through XR_KHR_opengl_enable (an Xlib/GLX binding on Linux, WGL
on Windows), so nothing is shared across contexts: each eye is rendered by Panda3D into a texture
on the graphics card and copied (``glCopyImageSubData``, no trip through memory) into the image the
runtime's swapchain hands out for that eye. Panda3D cannot render into a texture it did not create,
so this one copy per eye is the price of keeping Panda3D's own buffers. Poses come in the stage
space (the play area's floor) when the runtime has one, else the local space lifted to a standing
eye height, and are converted to Panda3D's axes (``spaces.py``).

Panda3D's context is current on this thread after ``renderFrame``, which is where the visit calls
``end_frame``; the session is created after a first frame for the same reason.

A runtime can go away in any call (it crashed, the headset was unplugged): the session is then lost
for good (state LOST, with the sentence for the citizen in ``lost``), everything it made is let go,
and every method is a no-op from then on; nothing of it raises into the visit.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import time

from metaseoul.i18n import _
from metaseoul.runtime.eyes import EYES, HANDS, Fov
from metaseoul.xr import actions as xr_actions
from metaseoul.xr.runtime import NoRuntime, connect, driver_cannot_share, import_openxr, result_name, runtime_failed
from metaseoul.xr.session import INPUT, LOST, Frame, Pose, View, runtime_stopped
from metaseoul.xr.spaces import position_from_xr, quaternion_from_xr

LOCAL_EYE_HEIGHT = 1.6  # metres added to heights in a local space, whose origin is at the eyes
# GL_SRGB8_ALPHA8, GL_RGBA8, in this order whatever the runtime's (which may put GL_RGBA16 first): Panda3D's
# images are already sRGB-encoded, and glCopyImageSubData copies only between formats of one size
COLOR_FORMATS = (0x8C43, 0x8058)
# what a runtime that imports its images from Vulkan (Monado, SteamVR on Linux) needs of the OpenGL driver
SHARING_EXTENSIONS = ("GL_EXT_memory_object", "GL_EXT_memory_object_win32" if sys.platform == "win32"
                      else "GL_EXT_memory_object_fd")
_TYPES = {"boolean": "BOOLEAN_INPUT", "float": "FLOAT_INPUT", "vector2f": "VECTOR2F_INPUT", "pose": "POSE_INPUT",
          "vibration_output": "VIBRATION_OUTPUT"}


class OpenXRSession:
    """The OpenXR lifecycle, frame loop, swapchains and actions behind the HeadsetSession methods."""

    def __init__(self, base):
        self.base = base
        self.gsg = base.win.getGsg()
        self.instance = self.session = self.space = self.head_space = self.action_set = None
        self.swapchains: list = []
        self.aim_spaces: dict = {}
        self.state = "idle"
        self.running = False  # between xrBeginSession and xrEndSession: the frame loop runs
        self.lost: str | None = None  # why the session was lost, once it is
        self.runtime = "OpenXR"  # the runtime's name, once it answers
        self._unreported: list[str] = []  # states reached outside poll_events (lost), for its next answer
        self._frame_state = None
        self._views: list = []
        xr = import_openxr()
        try:
            self._open()
        except xr.exception.XrException as exc:
            self.close()
            raise runtime_failed(self.runtime, result_name(exc)) from None
        except BaseException:
            self.close()
            raise

    # -- setting up ---------------------------------------------------------------------------------

    def _open(self) -> None:
        import xr

        connection = connect((xr.KHR_OPENGL_ENABLE_EXTENSION_NAME,))
        self.instance, self.system, self.runtime = connection.instance, connection.system, connection.runtime
        self.name = f"{connection.runtime}: {connection.headset}"
        views = xr.enumerate_view_configuration_views(self.instance, self.system, xr.ViewConfigurationType.PRIMARY_STEREO)
        self.eye_size = (views[0].recommended_image_rect_width, views[0].recommended_image_rect_height)
        self._check_opengl_version()
        self.base.graphicsEngine.renderFrame()  # leaves Panda3D's context current on this thread
        binding = _graphics_binding()
        try:
            self.session = xr.create_session(self.instance, xr.SessionCreateInfo(
                system_id=self.system, next=ctypes.cast(ctypes.pointer(binding), ctypes.c_void_p)))
        except xr.exception.XrException:
            lacking = [name for name in SHARING_EXTENSIONS if not self.gsg.hasExtension(name)]
            if lacking:  # runtimes say no more than XR_ERROR_INITIALIZATION_FAILED: the driver is why
                raise driver_cannot_share(self.runtime, lacking) from None
            raise
        self._binding = binding  # the runtime may read it until the session ends
        spaces = set(xr.enumerate_reference_spaces(self.session))
        self.lift = 0.0 if xr.ReferenceSpaceType.STAGE in spaces else LOCAL_EYE_HEIGHT
        kind = xr.ReferenceSpaceType.STAGE if not self.lift else xr.ReferenceSpaceType.LOCAL
        self.space = xr.create_reference_space(self.session, xr.ReferenceSpaceCreateInfo(reference_space_type=kind))
        self.head_space = xr.create_reference_space(self.session, xr.ReferenceSpaceCreateInfo(
            reference_space_type=xr.ReferenceSpaceType.VIEW))
        self._make_swapchains()
        self._make_actions()

    def _check_opengl_version(self) -> None:
        import xr

        get = ctypes.cast(xr.get_instance_proc_addr(self.instance, "xrGetOpenGLGraphicsRequirementsKHR"),
                          xr.PFN_xrGetOpenGLGraphicsRequirementsKHR)
        needs = xr.GraphicsRequirementsOpenGLKHR()
        result = xr.check_result(xr.Result(get(self.instance, self.system, ctypes.byref(needs))))
        if result.is_exception():
            raise result
        have = xr.Version(self.gsg.getDriverVersionMajor(), self.gsg.getDriverVersionMinor(), 0)
        if have.number() < needs.min_api_version_supported:
            raise NoRuntime(_("The VR runtime needs OpenGL {needed}, but the graphics driver has {have}. "
                              "Update the graphics driver.").format(
                needed=xr.Version(needs.min_api_version_supported), have=have))

    def _make_swapchains(self) -> None:
        import xr

        offered = list(xr.enumerate_swapchain_formats(self.session))
        chosen = next((f for f in COLOR_FORMATS if f in offered), None)
        if chosen is None:
            raise NoRuntime(_("The VR runtime offers no 8-bit colour image format that metaseoul can draw into."))
        width, height = self.eye_size
        for _eye in EYES:
            handle = xr.create_swapchain(self.session, xr.SwapchainCreateInfo(
                usage_flags=xr.SwapchainUsageFlags.COLOR_ATTACHMENT_BIT | xr.SwapchainUsageFlags.TRANSFER_DST_BIT,
                format=chosen, sample_count=1, width=width, height=height, face_count=1, array_size=1, mip_count=1))
            images = xr.enumerate_swapchain_images(handle, xr.SwapchainImageOpenGLKHR)
            self.swapchains.append((handle, [image.image for image in images]))

    def _make_actions(self) -> None:
        import xr

        self.hand_paths = {hand: xr.string_to_path(self.instance, f"/user/hand/{hand}") for hand in HANDS}
        both = list(self.hand_paths.values())
        self.action_set = xr.create_action_set(self.instance, xr.ActionSetCreateInfo(
            action_set_name="metaseoul", localized_action_set_name=_("Moving around the city"), priority=0))
        self.actions = {}
        for name, kind in xr_actions.ACTIONS.items():
            self.actions[name] = xr.create_action(self.action_set, xr.ActionCreateInfo(
                action_name=name.replace("_", "-"), action_type=getattr(xr.ActionType, _TYPES[kind]),
                subaction_paths=both, localized_action_name=xr_actions.label(name)))
        for profile in xr_actions.BINDINGS:
            bindings = [xr.ActionSuggestedBinding(self.actions[action], xr.string_to_path(self.instance, path))
                        for action, path in xr_actions.binding_paths(profile)]
            try:
                xr.suggest_interaction_profile_bindings(self.instance, xr.InteractionProfileSuggestedBinding(
                    interaction_profile=xr.string_to_path(self.instance, xr_actions.profile_path(profile)),
                    suggested_bindings=bindings))
            except xr.exception.PathUnsupportedError:
                pass  # a runtime may not know every controller family; the others still work
        xr.attach_session_action_sets(self.session, xr.SessionActionSetsAttachInfo(action_sets=[self.action_set]))
        self.aim_spaces = {hand: xr.create_action_space(self.session, xr.ActionSpaceCreateInfo(
            action=self.actions["aim_pose"], subaction_path=path)) for hand, path in self.hand_paths.items()}

    # -- the HeadsetSession methods -----------------------------------------------------------------

    def poll_events(self) -> list[str]:
        """New states, in order. A controller connecting (an interaction profile changed) needs nothing:
        the hands are located each frame and appear once the runtime tracks them."""
        import xr

        states = []
        with self._losable():
            while self.instance is not None:
                try:
                    event = xr.poll_event(self.instance)
                except xr.EventUnavailable:
                    break
                kind = xr.StructureType(event.type)
                if kind == xr.StructureType.EVENT_DATA_SESSION_STATE_CHANGED:
                    changed = ctypes.cast(ctypes.byref(event), ctypes.POINTER(xr.EventDataSessionStateChanged)).contents
                    state = xr.SessionState(changed.state)
                    if state == xr.SessionState.LOSS_PENDING:
                        self._lose("XR_SESSION_STATE_LOSS_PENDING")
                    else:
                        self.state = state.name.lower()
                        states.append(self.state)
                elif kind == xr.StructureType.EVENT_DATA_INSTANCE_LOSS_PENDING:
                    self._lose("XR_TYPE_EVENT_DATA_INSTANCE_LOSS_PENDING")
        states += self._unreported
        self._unreported = []
        return states

    def begin(self) -> None:
        import xr

        if self.session is None:
            return
        with self._losable():
            xr.begin_session(self.session, xr.SessionBeginInfo(
                primary_view_configuration_type=xr.ViewConfigurationType.PRIMARY_STEREO))
            self.running = True

    def wait_frame(self) -> Frame | None:
        """Runs the runtime's frame loop from xrBeginSession on (its pace is xrWaitFrame's); None when
        nothing of ours is shown (the frame is ended at once, with no layers)."""
        import xr

        if not self.running or self.state in ("stopping", "exiting"):
            return None
        with self._losable():
            self._frame_state = xr.wait_frame(self.session)
            try:
                xr.begin_frame(self.session)
            except xr.FrameDiscarded:
                pass  # the previous frame was never ended; this one replaces it
            when = self._frame_state.predicted_display_time
            if not self._frame_state.should_render:
                self._end([])
                return None
            view_state, self._views = xr.locate_views(self.session, xr.ViewLocateInfo(
                view_configuration_type=xr.ViewConfigurationType.PRIMARY_STEREO, display_time=when, space=self.space))
            valid = xr.ViewStateFlags.POSITION_VALID_BIT | xr.ViewStateFlags.ORIENTATION_VALID_BIT
            head = self._locate(self.head_space, when)
            if (view_state.view_state_flags & valid) != valid or head is None:
                self._end([])  # no pose to draw from (tracking lost): nothing is submitted this frame
                return None
            views = {eye: View(self._pose(v.pose), Fov(v.fov.angle_left, v.fov.angle_right, v.fov.angle_up,
                                                       v.fov.angle_down)) for eye, v in zip(EYES, self._views)}
            hands, values = {}, {}
            if self.state in INPUT:
                values = self._read_actions()
                for hand, space in self.aim_spaces.items():
                    pose = self._locate(space, when)
                    if pose is not None:
                        hands[hand] = pose
            return Frame(when / 1e9, head, views, hands, values)
        return None  # the session was lost

    def end_frame(self, images: dict) -> None:
        """Copies each eye's texture into its swapchain image and submits both as one projection layer."""
        if self.session is None:
            return
        with self._losable():
            self._submit(images)

    def _submit(self, images: dict) -> None:
        import xr
        from OpenGL import GL

        layer_views = []
        width, height = self.eye_size
        for (handle, gl_images), eye, view in zip(self.swapchains, EYES, self._views):
            index = xr.acquire_swapchain_image(handle, xr.SwapchainImageAcquireInfo())
            xr.wait_swapchain_image(handle, xr.SwapchainImageWaitInfo(timeout=xr.INFINITE_DURATION))
            texture = images[eye].prepareNow(0, self.gsg.getPreparedObjects(), self.gsg)
            GL.glCopyImageSubData(texture.getNativeId(), GL.GL_TEXTURE_2D, 0, 0, 0, 0,
                                  gl_images[index], GL.GL_TEXTURE_2D, 0, 0, 0, 0, width, height, 1)
            xr.release_swapchain_image(handle, xr.SwapchainImageReleaseInfo())
            layer_view = xr.CompositionLayerProjectionView(pose=view.pose, fov=view.fov)
            layer_view.sub_image.swapchain = handle
            layer_view.sub_image.image_rect.extent[:] = [width, height]
            layer_views.append(layer_view)
        layer = xr.CompositionLayerProjection(space=self.space, views=layer_views)
        self._end([ctypes.cast(ctypes.byref(layer), ctypes.POINTER(xr.CompositionLayerBaseHeader))])

    def vibrate(self, hand: str, seconds: float, amplitude: float) -> None:
        import xr

        if self.state not in INPUT:
            return
        pulse = xr.HapticVibration(duration=int(seconds * 1e9), frequency=xr.FREQUENCY_UNSPECIFIED, amplitude=amplitude)
        try:
            with self._losable():
                xr.apply_haptic_feedback(self.session, xr.HapticActionInfo(
                    action=self.actions["haptic"], subaction_path=self.hand_paths[hand]),
                    ctypes.cast(ctypes.byref(pulse), ctypes.POINTER(xr.HapticBaseHeader)).contents)
        except xr.SessionNotFocused:
            pass  # focus went since the last poll: no pulse, as no input

    def request_exit(self) -> None:
        import xr

        if self.running and self.state != "stopping":
            with self._losable():
                xr.request_exit_session(self.session)

    def end(self) -> None:
        import xr

        self.running = False
        if self.session is None:
            return
        with self._losable():
            xr.end_session(self.session)

    def close(self, wait: float = 2.0) -> None:
        """Ends a running session the way the runtime expects (asked to exit, frames kept coming until it
        says stopping, then ended) for up to ``wait`` seconds, then destroys everything this session
        made, newest first. Safe at any point, even half set up or lost; nothing it does can raise."""
        if self.session is not None and self.running:
            self._wind_down(wait)
        self._release()
        if self.state != LOST:
            self.state = "exiting"

    def _release(self) -> None:
        """Destroys everything this session made, newest first, whatever the runtime answers."""
        import xr

        handles = [(xr.destroy_swapchain, handle) for handle, _images in self.swapchains]
        handles += [(xr.destroy_space, space) for space in (*self.aim_spaces.values(), self.head_space, self.space)]
        handles += [(xr.destroy_action_set, self.action_set), (xr.destroy_session, self.session),
                    (xr.destroy_instance, self.instance)]
        for destroy, handle in handles:
            if handle is not None:
                try:
                    destroy(handle)
                except xr.exception.XrException:
                    pass  # the runtime may already have let go; the rest is still destroyed
        self.swapchains, self.aim_spaces = [], {}
        self.head_space = self.space = self.action_set = self.session = self.instance = None
        self.running = False

    def _wind_down(self, wait: float) -> None:
        self.request_exit()
        deadline = time.monotonic() + wait
        while self.running and time.monotonic() < deadline:
            self.poll_events()
            if self.state == "stopping":
                self.end()
            elif self.wait_frame() is not None:
                with self._losable():
                    self._end([])  # keep the frame loop going, showing nothing, until the runtime stops us

    @contextlib.contextmanager
    def _losable(self):
        """Whatever call fails, the runtime has gone or is going: XR_ERROR_INSTANCE_LOST or
        XR_ERROR_SESSION_LOST (it crashed, the headset was unplugged), XR_ERROR_RUNTIME_FAILURE, or
        XR_SESSION_LOSS_PENDING (a success code, which pyopenxr raises). The session is lost, not the visit."""
        import xr

        try:
            yield
        except (xr.exception.ErrorResult, xr.SessionLossPending) as exc:
            self._lose(result_name(exc))

    def _lose(self, reason: str) -> None:
        self.lost = runtime_stopped(reason)
        self._release()
        self.state = LOST
        self._unreported.append(LOST)

    # -- helpers ------------------------------------------------------------------------------------

    def _end(self, layers: list) -> None:
        import xr

        xr.end_frame(self.session, xr.FrameEndInfo(
            display_time=self._frame_state.predicted_display_time,
            environment_blend_mode=xr.EnvironmentBlendMode.OPAQUE, layers=layers))

    def _pose(self, pose) -> Pose:
        p, q = pose.position, pose.orientation
        return Pose(position_from_xr(p.x, p.y + self.lift, p.z), quaternion_from_xr(q.x, q.y, q.z, q.w))

    def _locate(self, space, when: int) -> Pose | None:
        import xr

        location = xr.locate_space(space, self.space, when)
        valid = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
        return self._pose(location.pose) if (location.location_flags & valid) == valid else None

    def _read_actions(self) -> dict[str, object]:
        import xr

        try:
            xr.sync_actions(self.session, xr.ActionsSyncInfo(active_action_sets=[xr.ActiveActionSet(self.action_set)]))
        except xr.SessionNotFocused:
            return {}
        values: dict[str, object] = {}
        for name, kind in xr_actions.ACTIONS.items():
            info = xr.ActionStateGetInfo(action=self.actions[name])
            if kind == "boolean":
                values[name] = bool(xr.get_action_state_boolean(self.session, info).current_state)
            elif kind == "float":
                values[name] = xr.get_action_state_float(self.session, info).current_state
            elif kind == "vector2f":
                state = xr.get_action_state_vector2f(self.session, info).current_state
                values[name] = (state.x, state.y)
        return values


def _graphics_binding():
    """The current OpenGL context, as the runtime needs to know it."""
    import xr

    if sys.platform == "win32":
        from OpenGL import WGL
        return xr.GraphicsBindingOpenGLWin32KHR(h_dc=WGL.wglGetCurrentDC(), h_glrc=WGL.wglGetCurrentContext())
    from OpenGL import GLX
    display, context = GLX.glXGetCurrentDisplay(), GLX.glXGetCurrentContext()
    if not context:
        raise NoRuntime(_("No OpenGL context is current to hand to the VR runtime, so the visit stays on the desktop."))
    config_id, screen = ctypes.c_int(), ctypes.c_int()
    GLX.glXQueryContext(display, context, GLX.GLX_FBCONFIG_ID, ctypes.byref(config_id))
    GLX.glXQueryContext(display, context, GLX.GLX_SCREEN, ctypes.byref(screen))
    count = ctypes.c_int()
    configs = GLX.glXChooseFBConfig(display, screen.value, (ctypes.c_int * 3)(GLX.GLX_FBCONFIG_ID, config_id.value, 0),
                                    ctypes.byref(count))
    config = configs[0] if count.value else None
    visual = ctypes.c_int()
    if config is not None:
        GLX.glXGetFBConfigAttrib(display, config, GLX.GLX_VISUAL_ID, ctypes.byref(visual))
    return xr.GraphicsBindingOpenGLXlibKHR(x_display=display, visualid=visual.value, glx_fbconfig=config,
                                           glx_drawable=GLX.glXGetCurrentDrawable(), glx_context=context)
