"""Pictures (PNG/JPEG on a wall or a panel) and screens (surfaces the client redraws at run time).

Both are a textured quad beside the scene's vertex-coloured mesh. A picture is lit like the
world (the world shader's glTF texture mode); a screen carries the tag ``screen`` with its name so
the loader keeps it out of flattening and the runtime can draw it unlit and replace its image.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from panda3d.core import (
    Filename,
    Geom,
    GeomEnums,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
    GeomVertexWriter,
    InternalName,
    Material,
    NodePath,
    PNMImage,
    PNMTextMaker,
    SamplerState,
    StringStream,
    Texture,
)

from metaseoul.i18n import _
from metaseoul.scenes import image_header, safe_read
from metaseoul.scenes.builders.context import BuildContext, BuildError
from metaseoul.scenes.builders.mesh import SURFACE, MeshBuilder, srgb
from metaseoul.scenes.catalog import assets_dir

FRAME_DEPTH = 0.03  # a picture's backing board, metres out from the wall
PANEL_SILL = 0.8  # a free-standing panel's picture starts this high above the floor
SCREEN_PX_PER_M = 512  # a screen's default resolution; sides are capped at SCREEN_MAX_SIDE
SCREEN_MAX_SIDE = 2048


@lru_cache(maxsize=1)
def _quad_format() -> GeomVertexFormat:
    array = GeomVertexArrayFormat()
    array.addColumn(InternalName.getVertex(), 3, GeomEnums.NT_float32, GeomEnums.C_point)
    array.addColumn(InternalName.getNormal(), 3, GeomEnums.NT_float32, GeomEnums.C_normal)
    array.addColumn(InternalName.getColor(), 4, GeomEnums.NT_float32, GeomEnums.C_color)
    array.addColumn(SURFACE, 4, GeomEnums.NT_float32, GeomEnums.C_other)
    array.addColumn(InternalName.getTexcoord(), 2, GeomEnums.NT_float32, GeomEnums.C_texcoord)
    return GeomVertexFormat.registerFormat(GeomVertexFormat(array))


def textured_quad(name: str, width: float, height: float, texture: Texture) -> NodePath:
    """A ``width`` × ``height`` quad in the x–z plane (bottom edge at z 0) facing -y, showing ``texture``
    through the world shader's texture mode 2 (a plain surface, lit like the world)."""
    vdata = GeomVertexData(name, _quad_format(), Geom.UH_static)
    writers = {col: GeomVertexWriter(vdata, col) for col in ("vertex", "normal", "color", "surface", "texcoord")}
    for u, v in ((0, 0), (1, 0), (1, 1), (0, 1)):
        writers["vertex"].addData3((u - 0.5) * width, 0, v * height)
        writers["normal"].addData3(0, -1, 0)
        writers["color"].addData4(1, 1, 1, 1)
        writers["surface"].addData4(0, 1, 0, 0)  # plain, no variation, no shine
        writers["texcoord"].addData2(u, v)
    prim = GeomTriangles(Geom.UH_static)
    prim.addVertices(0, 1, 2)
    prim.addVertices(0, 2, 3)
    geom = Geom(vdata)
    geom.addPrimitive(prim)
    node = GeomNode(name)
    node.addGeom(geom)
    path = NodePath(node)
    path.setTexture(texture)
    material = Material(name)
    material.setBaseColor((1, 1, 1, 1))
    path.setMaterial(material)
    path.setShaderInput("texture_mode", 2.0)
    return path


def read_picture(path, shown_as: str) -> PNMImage:
    """Decode a picture file after checking it is a regular file within the picture limits."""
    try:
        data = safe_read.read_bytes(path, image_header.PICTURE_FILE_LIMIT)
        image_header.check_picture(data)
    except (safe_read.Unreadable, image_header.BadImage) as exc:
        raise BuildError(_("{path!r}: {problem}").format(path=shown_as, problem=exc)) from None
    image = PNMImage()
    if not image.read(StringStream(data), shown_as):
        raise BuildError(_("{path!r}: the image cannot be decoded").format(path=shown_as))
    return image


def picture(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """An image on a framed board: flat on a wall (bottom edge at ``position``) or on a panel with legs."""
    image = read_picture(ctx.asset(obj["image"]), obj["image"])
    width = obj["size"][0]
    height = obj["size"][1] if len(obj["size"]) > 1 else width * image.getYSize() / image.getXSize()
    frame = obj.get("frame", 0.05)
    texture = Texture(obj["id"])
    texture.load(image)
    texture.setMinfilter(SamplerState.FT_linear_mipmap_linear)
    texture.setWrapU(SamplerState.WM_clamp)
    texture.setWrapV(SamplerState.WM_clamp)
    board = ctx.material("frame", "gate-wood")
    panel = obj.get("mount", "wall") == "panel"
    sill = PANEL_SILL if panel else 0.0
    back = FRAME_DEPTH / 2 if panel else 0.0  # a panel stands centred on its position, a wall picture in front of it
    mb.box((0, back - FRAME_DEPTH / 2, sill), (width + 2 * frame, FRAME_DEPTH, height + 2 * frame), board, solid=False)
    if panel:
        for x in (-width / 2, width / 2):
            mb.box((x, 0, 0), (0.04, 0.4, sill), board, solid=False)
        mb.collide_box((-width / 2 - frame, -back, 0), (width / 2 + frame, back, sill + height + 2 * frame))
    with mb.local((0, back - FRAME_DEPTH - 0.002, sill + frame)):
        mb.attach(textured_quad(obj["id"], width, height, texture))


def _font_path() -> Filename:
    return Filename.fromOsSpecific(str(assets_dir() / "fonts" / "NanumSquareB.ttf"))


def screen_image(resolution: Sequence[int], background: str = "#101820", lines: Sequence[str] = (),
                 color: str = "#FFFFFF") -> PNMImage:
    """A screen's picture: ``background`` with ``lines`` of text centred on it, the first the largest."""
    w, h = resolution
    image = PNMImage(w, h)
    image.fill(*srgb(background))
    if not lines:
        return image
    maker = PNMTextMaker(_font_path(), 0)
    maker.setAlign(PNMTextMaker.A_center)
    maker.setFg((*srgb(color), 1.0))
    shares = [0.42, 0.24, 0.18][:len(lines)] + [0.18] * max(0, len(lines) - 3)
    scale = min(1.0, 0.9 / sum(shares))
    y = (h - sum(shares) * scale * h) / 2
    for text, share in zip(lines, shares):
        size = share * scale * h
        maker.setPixelSize(max(4.0, size * 0.8))
        if maker.calcWidth(text) > 0.92 * w:
            maker.setPixelSize(max(4.0, size * 0.8 * 0.92 * w / maker.calcWidth(text)))
        y += size
        maker.generateInto(text, image, w // 2, int(y - size * 0.2))
    return image


def screen_surface(mb: MeshBuilder, name: str, size: Sequence[float], resolution: Sequence[int] | None,
                   background: str, lines: Sequence[str] = (), color: str = "#FFFFFF") -> None:
    """The quad of a named screen, bottom edge at the local origin, tagged for the loader to register."""
    w, h = size
    if resolution is None:
        long_side = max(w, h) * SCREEN_PX_PER_M
        shrink = min(1.0, SCREEN_MAX_SIDE / long_side)
        resolution = (max(16, round(w * SCREEN_PX_PER_M * shrink)), max(16, round(h * SCREEN_PX_PER_M * shrink)))
    texture = Texture(f"screen:{name}")
    texture.load(screen_image(resolution, background, lines, color))
    texture.setMinfilter(SamplerState.FT_linear)  # no mipmaps: the image is replaced while the world runs
    texture.setWrapU(SamplerState.WM_clamp)
    texture.setWrapV(SamplerState.WM_clamp)
    quad = textured_quad(f"screen:{name}", w, h, texture)
    quad.setTag("screen", name)
    mb.attach(quad)


def screen(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    """A named screen in a thin bezel, bottom edge at ``position``; its image is replaced at run time."""
    w, h = obj["size"]
    bezel = obj.get("bezel", 0.03)
    mb.box((0, -0.02, -bezel), (w + 2 * bezel, 0.04, h + 2 * bezel), ctx.material("bezel", "dark-steel"), solid=False)
    text = obj.get("text")
    lines = (text["ko"], text["en"]) if text else ()
    with mb.local((0, -0.042, 0)):
        screen_surface(mb, obj["screen"], (w, h), obj.get("resolution"), obj.get("background", "#101820"), lines,
                       obj.get("text_color", "#FFFFFF"))
