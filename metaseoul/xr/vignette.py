"""The tunnelling vignette: during smooth motion the edges of each eye's view darken, which eases
motion sickness. A card in front of each eye camera carries a radial gradient; its strength zooms
the gradient so the clear centre narrows, and everything beyond the gradient is black."""

from __future__ import annotations

import math

from panda3d.core import (
    BitMask32,
    CardMaker,
    LMatrix4f,
    NodePath,
    PNMImage,
    SamplerState,
    Texture,
    TextureStage,
    TransformState,
    TransparencyAttrib,
)

DISTANCE = 0.08  # metres in front of the eye: inside every near plane we use (0.05) and any scene
GRADIENT = 128  # texture size
CAMERA_BIT = 20  # eye cameras get draw-mask bits from here


def _gradient() -> Texture:
    image = PNMImage(GRADIENT, GRADIENT, 4)
    for y in range(GRADIENT):
        for x in range(GRADIENT):
            r = math.hypot(x + 0.5 - GRADIENT / 2, y + 0.5 - GRADIENT / 2) / (GRADIENT / 2)
            t = min(1.0, max(0.0, (r - 0.55) / 0.45))
            image.setXelA(x, y, 0, 0, 0, t * t * (3 - 2 * t))
    texture = Texture("vignette")
    texture.load(image)
    texture.setWrapU(SamplerState.WM_border_color)
    texture.setWrapV(SamplerState.WM_border_color)
    texture.setBorderColor((0, 0, 0, 1))
    return texture


class Vignette:
    def __init__(self, cameras: dict[str, NodePath], half_extent: float = 3.0):
        """``half_extent``: the card's half size over its distance; 3 covers a 140° field of view."""
        texture = _gradient()
        self.stage = TextureStage.getDefault()
        self.cards: list[NodePath] = []
        size = half_extent * DISTANCE
        # each eye sees only its own card: the other eye's hangs a few centimetres to the side
        masks = {eye: BitMask32.bit(CAMERA_BIT + i) for i, eye in enumerate(cameras)}
        for eye, camera in cameras.items():
            camera.node().setCameraMask(masks[eye])
            maker = CardMaker(f"vignette-{eye}")
            maker.setFrame(-size, size, -size, size)
            card = camera.attachNewNode(maker.generate())
            card.setPos(0, DISTANCE, 0)
            card.setTexture(texture)
            card.setTransparency(TransparencyAttrib.MAlpha)
            card.setDepthTest(False)
            card.setDepthWrite(False)
            card.setBin("fixed", 100)
            card.setLightOff(1)
            card.setShaderOff(1)
            for other, mask in masks.items():
                if other != eye:
                    card.hide(mask)
            self.cards.append(card)
        self.strength = 0.0
        self.set(0.0)

    def set(self, strength: float) -> None:
        """0: no vignette; towards 1: a narrow clear centre."""
        self.strength = max(0.0, min(0.9, strength))
        zoom = 1.0 / (1.0 - self.strength)
        for card in self.cards:
            if self.strength <= 0.0:
                card.hide()
                continue
            card.show()
            # texture coordinates scaled about the middle: uv' = (uv - 0.5) * zoom + 0.5
            shift = 0.5 - 0.5 * zoom
            card.setTexTransform(self.stage, TransformState.makeMat(
                LMatrix4f.scaleMat(zoom, zoom, 1) * LMatrix4f.translateMat(shift, shift, 0)))
