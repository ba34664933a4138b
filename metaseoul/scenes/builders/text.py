"""Korean and English text in the world and on screen, in the bundled Nanum Square font."""

from __future__ import annotations

from functools import lru_cache

from panda3d.core import DynamicTextFont, Filename, NodePath, TextNode, TransparencyAttrib

from metaseoul.errors import NotInstalled
from metaseoul.i18n import _
from metaseoul.scenes.builders.mesh import srgb
from metaseoul.scenes.catalog import assets_dir


@lru_cache(maxsize=None)
def font(bold: bool = True) -> DynamicTextFont:
    path = assets_dir() / "fonts" / ("NanumSquareB.ttf" if bold else "NanumSquareR.ttf")
    loaded = DynamicTextFont(Filename.fromOsSpecific(str(path)))
    if not loaded.isValid():
        raise NotInstalled(_("cannot read the Korean font {path}").format(path=path))
    loaded.setPixelsPerUnit(64)
    loaded.setPageSize(1024, 1024)
    return loaded


def make_text(text: str, height: float, color: str = "#FFFFFF", max_width: float | None = None) -> NodePath:
    """Flat text, centred, standing in the x–z plane and read from -y; ``height`` in metres."""
    node = TextNode("text")
    node.setFont(font())
    node.setAlign(TextNode.ACenter)
    node.setText(text)
    node.setTextColor(*srgb(color), 1.0)
    scale = height
    if max_width:
        width = node.getWidth()
        if width * scale > max_width:
            scale = max_width / width
    path = NodePath(node.generate())
    path.setScale(scale)
    path.setShaderInput("texture_mode", 1.0)
    path.setTransparency(TransparencyAttrib.MDual)
    return path
