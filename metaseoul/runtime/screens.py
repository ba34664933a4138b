"""Named screens: surfaces of a scene the client redraws while the world runs (slides, live data
boards, queue-number displays).

``World.screens`` maps each screen's name (the scene's ``screen`` field, or a counter's ``number``)
to a :class:`Screen`, rebuilt whenever ``World.enter`` loads a scene::

    board = world.screens["queue"]
    board.show_text("A-023", "창구 3 · Counter 3")
    image = PNMImage(*board.resolution); ...; board.show(image)

Screens glow: they are drawn unlit, so what they show reads the same by day and in a dark room.
"""

from __future__ import annotations

from panda3d.core import NodePath, PNMImage, Texture

from metaseoul.runtime.environment import shader
from metaseoul.scenes.builders.pictures import screen_image
from metaseoul.scenes.loader import BuiltScene

UNLIT_PRIORITY = 10  # above the world shader that ``render`` carries


class Screen:
    """One named screen: its pixel ``resolution`` and ``show`` to replace what it displays."""

    def __init__(self, name: str, surface: NodePath):
        self.name = name
        self.surface = surface
        self.texture: Texture = surface.findTexture("*")
        surface.setShader(shader("screen"), UNLIT_PRIORITY)

    @property
    def resolution(self) -> tuple[int, int]:
        """(width, height) in pixels: images of this size are shown without scaling."""
        return self.texture.getXSize(), self.texture.getYSize()

    def show(self, image: PNMImage) -> None:
        """Display ``image`` from the next frame on; another size is scaled to the resolution."""
        if (image.getXSize(), image.getYSize()) != self.resolution:
            scaled = PNMImage(*self.resolution)
            scaled.quickFilterFrom(image)
            image = scaled
        self.texture.load(image)

    def show_text(self, *lines: str, color: str = "#FFFFFF", background: str = "#101820") -> None:
        """Display lines of text centred on a plain ``background``, the first line the largest."""
        self.show(screen_image(self.resolution, background, lines, color))


def screens_of(built: BuiltScene) -> dict[str, Screen]:
    """The screens of a built scene, drawn unlit from now on."""
    return {name: Screen(name, surface) for name, surface in built.screens.items()}

