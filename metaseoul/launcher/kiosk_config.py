"""The kiosk's configuration file: what it offers, in which languages, how soon it resets, and
the administrator PIN. Every problem stops the kiosk with a sentence naming the setting."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from metaseoul.errors import BadConfiguration
from metaseoul.i18n import _
from metaseoul.scenes import builtin_ids

LANGUAGE_NAMES = {"ko": "한국어", "en": "English", "zh": "中文", "ja": "日本語"}
DEFAULT_PIN = "0000"  # anyone can look it up: the kiosk warns until the configuration sets another


@dataclass
class KioskConfig:
    destinations: list[str] = field(default_factory=builtin_ids)
    languages: list[str] = field(default_factory=lambda: ["ko", "en", "zh", "ja"])
    default_language: str = "ko"
    idle_reset_seconds: int = 120
    attract_after_seconds: int = 45
    admin_pin_sha256: str = hashlib.sha256(DEFAULT_PIN.encode()).hexdigest()
    backend: str | None = None  # the city backend's address; None: the built-in one on this computer

    @classmethod
    def load(cls, path: Path | None) -> KioskConfig:
        if path is None:
            return cls()
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except FileNotFoundError:
            raise BadConfiguration(_("kiosk configuration {path} not found").format(path=path)) from None
        except ValueError as exc:
            raise BadConfiguration(_("kiosk configuration {path} is not valid JSON: {problem}").format(
                path=path, problem=exc)) from None
        if not isinstance(data, dict):
            raise BadConfiguration(_("kiosk configuration {path}: expected an object of settings").format(path=path))
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise BadConfiguration(_("kiosk configuration {path}: unknown setting {name}").format(
                path=path, name=", ".join(sorted(unknown))))
        config = cls(**data)
        config.check(path)
        return config

    @property
    def default_pin(self) -> bool:
        """Whether the administrator PIN is still the well-known default."""
        return self.admin_pin_sha256.lower() == hashlib.sha256(DEFAULT_PIN.encode()).hexdigest()

    def check(self, path) -> None:
        def bad(name: str, wanted: str) -> BadConfiguration:
            return BadConfiguration(_("kiosk configuration {path}: {name} must be {wanted}").format(
                path=path, name=name, wanted=wanted))

        for name, least in (("idle_reset_seconds", 10), ("attract_after_seconds", 5)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise bad(name, _("a whole number of seconds, at least {least}").format(least=least))
        if not isinstance(self.destinations, list) or not self.destinations:
            raise bad("destinations", _("a list of scene ids"))
        unknown = [d for d in self.destinations if d not in builtin_ids()]
        if unknown:
            raise BadConfiguration(_("kiosk configuration {path}: unknown destination {name}").format(
                path=path, name=", ".join(map(str, unknown))))
        if (not isinstance(self.languages, list) or not self.languages or not set(self.languages) <= set(LANGUAGE_NAMES)
                or self.default_language not in self.languages):
            raise BadConfiguration(_("kiosk configuration {path}: languages must be among ko, en, zh, ja and "
                                 "include the default language").format(path=path))
        if self.backend is not None and (not isinstance(self.backend, str)
                                         or not self.backend.startswith(("http://", "https://"))):
            raise bad("backend", _("an http:// or https:// address, or null for the built-in backend"))
        pin = self.admin_pin_sha256
        if not isinstance(pin, str) or len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin.lower()):
            raise bad("admin_pin_sha256", _("the SHA-256 of the PIN, 64 hexadecimal digits"))
