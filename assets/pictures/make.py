"""Draws the Sky Plaza Gallery's six pictures (flat illustrations, 240 x 160 px) into this folder.

Run from the repository root: ``python assets/pictures/make.py``. Our own drawings, so no licence
question; the scenes hang them by name (metaseoul/scenes/builtin/city-hall-gallery.json).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from panda3d.core import PNMImage

W, H = 240, 160
Y, X = np.mgrid[0:H, 0:W]


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255


def canvas(sky: str, ground: str, horizon: int) -> np.ndarray:
    img = np.zeros((H, W, 3))
    img[:] = rgb(sky)
    img[Y >= horizon] = rgb(ground)
    return img


def rect(img, x0, y0, x1, y1, colour):
    img[y0:y1, x0:x1] = rgb(colour)


def old_city_hall():
    img = canvas("#9CC3E6", "#8C8C84", 128)
    rect(img, 40, 70, 200, 128, "#B9B4A8")
    rect(img, 100, 40, 140, 128, "#C4BFB2")
    img[((X - 120) / 16) ** 2 + ((Y - 40) / 14) ** 2 < 1] = rgb("#4E8F7A")
    for x in range(48, 196, 12):
        for y in (80, 100):
            rect(img, x, y, x + 6, y + 10, "#3A3F46")
    rect(img, 112, 108, 128, 128, "#2A2E33")
    return img


def seoul_plaza():
    img = canvas("#A8CFEA", "#B7B2A9", 60)
    img[((X - 120) / 100) ** 2 + ((Y - 112) / 40) ** 2 < 1] = rgb("#5E9E45")
    rect(img, 20, 30, 80, 60, "#8E9AA6")
    rect(img, 160, 20, 220, 60, "#7F8C99")
    return img


def glass_wave():
    img = canvas("#BFD9EE", "#8F8F8F", 140)
    crest = 40 + 50 * (X / W) ** 1.5
    wave = (Y > crest) & (Y < 140) & (X > 20 + 0.4 * (Y - 40) * (1 - X / W))
    img[wave] = rgb("#4F86B8")
    img[wave & ((X // 12 + Y // 10) % 2 == 0)] = rgb("#5E97C8")
    rect(img, 70, 104, 170, 140, "#B5AFA2")
    return img


def green_wall():
    rng = np.random.default_rng(2013)
    img = np.zeros((H, W, 3))
    img[:] = rgb("#2F6B2A")
    shade = rng.uniform(0.6, 1.3, size=(H // 8, W // 8))
    img *= np.kron(shade, np.ones((8, 8)))[:, :, None]
    return np.clip(img, 0, 1)


def daehanmun():
    img = canvas("#AFCFE8", "#C9B98F", 130)
    img[(Y > 40) & (Y < 70) & (abs(X - 120) < 100 - (Y - 40) * 0.3)] = rgb("#4A4A4F")
    rect(img, 40, 70, 200, 78, "#2F7D6D")
    for x in (50, 95, 140, 185):
        rect(img, x, 78, x + 7, 130, "#9B3A2E")
    return img


def namsan():
    img = canvas("#B3D4EC", "#6A8E4E", 150)
    img[Y > 150 - 90 * np.exp(-((X - 120) / 60) ** 2)] = rgb("#4F7A3A")
    rect(img, 117, 20, 123, 64, "#D8D8D8")
    rect(img, 110, 30, 130, 38, "#EDEDED")
    return img


PICTURES = {"old-city-hall-1926": old_city_hall, "seoul-plaza-2004": seoul_plaza, "glass-wave-2012": glass_wave,
            "green-wall": green_wall, "daehanmun": daehanmun, "namsan": namsan}


def save(pixels: np.ndarray, path: Path) -> None:
    image = PNMImage(W, H)
    for y in range(H):
        for x in range(W):
            image.setXel(x, y, *pixels[y, x])
    image.write(str(path))


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent
    for name, draw in PICTURES.items():
        save(draw(), folder / f"{name}.png")
