"""An offscreen colour buffer with its own camera: screenshots, headset eyes, panels, the signing stage."""

from __future__ import annotations

import math

from panda3d.core import (
    Camera,
    FrameBufferProperties,
    GraphicsOutput,
    GraphicsPipe,
    Lens,
    NodePath,
    PerspectiveLens,
    PNMImage,
    Point3,
    SamplerState,
    Texture,
    WindowProperties,
)

from metaseoul.errors import NoOpenGL
from metaseoul.i18n import _
from metaseoul.runtime import engine


class OffscreenView:
    """An offscreen colour buffer of a given size with its own camera."""

    def __init__(self, base, render: NodePath, size: tuple[int, int], name: str = "view", lens: Lens | None = None,
                 to_ram: bool = True, host=None):
        self.base = base
        self.size = size
        fb = FrameBufferProperties()
        fb.setRgbColor(True)
        # kept on the card, the image is RGBA8: what headset swapchains hold (copies need the same layout)
        fb.setRgbaBits(8, 8, 8, 0 if to_ram else 8)
        fb.setDepthBits(24)
        fb.setMultisamples(0)
        props = WindowProperties.size(*size)
        # with a host window the buffer shares its graphics context, so the window can draw its texture
        self.buffer = base.graphicsEngine.makeOutput(
            base.pipe, name, -2, fb, props, GraphicsPipe.BFRefuseWindow | GraphicsPipe.BFFbPropsOptional,
            *((host.getGsg(), host) if host is not None else ()),
        )
        if self.buffer is None:
            raise NoOpenGL(_("could not create an offscreen OpenGL buffer: install libegl1 and libgl1-mesa-dri"))
        self.texture = Texture(name)
        self.texture.setMinfilter(SamplerState.FT_linear)  # one level, no mipmaps: complete as it is
        # to RAM for screenshots; otherwise kept on the graphics card to be drawn on a card (picture in picture)
        self.buffer.addRenderTexture(self.texture, GraphicsOutput.RTMCopyRam if to_ram else GraphicsOutput.RTMBindOrCopy)
        self.lens = lens or PerspectiveLens()
        if lens is None:
            self.lens.setNearFar(0.15, engine.VIEW_DISTANCE.getValue())
        self.camera = render.attachNewNode(Camera(name, self.lens))
        region = self.buffer.makeDisplayRegion()
        region.setCamera(self.camera)
        self.buffer.setClearColor((0.7, 0.8, 0.9, 1))

    def aim(self, position, look_at, fov: float) -> None:
        w, h = self.size
        vertical = 2 * math.degrees(math.atan(math.tan(math.radians(fov / 2)) * h / w))
        self.lens.setFov(fov, vertical)
        self.camera.setPos(Point3(*position))
        self.camera.lookAt(Point3(*look_at))

    def render(self) -> None:
        self.base.graphicsEngine.renderFrame()

    def image(self) -> PNMImage:
        """The last rendered frame (the buffer copies each frame to RAM as it renders)."""
        image = PNMImage()
        if not self.texture.store(image):
            raise NoOpenGL(_("the offscreen buffer returned no image"))
        return image

    def renderer(self) -> dict[str, str]:
        gsg = self.buffer.getGsg()
        return {"renderer": gsg.getDriverRenderer(), "vendor": gsg.getDriverVendor(),
                "gl_version": gsg.getDriverVersion()}

    def close(self) -> None:
        self.camera.removeNode()
        self.base.graphicsEngine.removeWindow(self.buffer)
