"""metaseoul's own GLSL programs (shaders/), loaded once each."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from panda3d.core import Shader


@lru_cache(maxsize=None)
def shader(name: str) -> Shader:
    folder = resources.files("metaseoul.runtime") / "shaders"
    return Shader.make(Shader.SL_GLSL, (folder / f"{name}.vert").read_text(), (folder / f"{name}.frag").read_text())
