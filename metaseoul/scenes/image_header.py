"""Image sizes read from PNG and JPEG headers, without decoding: a 64 MiB file can still claim
100 000 × 100 000 pixels, which a decoder would try to allocate."""

from __future__ import annotations

import struct

from metaseoul.i18n import _

MAX_SIDE = 8192  # pixels along either side
MAX_PIXELS = 8192 * 8192 // 2  # 32 megapixels: a 8192 × 4096 texture, the largest sky map we use is far smaller
PICTURE_MAX_SIDE = 4096  # a picture or poster in a scene: enough for a 2 m print seen from 30 cm
PICTURE_FILE_LIMIT = 16 * 1024 * 1024  # bytes of one picture file
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class BadImage(ValueError):
    """An image whose header cannot be read or names more pixels than allowed."""


def _png(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise BadImage(_("a PNG file without its header"))
    return struct.unpack(">II", data[16:24])


def _jpeg(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            break
        marker = data[at + 1]
        if marker == 0xFF:  # padding before a marker
            at += 1
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _JPEG_FRAMES and at + 9 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise BadImage(_("a JPEG file without a frame header"))


def size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG; raises :class:`BadImage` for another kind of file."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    raise BadImage(_("expected a PNG or JPEG image"))


def check(data: bytes, max_side: int = MAX_SIDE, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """Refuse an image larger than the limits before anything decodes it; return its (width, height)."""
    width, height = size(data)
    if max(width, height) > max_side or width * height > max_pixels or 0 in (width, height):
        raise BadImage(_("an image of {width} × {height} pixels; at most {side} pixels a side and {pixels} "
                         "pixels in all").format(width=width, height=height, side=max_side, pixels=max_pixels))
    return width, height


def check_picture(data: bytes) -> tuple[int, int]:
    """A scene's picture: a PNG or JPEG of at most PICTURE_MAX_SIDE pixels a side."""
    return check(data, PICTURE_MAX_SIDE, PICTURE_MAX_SIDE * PICTURE_MAX_SIDE)
