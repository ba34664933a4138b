"""The settings file across versions: an older one is read whole and saved as the current version;
one from a newer metaseoul is read for what is understood and never overwritten."""

from __future__ import annotations

import json

from metaseoul.settings import VERSION, Settings

VERSION_1 = {"language": "ko", "quality": "low", "captions": True, "mouse_sensitivity": 2, "keys": {"jump": ["j"]},
             "backends": ["https://city.example"], "preset": "deaf"}


def test_a_version_1_file_keeps_every_value_and_is_saved_as_the_current_version(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(VERSION_1))  # as every metaseoul before the version key wrote it
    settings = Settings.load(path)
    for name, value in VERSION_1.items():
        assert getattr(settings, name) == value, name
    assert settings.save(path)
    saved = json.loads(path.read_text())
    assert VERSION == 2 and saved["version"] == VERSION
    assert {name: saved[name] for name in VERSION_1} == VERSION_1
    assert Settings.load(path) == settings


def test_a_file_from_a_newer_metaseoul_is_read_but_not_overwritten(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 99, "language": "en", "quality": "medium", "quality_v99": "ultra",
                                "captions": "sometimes"}))
    written = path.read_bytes()
    settings = Settings.load(path)
    assert (settings.language, settings.quality) == ("en", "medium")
    assert settings.captions is False  # a value of a kind this version does not know: the default
    settings.quality = "high"
    assert settings.save(path) is False
    assert path.read_bytes() == written
    assert not path.with_suffix(".tmp").exists()


def test_a_nonsense_version_is_read_as_version_1(tmp_path):
    path = tmp_path / "settings.json"
    for version in ("2", True, -1, 2.5):
        path.write_text(json.dumps({"version": version, "quality": "low"}))
        settings = Settings.load(path)
        assert settings.quality == "low"
        assert settings.save(path) and json.loads(path.read_text())["version"] == VERSION
