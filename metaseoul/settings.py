"""The citizen's saved choices: language, graphics, VR, audio device, accessibility, backends.

One JSON file per user (``$METASEOUL_CONFIG_DIR`` or the XDG config folder). The launcher writes
it and passes the language, quality and screen mode to the client it starts; the other choices are
kept for the client features that use them. Unknown or broken values fall back to defaults rather
than stopping anyone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from metaseoul.i18n import default_language

QUALITIES = ("low", "medium", "high")

# What each accessibility preset switches on. Chosen before anything else on first run.
PRESETS: dict[str, dict[str, bool]] = {
    "default": {"captions": False, "audio_description": False, "high_contrast": False, "large_text": False,
                "reduced_motion": False},
    "deaf": {"captions": True, "audio_description": False, "high_contrast": False, "large_text": False,
             "reduced_motion": False},
    "blind": {"captions": False, "audio_description": True, "high_contrast": True, "large_text": True,
              "reduced_motion": False},
    "low-vision": {"captions": True, "audio_description": False, "high_contrast": True, "large_text": True,
                   "reduced_motion": False},
    "mobility": {"captions": False, "audio_description": False, "high_contrast": False, "large_text": True,
                 "reduced_motion": True},
}


def config_dir() -> Path:
    if os.environ.get("METASEOUL_CONFIG_DIR"):
        return Path(os.environ["METASEOUL_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "metaseoul"


@dataclass
class Settings:
    language: str = field(default_factory=default_language)
    quality: str = "high"
    fullscreen: bool = False
    vr: bool = False
    audio_device: str = ""  # empty: the system's default output
    preset: str | None = None  # None until the citizen has chosen on first run
    captions: bool = False
    audio_description: bool = False
    high_contrast: bool = False
    large_text: bool = False
    reduced_motion: bool = False
    backend: str = "embedded"
    backends: list[str] = field(default_factory=list)  # URLs the citizen added and that passed discovery

    def apply_preset(self, name: str) -> None:
        self.preset = name
        for key, value in PRESETS[name].items():
            setattr(self, key, value)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or config_dir() / "settings.json"
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        settings = cls()
        if not isinstance(data, dict):
            return settings
        for f in fields(cls):  # keep each saved value only if it has the right type
            value = data.get(f.name)
            default = getattr(settings, f.name)
            if f.name == "preset":
                if value in PRESETS:
                    settings.preset = value
            elif isinstance(default, list):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(settings, f.name, value)
            elif value is not None and type(value) is type(default):
                setattr(settings, f.name, value)
        if settings.quality not in QUALITIES:
            settings.quality = "high"
        return settings

    def save(self, path: Path | None = None) -> None:
        path = path or config_dir() / "settings.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(path)
