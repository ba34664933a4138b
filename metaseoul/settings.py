"""The citizen's saved choices: language, graphics, VR, audio device, accessibility, keys, backends.

One JSON file per user (``$METASEOUL_CONFIG_DIR`` or the XDG config folder). The launcher writes
it; the client reads it at start and follows it while it runs, so a change applies at once. Unknown
or broken values fall back to defaults rather than stopping anyone.

The file says which version of itself it is (``"version": 2``; files without one are version 1).
An older file is read and brought up to date (1 to 2: every value kept as it is) and saved as the
current version. A file from a newer metaseoul is read for what this one understands, and is never
overwritten: ``save`` leaves it as it is and returns False, so a change holds for this run only and
the newer program finds its file intact.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from metaseoul.i18n import default_language
from metaseoul.paths import config_dir

VERSION = 2  # of the settings file
QUALITIES = ("low", "medium", "high")
log = logging.getLogger(__name__)

# What each accessibility preset switches on. Chosen before anything else on first run.
_OFF = {"captions": False, "audio_description": False, "high_contrast": False, "large_text": False,
        "reduced_motion": False, "sign_avatar": False, "caption_size": "normal"}
PRESETS: dict[str, dict[str, bool | str]] = {
    "default": _OFF,
    "deaf": _OFF | {"captions": True, "sign_avatar": True},
    "blind": _OFF | {"audio_description": True, "high_contrast": True, "large_text": True},
    "low-vision": _OFF | {"captions": True, "high_contrast": True, "large_text": True, "caption_size": "large"},
    "mobility": _OFF | {"large_text": True, "reduced_motion": True},
}
# Settings that take one of a few values; anything else read from the file becomes the default.
CHOICES = {
    "quality": QUALITIES,
    "caption_size": ("normal", "large", "huge"),
    "caption_colors": ("white-on-black", "yellow-on-black", "black-on-white"),
    "voice": ("espeak", "system"),
    "sign_avatar_size": ("small", "medium", "large"),
    "sign_avatar_corner": ("bottom-right", "bottom-left", "top-right", "top-left"),
    "speech_rate": (120, 160, 220),  # words a minute: slow, normal, fast
    "vr_locomotion": ("teleport", "smooth"),
    "vr_turning": ("snap", "smooth"),
    "vr_snap_degrees": (15, 30, 45, 90),
    "mouse_sensitivity": (0.5, 0.75, 1.0, 1.5, 2.0),  # times the default turn per pixel
}


@dataclass
class Settings:
    language: str = field(default_factory=default_language)
    quality: str = "high"
    fullscreen: bool = False
    vr: bool = False
    vr_locomotion: str = "teleport"  # comfortable defaults: teleport, snap turns, the vignette when walking
    vr_turning: str = "snap"
    vr_snap_degrees: int = 30
    vr_vignette: bool = True
    vr_seated: bool = False  # seated: the view is lifted to standing eye height
    audio_device: str = ""  # empty: the system's default output
    preset: str | None = None  # None until the citizen has chosen on first run
    captions: bool = False
    audio_description: bool = False
    high_contrast: bool = False
    large_text: bool = False
    reduced_motion: bool = False
    mono_audio: bool = False
    mouse_sensitivity: float = 1.0
    invert_y: bool = False  # mouse up looks down
    show_fps: bool = False  # a frame-rate display in the corner
    caption_size: str = "normal"
    caption_colors: str = "white-on-black"
    speech_rate: int = 160
    voice: str = "espeak"  # espeak-ng, or "system": the OS voice through pyttsx3 where present
    sign_avatar: bool = False  # the signing avatar shows in a corner and signs announcements and alerts
    sign_avatar_size: str = "medium"
    sign_avatar_corner: str = "bottom-right"
    keys: dict[str, list[str]] = field(default_factory=dict)  # remapped actions: action -> keys (see client/keymap.py)
    backend: str = "embedded"
    backends: list[str] = field(default_factory=list)  # URLs the citizen added and that passed discovery

    def apply_preset(self, name: str) -> None:
        self.preset = name
        for key, value in PRESETS[name].items():
            setattr(self, key, value)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or config_dir() / "settings.json"
        data = _read(path)
        settings = cls()
        # version 1 -> 2: the same names and meanings. A later version's changes go here, oldest first.
        for f in fields(cls):  # keep each saved value only if it has the right type
            value = data.get(f.name)
            default = getattr(settings, f.name)
            if f.name == "preset":
                if value in PRESETS:
                    settings.preset = value
            elif isinstance(default, list):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(settings, f.name, value)
            elif isinstance(default, dict):
                if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, list)
                                                   and all(isinstance(x, str) for x in v) for k, v in value.items()):
                    setattr(settings, f.name, value)
            elif value is not None and type(value) is type(default):
                setattr(settings, f.name, value)
            elif isinstance(default, float) and type(value) is int:
                setattr(settings, f.name, float(value))
        for name, allowed in CHOICES.items():
            if getattr(settings, name) not in allowed:
                setattr(settings, name, getattr(cls(), name))
        return settings

    def save(self, path: Path | None = None) -> bool:
        """Write the file as version VERSION; False, writing nothing, where a newer metaseoul wrote it."""
        path = path or config_dir() / "settings.json"
        if _file_version(_read(path)) > VERSION:
            log.warning("%s is from a newer metaseoul: left as it is, changes hold for this run only", path)
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": VERSION} | asdict(self), ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(path)
        return True


def _read(path: Path) -> dict:
    """The file's object; empty when it is missing or is not a JSON object."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _file_version(data: dict) -> int:
    """Which version a settings file's object is: 1 without a (sensible) "version"."""
    version = data.get("version", 1)
    return version if type(version) is int and version >= 1 else 1
