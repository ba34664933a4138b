"""Shared fixtures: one offscreen Panda3D engine per test session (Panda3D allows one ShowBase)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def offscreen_base():
    from metaseoul.client import engine

    return engine.start(offscreen=True)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
