"""glTF and GLB models checked before Panda3D loads them: every buffer against the bytes it really
has, every buffer view and accessor inside its buffer, external files confined to the model's
folder, every image measured from its header wherever it is kept, and the triangles counted. A model
declaring a 2 GB buffer is refused here, not allocated.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from metaseoul.i18n import _
from metaseoul.scenes import image_header, safe_read, validate
from metaseoul.scenes.errors import SceneError, SceneInvalid, json_path

MODEL_TRIANGLE_LIMIT = 500_000
SCENE_TRIANGLE_LIMIT = 2_000_000  # all the models of one scene together
COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}


class BadModel(ValueError):
    """A model that may not be loaded; the message names the field inside the glTF."""


def _entry(doc: dict, section: str, index) -> dict:
    items = doc.get(section, [])
    if not isinstance(index, int) or not isinstance(items, list) or not 0 <= index < len(items) \
            or not isinstance(items[index], dict):
        raise BadModel(_("{where}: no such entry").format(where=json_path([section, index])))
    return items[index]


def _items(doc: dict, section: str) -> list[dict]:
    items = doc.get(section, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadModel(_("{where}: expected a list of objects").format(where=section))
    return items


def _count(node: dict, key: str, at: list, default: int | None = None) -> int:
    value = node.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadModel(_("{where}: expected a whole number of at least 0").format(where=json_path(at + [key])))
    return value


def _read(path: Path) -> tuple[dict, bytes | None]:
    """The glTF JSON and, for a GLB, its binary chunk."""
    data = safe_read.read_bytes(path, safe_read.ASSET_FILE_LIMIT)
    try:
        return _parse(data, path)
    except SceneInvalid as exc:
        first = exc.errors[0]
        raise BadModel(f"{first.path}: {first.message}" if first.path else first.message) from None


def _parse(data: bytes, path: Path) -> tuple[dict, bytes | None]:
    if path.suffix.lower() != ".glb":
        return validate.parse_json(data, str(path)), None
    if len(data) < 20 or data[:4] != b"glTF" or data[12 + 4:20] != b"JSON":
        raise BadModel(_("not a GLB file (it should start with glTF and a JSON chunk)"))
    (json_size,) = struct.unpack_from("<I", data, 12)
    rest = memoryview(data)[20 + json_size:]  # a view: the binary chunk is copied once, below
    bin_size = struct.unpack_from("<I", rest)[0] if len(rest) >= 8 and rest[4:8] == b"BIN\0" else 0
    return validate.parse_json(data[20:20 + json_size], str(path)), bytes(rest[8:8 + bin_size]) if bin_size else None


def _data_uri_size(uri: str) -> int:
    head, _sep, body = uri.partition(",")
    if not head.endswith(";base64"):
        return len(unquote(body).encode("utf-8"))
    return len(body) * 3 // 4 - body[-2:].count("=")


def _data_uri_bytes(uri: str, at: list) -> bytes:
    """What a ``data:`` URI holds (bounded by the model file it is written in)."""
    head, _sep, body = uri.partition(",")
    if not head.endswith(";base64"):
        return unquote_to_bytes(body)
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise BadModel(_("{where}: expected base64 data after the comma").format(where=json_path(at))) from None


def _buffer_sizes(doc: dict, folder: Path, bin_chunk: bytes | None) -> list[int]:
    """Each buffer's declared length, checked against the bytes that really back it."""
    sizes = []
    for j, buffer in enumerate(_items(doc, "buffers")):
        at = ["buffers", j]
        declared = _count(buffer, "byteLength", at)
        uri = buffer.get("uri")
        if uri is None:
            actual = len(bin_chunk or b"")
        elif not isinstance(uri, str):
            raise BadModel(_("{where}: expected text").format(where=json_path(at + ["uri"])))
        elif uri.startswith("data:"):
            actual = _data_uri_size(uri)
        else:
            actual = _file_size(unquote(uri), folder, at + ["uri"])
        if declared > actual:
            raise BadModel(_("{where}: declares {declared} bytes but the data holds only {actual}").format(
                where=json_path(at + ["byteLength"]), declared=declared, actual=actual))
        sizes.append(declared)
    return sizes


def _file_size(relative: str, folder: Path, at: list) -> int:
    try:
        return safe_read.check_regular(validate.locate_asset(relative, folder, []), safe_read.ASSET_FILE_LIMIT)
    except safe_read.Unreadable as exc:
        raise BadModel(f"{json_path(at)}: {exc}") from None


def _check_image(relative: str, folder: Path, at: list) -> None:
    """An image file the model names: confined, regular, and at most the pixels a texture may have."""
    _file_size(relative, folder, at)
    try:
        image_header.check(safe_read.read_bytes(validate.locate_asset(relative, folder, []), safe_read.ASSET_FILE_LIMIT))
    except (image_header.BadImage, safe_read.Unreadable) as exc:
        raise BadModel(f"{json_path(at)}: {exc}") from None


def _measure(data: bytes, at: list) -> None:
    try:
        image_header.check(data)
    except image_header.BadImage as exc:
        raise BadModel(f"{json_path(at)}: {exc}") from None


def _view_bytes(doc: dict, index, folder: Path, bin_chunk: bytes | None) -> bytes:
    """The bytes of a buffer view (checked to lie inside its buffer) from the GLB chunk, a data URI or a file."""
    view = _entry(doc, "bufferViews", index)
    buffer = doc["buffers"][view["buffer"]]
    uri, at = buffer.get("uri"), ["buffers", view["buffer"], "uri"]
    if uri is None:
        data = bin_chunk or b""
    elif uri.startswith("data:"):
        data = _data_uri_bytes(uri, at)
    else:
        data = safe_read.read_bytes(validate.locate_asset(unquote(uri), folder, []), safe_read.ASSET_FILE_LIMIT)
    start = view.get("byteOffset", 0)
    return data[start:start + view["byteLength"]]


def _check_images(doc: dict, folder: Path, bin_chunk: bytes | None) -> None:
    """Every image at most the pixels a texture may have, by its header: a file beside the model, a
    ``data:`` URI, or a buffer view (a GLB's binary chunk), before anything decodes it."""
    for j, image in enumerate(_items(doc, "images")):
        uri = image.get("uri")
        if isinstance(uri, str) and not uri.startswith("data:"):
            _check_image(unquote(uri), folder, ["images", j, "uri"])
        elif isinstance(uri, str):
            _measure(_data_uri_bytes(uri, ["images", j, "uri"]), ["images", j, "uri"])
        elif "bufferView" in image:
            _measure(_view_bytes(doc, image["bufferView"], folder, bin_chunk), ["images", j, "bufferView"])


def _check_views_and_accessors(doc: dict, sizes: list[int]) -> None:
    for j, view in enumerate(_items(doc, "bufferViews")):
        at = ["bufferViews", j]
        _entry(doc, "buffers", view.get("buffer"))
        end = _count(view, "byteOffset", at, 0) + _count(view, "byteLength", at)
        if end > sizes[view["buffer"]]:
            raise BadModel(_("{where}: reaches byte {end}, past the end of its buffer ({size} bytes)").format(
                where=json_path(at), end=end, size=sizes[view["buffer"]]))
    for j, accessor in enumerate(_items(doc, "accessors")):
        at = ["accessors", j]
        count = _count(accessor, "count", at)
        element = _element_bytes(accessor, at)
        if count * element > safe_read.ASSET_FILE_LIMIT:
            raise BadModel(_("{where}: {count} elements are more than a model may hold").format(
                where=json_path(at + ["count"]), count=count))
        if "bufferView" in accessor and count:
            view = _entry(doc, "bufferViews", accessor["bufferView"])
            stride = view.get("byteStride")
            stride = stride if isinstance(stride, int) and stride > 0 else element
            end = _count(accessor, "byteOffset", at, 0) + (count - 1) * stride + element
            if end > view["byteLength"]:
                raise BadModel(_("{where}: reaches byte {end}, past the end of its buffer view ({size} bytes)").format(
                    where=json_path(at), end=end, size=view["byteLength"]))


def _element_bytes(accessor: dict, at: list) -> int:
    component, kind = accessor.get("componentType"), accessor.get("type")
    if not isinstance(component, int) or not isinstance(kind, str) or component not in COMPONENT_BYTES \
            or kind not in TYPE_COMPONENTS:
        raise BadModel(_("{where}: expected a glTF componentType and type").format(where=json_path(at)))
    return COMPONENT_BYTES[component] * TYPE_COMPONENTS[kind]


def _triangles(doc: dict) -> int:
    total = 0
    for mesh in _items(doc, "meshes"):
        for primitive in _items(mesh, "primitives"):
            source = primitive.get("indices", primitive.get("attributes", {}).get("POSITION"))
            count = _entry(doc, "accessors", source)["count"] if source is not None else 0
            mode = primitive.get("mode", 4)
            total += count // 3 if mode == 4 else max(count - 2, 0) if mode in (5, 6) else 0
    return total


def model_triangles(path: Path) -> int:
    """The triangles in a model that is safe to load; raises :class:`BadModel` or :class:`safe_read.Unreadable`."""
    try:
        return _checked_triangles(path)
    except (AttributeError, TypeError, KeyError):  # a field of the wrong kind somewhere not checked one by one
        raise BadModel(_("not a glTF 2.0 file this program can read: a field has the wrong kind of value")) from None


def _checked_triangles(path: Path) -> int:
    doc, bin_chunk = _read(path)
    if not isinstance(doc, dict):
        raise BadModel(_("expected a glTF object"))
    sizes = _buffer_sizes(doc, path.parent, bin_chunk)
    _check_views_and_accessors(doc, sizes)
    _check_images(doc, path.parent, bin_chunk)
    triangles = _triangles(doc)
    if triangles > MODEL_TRIANGLE_LIMIT:
        raise BadModel(_("{count} triangles; a model may have at most {limit}").format(
            count=triangles, limit=MODEL_TRIANGLE_LIMIT))
    return triangles


def scene_errors(doc: dict, file: str, base_dir: Path, asset_dirs: Iterable[Path]) -> list[SceneError]:
    """Problems with the models a schema-valid scene names, and their triangles together."""
    errors, total = [], 0
    for i, obj in enumerate(doc.get("objects", [])):
        if obj["type"] != "model":
            continue
        try:
            total += model_triangles(validate.locate_asset(obj["model"], base_dir, asset_dirs))
        except (BadModel, safe_read.Unreadable) as exc:
            errors.append(SceneError(file, json_path(["objects", i, "model"]), _("{path!r}: {problem}").format(
                path=obj["model"], problem=exc)))
    if total > SCENE_TRIANGLE_LIMIT:
        errors.append(SceneError(file, "objects", _("the models have {count} triangles together; a scene may have "
                                                     "at most {limit}").format(count=total, limit=SCENE_TRIANGLE_LIMIT)))
    return errors
