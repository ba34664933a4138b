"""Finding the OpenXR runtime, and saying clearly what is wrong when there is no VR: no runtime
installed, a runtime that failed to start, or a graphics driver that cannot share images with it."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from metaseoul.i18n import _


class NoRuntime(Exception):
    """No VR: the message is one paragraph for the citizen, with what was tried and what to do."""


class RuntimeNotInstalled(NoRuntime):
    """No OpenXR runtime (or SteamVR) is installed: the message says which to install."""


class RuntimeFailed(NoRuntime):
    """A runtime is installed but failed to start: the message names it and what it answered."""


class DriverCannotShare(NoRuntime):
    """The graphics driver lacks what the runtime needs to take the eyes' images from it (the runtime
    imports them from Vulkan): the message names the missing OpenGL extensions."""


@dataclass(frozen=True)
class RuntimeInfo:
    runtime: str
    version: str
    system: str
    views: list[tuple[int, int]]  # recommended size of each eye's image
    extensions: list[str]


def missing_runtime(tried: str) -> RuntimeNotInstalled:
    """The message for a machine without a runtime; ``tried`` says what was tried."""
    return RuntimeNotInstalled(_(
        "No VR headset runtime was found ({tried}). To use VR, install and start an OpenXR runtime: "
        "SteamVR (Valve Index, HTC Vive and most PC headsets), Monado (open source, Linux), or the Meta "
        "Quest Link or Windows Mixed Reality runtime for those headsets; then connect the headset and "
        "try again. Until then metaseoul runs on the desktop."
    ).format(tried=tried))


def runtime_failed(name: str, result: str) -> RuntimeFailed:
    """The message for a runtime that is there but did not start; ``result`` is what it answered."""
    return RuntimeFailed(_(
        "The VR runtime {name} is installed but failed to start ({result}). Restart {name} and check "
        "that it sees the headset, then try again. Until then metaseoul runs on the desktop."
    ).format(name=name, result=result))


def driver_cannot_share(name: str, extensions: list[str]) -> DriverCannotShare:
    """The message for a driver lacking ``extensions``, which the runtime ``name`` needs to share images."""
    return DriverCannotShare(_(
        "The graphics driver cannot share images with the VR runtime {name}: it lacks the OpenGL "
        "extension {extensions}. Update the graphics driver (a recent Mesa, or the graphics card "
        "maker's own driver), then try again. Until then metaseoul runs on the desktop."
    ).format(name=name, extensions=", ".join(extensions)))


def result_name(exc: Exception) -> str:
    """The XrResult behind one of pyopenxr's exceptions, as the specification spells it."""
    result = exc.get_result_enum() if hasattr(exc, "get_result_enum") else None
    return f"XR_{result.name}" if result is not None else type(exc).__name__


def active_runtime_name() -> str:
    """The name of the runtime the OpenXR loader picks, from its manifest, for messages about it."""
    manifest = _active_manifest()
    try:
        runtime = json.loads(manifest.read_text(encoding="utf-8"))["runtime"]
        return str(runtime.get("name") or Path(runtime["library_path"]).stem)
    except (AttributeError, OSError, ValueError, KeyError, TypeError):
        return "OpenXR"  # found by the loader where we did not look: at least say which API


def _active_manifest() -> Path | None:
    """Where the loader looks (the OpenXR loader specification, "Runtime Discovery")."""
    if os.environ.get("XR_RUNTIME_JSON"):
        return Path(os.environ["XR_RUNTIME_JSON"])
    if sys.platform == "win32":
        import winreg
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Khronos\OpenXR\1") as key:
                return Path(winreg.QueryValueEx(key, "ActiveRuntime")[0])
        except OSError:
            return None
    home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    folders = [home, *(os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":"), "/etc"]
    return next((path for folder in folders if (path := Path(folder, "openxr", "1", "active_runtime.json")).is_file()),
                None)


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
    do when there is no runtime, it fails to start, lacks an extension, or finds no headset."""
    xr = import_openxr()
    try:
        offered = [_text(e.extension_name) for e in xr.enumerate_instance_extension_properties()]
    except xr.exception.XrException as exc:  # the loader found no runtime, or could not load it
        raise missing_runtime(_("the OpenXR loader said: {problem}").format(problem=exc)) from None
    lacking = [e for e in extensions if e not in offered]
    if lacking:
        raise NoRuntime(_("The OpenXR runtime lacks {extensions}, which metaseoul needs to draw to the headset. "
                          "Use SteamVR or Monado, which have it.").format(extensions=", ".join(lacking)))
    try:
        instance = xr.create_instance(xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(application_name="metaseoul", engine_name="Panda3D",
                                                api_version=xr.Version(1, 0, 0)),  # what every 1.x runtime takes
            enabled_extension_names=list(extensions)))
    except xr.exception.RuntimeUnavailableError as exc:
        raise missing_runtime(_("the OpenXR loader said: {problem}").format(problem=exc)) from None
    except xr.exception.XrException as exc:  # there, but it did not start (XR_ERROR_RUNTIME_FAILURE, ...)
        raise runtime_failed(active_runtime_name(), result_name(exc)) from None
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
