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


def detect() -> RuntimeInfo:
    xr = import_openxr()
    try:
        extensions = [e.extension_name.decode() if isinstance(e.extension_name, bytes) else e.extension_name
                      for e in xr.enumerate_instance_extension_properties()]
        instance = xr.create_instance(xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(application_name="metaseoul", engine_name="Panda3D")))
    except xr.exception.XrException as exc:
        raise missing_runtime(_("the OpenXR loader said: {problem}").format(problem=exc)) from None
    try:
        props = xr.get_instance_properties(instance)
        try:
            system_id = xr.get_system(instance, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY))
        except xr.exception.XrException as exc:
            raise NoRuntime(_("The OpenXR runtime {name} is installed but finds no headset ({problem}). "
                              "Connect and switch on the headset, then try again.").format(
                name=_text(props.runtime_name), problem=exc)) from None
        system = xr.get_system_properties(instance, system_id)
        views = xr.enumerate_view_configuration_views(instance, system_id, xr.ViewConfigurationType.PRIMARY_STEREO)
        return RuntimeInfo(
            runtime=_text(props.runtime_name),
            version=str(xr.Version(props.runtime_version)),
            system=_text(system.system_name),
            views=[(v.recommended_image_rect_width, v.recommended_image_rect_height) for v in views],
            extensions=extensions,
        )
    finally:
        xr.destroy_instance(instance)


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
