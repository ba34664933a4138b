"""Finding the OpenXR runtime, and saying clearly what to install when there is none."""

from __future__ import annotations

import os
from dataclasses import dataclass

from metaseoul.i18n import _


class NoRuntime(Exception):
    """No VR: the message is one paragraph for the citizen, with what was tried and what to install."""


@dataclass(frozen=True)
class RuntimeInfo:
    runtime: str
    version: str
    system: str
    views: list[tuple[int, int]]  # recommended size of each eye's image
    extensions: list[str]


def missing_runtime(tried: str) -> NoRuntime:
    """The message for a machine without a runtime; ``tried`` says what was tried."""
    return NoRuntime(_(
        "No VR headset runtime was found ({tried}). To use VR, install and start an OpenXR runtime: "
        "SteamVR (Valve Index, HTC Vive and most PC headsets), Monado (open source, Linux), or the Meta "
        "Quest Link or Windows Mixed Reality runtime for those headsets; then connect the headset and "
        "try again. Until then metaseoul runs on the desktop."
    ).format(tried=tried))


def import_openxr():
    """pyopenxr's ``xr`` module, with the loader kept quiet: our message says it all."""
    os.environ.setdefault("XR_LOADER_DEBUG", "none")
    try:
        import xr
    except ImportError:
        raise missing_runtime(_("the pyopenxr package is not installed")) from None
    return xr


@dataclass(frozen=True)
class Connection:
    """An OpenXR instance and its head-mounted display; whoever connected destroys ``instance``."""
    instance: object
    system: int  # the XrSystemId
    runtime: str
    version: str
    headset: str
    extensions: list[str]  # what the runtime offers


def connect(extensions: tuple[str, ...] = ()) -> Connection:
    """An instance with ``extensions`` enabled, and the head-mounted display; NoRuntime saying what to
    do when there is no runtime, it lacks an extension, or it finds no headset."""
    xr = import_openxr()
    try:
        offered = [_text(e.extension_name) for e in xr.enumerate_instance_extension_properties()]
        lacking = [e for e in extensions if e not in offered]
        if lacking:
            raise NoRuntime(_("The OpenXR runtime lacks {extensions}, which metaseoul needs to draw to the headset. "
                              "Use SteamVR or Monado, which have it.").format(extensions=", ".join(lacking)))
        instance = xr.create_instance(xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(application_name="metaseoul", engine_name="Panda3D",
                                                api_version=xr.Version(1, 0, 0)),  # what every 1.x runtime takes
            enabled_extension_names=list(extensions)))
    except xr.exception.XrException as exc:
        raise missing_runtime(_("the OpenXR loader said: {problem}").format(problem=exc)) from None
    props = xr.get_instance_properties(instance)
    try:
        system = xr.get_system(instance, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY))
    except xr.exception.XrException as exc:
        xr.destroy_instance(instance)
        raise NoRuntime(_("The OpenXR runtime {name} is installed but finds no headset ({problem}). "
                          "Connect and switch on the headset, then try again.").format(
            name=_text(props.runtime_name), problem=exc)) from None
    headset = xr.get_system_properties(instance, system)
    return Connection(instance, system, _text(props.runtime_name), str(xr.Version(props.runtime_version)),
                      _text(headset.system_name), offered)


def detect() -> RuntimeInfo:
    xr = import_openxr()
    connection = connect()
    try:
        views = xr.enumerate_view_configuration_views(connection.instance, connection.system,
                                                      xr.ViewConfigurationType.PRIMARY_STEREO)
        return RuntimeInfo(
            runtime=connection.runtime,
            version=connection.version,
            system=connection.headset,
            views=[(v.recommended_image_rect_width, v.recommended_image_rect_height) for v in views],
            extensions=connection.extensions,
        )
    finally:
        xr.destroy_instance(connection.instance)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


RUNTIMES = ("auto", "openxr", "openvr")


def open_session(base, runtime: str = "auto"):
    """A HeadsetSession drawing with ``base``'s window: OpenXR, else OpenVR (SteamVR) when OpenXR is
    missing; or the one asked for. Raises NoRuntime with what to do when there is none."""
    from metaseoul.xr.openvr_session import OpenVRSession
    from metaseoul.xr.openxr_session import OpenXRSession

    if runtime == "openvr":
        return OpenVRSession(base)
    try:
        return OpenXRSession(base)
    except NoRuntime as missing:
        if runtime == "openxr":
            raise
        try:
            return OpenVRSession(base)
        except NoRuntime:
            raise missing from None  # OpenXR's message says what to install, SteamVR included
