"""Procedural geometry in one vertex format, so that a whole scene flattens into a few draw calls.

Every vertex carries its material (colour plus a *surface*: pattern, pattern scale, variation and
shine) instead of a per-node render state; the world shader draws the patterns in world space. A
builder therefore never changes render state, and flattening can merge everything it made.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from panda3d.core import (
    CollisionNode,
    CollisionPolygon,
    Geom,
    GeomEnums,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
    InternalName,
    LMatrix4f,
    NodePath,
    Point3,
    TransparencyAttrib,
    Triangulator,
)

PATTERNS = ("plain", "grass", "paving", "stone", "glass", "giwa", "asphalt", "water", "plaster",
            "wood", "metal", "bark", "leaves", "planks", "marble", "carpet")
SURFACE = InternalName.make("surface")
WALKABLE_MASK = 0x1  # collision bit that citizens collide with


def _vertex_format() -> GeomVertexFormat:
    array = GeomVertexArrayFormat()
    array.addColumn(InternalName.getVertex(), 3, GeomEnums.NT_float32, GeomEnums.C_point)
    array.addColumn(InternalName.getNormal(), 3, GeomEnums.NT_float32, GeomEnums.C_normal)
    array.addColumn(InternalName.getColor(), 4, GeomEnums.NT_float32, GeomEnums.C_color)
    array.addColumn(SURFACE, 4, GeomEnums.NT_float32, GeomEnums.C_other)
    return GeomVertexFormat.registerFormat(GeomVertexFormat(array))


VERTEX_FORMAT = _vertex_format()
_FLOATS = 14  # 3 position + 3 normal + 4 colour + 4 surface


def srgb(hex_color: str) -> tuple[float, float, float]:
    value = int(hex_color[1:], 16)
    return ((value >> 16) / 255.0, ((value >> 8) & 255) / 255.0, (value & 255) / 255.0)


@dataclass(frozen=True)
class Material:
    color: tuple[float, float, float]
    pattern: int = 0
    scale: float = 1.0
    variation: float = 0.1
    shine: float = 0.0
    opacity: float = 1.0  # below 1 the surface is blended over what lies behind it (glass partitions)

    @classmethod
    def from_spec(cls, spec: Mapping) -> Material:
        return cls(
            color=srgb(spec["color"]),
            pattern=PATTERNS.index(spec.get("pattern", "plain")),
            scale=float(spec.get("scale", 1.0)),
            variation=float(spec.get("variation", 0.1)),
            shine=float(spec.get("shine", 0.0)),
            opacity=float(spec.get("opacity", 1.0)),
        )

    def vertex_tail(self) -> list[float]:
        return [*self.color, self.opacity, float(self.pattern), self.scale, self.variation, self.shine]


@dataclass
class _Part:
    rows: list[np.ndarray] = field(default_factory=list)
    indices: list[np.ndarray] = field(default_factory=list)
    count: int = 0


class MeshBuilder:
    """Collects triangles (and collision polygons) in scene coordinates.

    Builders describe shapes in their own frame and wrap calls in :meth:`local` to place them.
    With ``split_parts`` every shape becomes its own node: the naive build the benchmark compares with.
    """

    def __init__(self, materials: Mapping[str, Mapping], *, split_parts: bool = False):
        self._specs = materials
        self._materials: dict[str, Material] = {}
        self._split = split_parts
        self._parts: list[_Part] = [_Part()]
        self._clear = _Part()  # see-through surfaces: drawn apart, blended, after the opaque ones
        self._matrix = np.identity(4)
        self.colliders: list[list[tuple[float, float, float]]] = []
        self.attachments: list[NodePath] = []

    # --- placement -------------------------------------------------------------------------
    def material(self, name: str) -> Material:
        if name not in self._materials:
            self._materials[name] = Material.from_spec(self._specs[name])
        return self._materials[name]

    @contextmanager
    def local(self, offset: Sequence[float] = (0, 0, 0), heading: float = 0.0, pitch: float = 0.0,
              scale: Sequence[float] | float = 1.0) -> Iterator[None]:
        """Place the shapes made inside: rotate (heading about z, then pitch about x), then move."""
        h, p = math.radians(heading), math.radians(pitch)
        rz = np.array([[math.cos(h), -math.sin(h), 0], [math.sin(h), math.cos(h), 0], [0, 0, 1]])
        rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
        m = np.identity(4)
        m[:3, :3] = rz @ rx @ np.diag(np.broadcast_to(np.asarray(scale, float), 3))
        m[:3, 3] = offset
        saved = self._matrix
        self._matrix = saved @ m
        try:
            yield
        finally:
            self._matrix = saved

    def to_scene(self, point: Sequence[float]) -> tuple[float, float, float]:
        p = self._matrix @ np.array([*point, 1.0])
        return (float(p[0]), float(p[1]), float(p[2]))

    # --- raw triangles ---------------------------------------------------------------------
    def triangles(self, positions: np.ndarray, normals: np.ndarray, indices: np.ndarray,
                  material: str, colors: np.ndarray | None = None) -> None:
        """Add an indexed triangle list given in the current local frame."""
        mat = self.material(material)
        linear = self._matrix[:3, :3]
        pos = positions @ linear.T + self._matrix[:3, 3]
        nrm = normals @ np.linalg.inv(linear)
        nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-9)
        tail = np.tile(np.asarray(mat.vertex_tail(), np.float32), (len(pos), 1))
        if colors is not None:
            tail[:, :3] = colors
        if np.linalg.det(linear) < 0:
            indices = indices[:, ::-1]
        if self._split and mat.opacity >= 1.0:
            self._parts.append(_Part())
        part = self._parts[-1] if mat.opacity >= 1.0 else self._clear
        part.rows.append(np.hstack([pos, nrm, tail]).astype(np.float32))
        part.indices.append(indices.astype(np.uint32) + part.count)
        part.count += len(pos)

    def polygon(self, points: Sequence[Sequence[float]], material: str, solid: bool = False,
                normal: Sequence[float] | None = None) -> None:
        """A flat polygon (convex or not): counter-clockwise points seen from its front, or any
        order with ``normal`` saying which way it faces."""
        pts = np.asarray(points, float)
        n = _newell(pts)
        if not np.isfinite(pts).all() or np.linalg.norm(n) < 1e-9:
            return
        if normal is not None:  # wind the polygon to face the given way
            if np.dot(n, normal) < 0:
                pts = pts[::-1]
            n = np.asarray(normal, float)
        n = n / np.linalg.norm(n)
        if len(pts) == 3 or (len(pts) == 4 and _is_convex(pts, n)):
            tris = np.array([[0, i, i + 1] for i in range(1, len(pts) - 1)])
        else:
            tris = _triangulate(pts, n)
        self.triangles(pts, np.tile(n, (len(pts), 1)), tris, material)
        if solid:
            for tri in tris:
                self.collide([pts[i] for i in tri])

    def quad(self, a, b, c, d, material: str, solid: bool = False) -> None:
        self.polygon([a, b, c, d], material, solid)

    def collide(self, points: Sequence[Sequence[float]]) -> None:
        """A collision polygon (counter-clockwise from the side citizens stand on)."""
        self.colliders.append([self.to_scene(p) for p in points])

    def attach(self, node: NodePath) -> None:
        """Geometry made elsewhere (text, models), placed by the current frame."""
        node.setMat(node.getMat() * _mat4(self._matrix))
        self.attachments.append(node)

    # --- shapes ------------------------------------------------------------------------------
    def box(self, center: Sequence[float], size: Sequence[float], material: str, solid: bool = True,
            top_material: str | None = None) -> None:
        """An axis-aligned box in the local frame: ``center`` of its footprint at its base height.
        All six faces are drawn, so a box overhead (a ceiling, a lintel) hides the sky; the bottom
        face does not collide, since citizens never stand under a box's underside."""
        cx, cy, z0 = center
        w, d = size[0] / 2, size[1] / 2
        quads = _box_quads(cx - w, cx + w, cy - d, cy + d, z0, z0 + size[2])
        faces = [(q, material) for q in quads[:4]] + [(quads[4], top_material or material)]
        self._faces(faces + [(_bottom_quad(cx - w, cx + w, cy - d, cy + d, z0), material)], solid=False)
        if solid:
            for quad, _mat in faces:
                self.collide(quad)

    def collide_box(self, lo: Sequence[float], hi: Sequence[float]) -> None:
        """Collision only: the sides and top of the box from ``lo`` to ``hi``."""
        for quad in _box_quads(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]):
            self.collide(quad)

    def _faces(self, faces, solid: bool) -> None:
        by_material: dict[str, list] = {}
        for quad, mat in faces:
            by_material.setdefault(mat, []).append(quad)
        for mat, quads in by_material.items():
            pts = np.asarray(quads, float).reshape(-1, 3)
            normals = np.repeat([_newell(np.asarray(q, float)) for q in quads], 4, axis=0)
            normals /= np.linalg.norm(normals, axis=1, keepdims=True)
            base = np.arange(len(quads))[:, None] * 4
            tris = np.vstack([(base + [0, 1, 2]), (base + [0, 2, 3])])
            self.triangles(pts, normals, tris, mat)
        if solid:
            for quad, _mat in faces:
                self.collide(quad)

    def beam(self, start: Sequence[float], end: Sequence[float], width: float, height: float,
             material: str) -> None:
        """A rectangular beam between two points, kept upright (ridges, rafters, railings)."""
        a, b = np.asarray(start, float), np.asarray(end, float)
        axis = b - a
        length = float(np.linalg.norm(axis))
        if length < 1e-6:
            return
        axis /= length
        side = np.cross(axis, [0.0, 0.0, 1.0])
        side = side / np.linalg.norm(side) if np.linalg.norm(side) > 1e-6 else np.array([1.0, 0.0, 0.0])
        up = np.cross(side, axis)
        w, h = side * width / 2, up * height / 2
        corners = lambda p: [p - w - h, p + w - h, p + w + h, p - w + h]  # noqa: E731
        ca, cb = corners(a), corners(b)
        quads = [[ca[i], ca[(i + 1) % 4], cb[(i + 1) % 4], cb[i]] for i in range(4)] + [cb, ca]
        mid = (a + b) / 2
        faces = []
        for quad in quads:  # wind every face to face away from the beam's axis
            outward = np.dot(_newell(np.asarray(quad)), np.mean(quad, axis=0) - mid) > 0
            faces.append((quad if outward else quad[::-1], material))
        self._faces(faces, solid=False)

    def prism(self, outline: Sequence[Sequence[float]], z0: float, z1: float, material: str,
              top_material: str | None = None, solid: bool = True, top: bool = True) -> None:
        """An outline (counter-clockwise [x, y] points) extruded from z0 to z1."""
        pts = [tuple(p[:2]) for p in outline]
        for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
            self.quad((ax, ay, z0), (bx, by, z0), (bx, by, z1), (ax, ay, z1), material, solid)
        if top:
            self.polygon([(x, y, z1) for x, y in pts], top_material or material, solid)

    def cylinder(self, center: Sequence[float], radius: float, height: float, material: str,
                 segments: int = 12, solid: bool = True, top: bool = True, radius_top: float | None = None) -> None:
        cx, cy, z0 = center
        rt = radius if radius_top is None else radius_top
        ang = np.linspace(0, 2 * math.pi, segments + 1)
        cos, sin = np.cos(ang), np.sin(ang)
        bottom = np.stack([cx + radius * cos, cy + radius * sin, np.full_like(ang, z0)], 1)
        upper = np.stack([cx + rt * cos, cy + rt * sin, np.full_like(ang, z0 + height)], 1)
        slope = (radius - rt) / height
        normals = np.stack([cos, sin, np.full_like(ang, slope)], 1)
        pos = np.vstack([bottom, upper])
        nrm = np.vstack([normals, normals])
        n = segments + 1
        idx = np.array([[i, i + 1, n + i + 1] for i in range(segments)] + [[i, n + i + 1, n + i] for i in range(segments)])
        self.triangles(pos, nrm, idx, material)
        if top:
            self.polygon(upper[:-1], material)
        if solid:
            for i in range(segments):
                self.collide([bottom[i], bottom[i + 1], upper[i + 1], upper[i]])

    def ellipse(self, center: Sequence[float], radii: Sequence[float], height: float, material: str,
                segments: int = 64, solid: bool = True, side_material: str | None = None) -> None:
        """A flat elliptical slab, its top at ``center.z + height``."""
        cx, cy, z0 = center
        ang = np.linspace(0, 2 * math.pi, segments, endpoint=False)
        rim = [(cx + radii[0] * math.cos(a), cy + radii[1] * math.sin(a)) for a in ang]
        self.prism(rim, z0, z0 + height, side_material or material, top_material=material, solid=solid)

    def ellipsoid(self, center: Sequence[float], radii: Sequence[float], material: str,
                  rings: int = 6, segments: int = 10, lumpiness: float = 0.0, seed: int = 0,
                  upper_only: bool = False) -> None:
        rng = np.random.default_rng(seed)
        theta = np.linspace(0, math.pi / 2 if upper_only else math.pi, rings + 1)
        phi = np.linspace(0, 2 * math.pi, segments + 1)
        t, p = np.meshgrid(theta, phi, indexing="ij")
        unit = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], -1).reshape(-1, 3)
        bump = 1 + lumpiness * (rng.random((rings + 1, segments + 1)) - 0.5)
        bump[:, -1] = bump[:, 0]
        bump[0, :] = bump[0, 0]
        bump[-1, :] = bump[-1, 0]
        pos = unit * np.asarray(radii) * bump.reshape(-1, 1) + np.asarray(center)
        nrm = unit / np.asarray(radii)
        cols = segments + 1
        idx = []
        for r in range(rings):
            for s in range(segments):
                a, b = r * cols + s, (r + 1) * cols + s
                idx += [[a, b, b + 1], [a, b + 1, a + 1]]
        self.triangles(pos, nrm, np.array(idx), material)

    def strip(self, points: Sequence[Sequence[float]], width: float, z: float, material: str,
              offset: float = 0.0) -> None:
        """A flat ribbon along a path (roads, kerbs, markings); ``offset`` shifts it sideways."""
        pts = np.asarray(points, float)
        keep = np.r_[True, np.linalg.norm(np.diff(pts, axis=0), axis=1) > 1e-6]
        pts = pts[keep]  # a repeated point has no direction
        if len(pts) < 2:
            return
        left, right = [], []
        for i, p in enumerate(pts):
            d_prev = pts[i] - pts[i - 1] if i > 0 else pts[1] - pts[0]
            d_next = pts[i + 1] - pts[i] if i < len(pts) - 1 else d_prev
            d = d_prev / np.linalg.norm(d_prev) + d_next / np.linalg.norm(d_next)
            side = np.array([-d[1], d[0]]) / np.linalg.norm(d)
            miter = 1.0 / max(0.3, float(np.dot(side, np.array([-d_next[1], d_next[0]]) / np.linalg.norm(d_next))))
            left.append(p + side * (offset + width / 2) * miter)
            right.append(p + side * (offset - width / 2) * miter)
        for i in range(len(pts) - 1):
            self.quad((*right[i], z), (*right[i + 1], z), (*left[i + 1], z), (*left[i], z), material)

    # --- output ------------------------------------------------------------------------------
    def node(self, name: str) -> NodePath:
        """A node holding the geometry, the collision solids and the attachments."""
        root = NodePath(name)
        geom_node = GeomNode(name)
        parts = [p for p in self._parts if p.count]
        for i, part in enumerate(parts):
            geom = _make_geom(np.vstack(part.rows), np.vstack(part.indices))
            if self._split and i:
                geom_node = GeomNode(f"{name}-{i}")
            geom_node.addGeom(geom)
            if self._split or i == 0:
                root.attachNewNode(geom_node)
        if self._clear.count:
            clear = root.attachNewNode(GeomNode(f"{name}-clear"))
            clear.node().addGeom(_make_geom(np.vstack(self._clear.rows), np.vstack(self._clear.indices)))
            clear.setTransparency(TransparencyAttrib.MAlpha)
        if self.colliders:
            coll = CollisionNode(f"{name}-collision")
            coll.setIntoCollideMask(WALKABLE_MASK)
            coll.setFromCollideMask(0)
            for poly in self.colliders:
                _add_polygon(coll, poly)
            root.attachNewNode(coll)
        for attachment in self.attachments:
            attachment.reparentTo(root)
        return root


def _box_quads(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> list[list[tuple]]:
    """Front (-y), back, east, west and top faces, each counter-clockwise from outside."""
    return [
        [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)],
        [(x1, y1, z0), (x0, y1, z0), (x0, y1, z1), (x1, y1, z1)],
        [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)],
        [(x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x0, y1, z1)],
        [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)],
    ]


def _bottom_quad(x0: float, x1: float, y0: float, y1: float, z: float) -> list[tuple]:
    """The underside of a box, counter-clockwise seen from below."""
    return [(x0, y1, z), (x1, y1, z), (x1, y0, z), (x0, y0, z)]


def _make_geom(rows: np.ndarray, indices: np.ndarray) -> Geom:
    vdata = GeomVertexData("mesh", VERTEX_FORMAT, Geom.UH_static)
    vdata.uncleanSetNumRows(len(rows))
    memoryview(vdata.modifyArray(0)).cast("B")[:] = rows.astype(np.float32).tobytes()
    prim = GeomTriangles(Geom.UH_static)
    prim.setIndexType(GeomEnums.NT_uint32)
    flat = indices.astype(np.uint32).reshape(-1)
    handle = prim.modifyVertices()
    handle.uncleanSetNumRows(len(flat))
    memoryview(handle).cast("B")[:] = flat.tobytes()
    geom = Geom(vdata)
    geom.addPrimitive(prim)
    return geom


def _add_polygon(node: CollisionNode, points: list[tuple[float, float, float]]) -> None:
    pts = [Point3(*p) for p in points]
    for i in range(1, len(pts) - 1):
        tri = (pts[0], pts[i], pts[i + 1])
        if (tri[1] - tri[0]).cross(tri[2] - tri[0]).length() > 1e-6:
            node.addSolid(CollisionPolygon(*tri))


def _mat4(m: np.ndarray) -> LMatrix4f:
    # Panda3D multiplies row vectors, so it stores the transpose of our column-vector matrix.
    return LMatrix4f(*m.T.reshape(-1))


def _newell(pts: np.ndarray) -> np.ndarray:
    n = np.zeros(3)
    for a, b in zip(pts, np.roll(pts, -1, axis=0)):
        n += [(a[1] - b[1]) * (a[2] + b[2]), (a[2] - b[2]) * (a[0] + b[0]), (a[0] - b[0]) * (a[1] + b[1])]
    return n


def _is_convex(pts: np.ndarray, n: np.ndarray) -> bool:
    signs = [np.dot(np.cross(b - a, c - b), n) for a, b, c in zip(pts, np.roll(pts, -1, 0), np.roll(pts, -2, 0))]
    return all(s >= -1e-9 for s in signs)


def _triangulate(pts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Triangles of a flat, possibly concave polygon, projected onto its plane."""
    u = np.cross(n, [0, 0, 1] if abs(n[2]) < 0.9 else [1, 0, 0])
    u /= np.linalg.norm(u)
    v = np.cross(n, u)
    tri = Triangulator()
    for p in pts:
        tri.addPolygonVertex(tri.addVertex(float(np.dot(p, u)), float(np.dot(p, v))))
    tri.triangulate()
    out = np.array([[tri.getTriangleV0(i), tri.getTriangleV1(i), tri.getTriangleV2(i)]
                    for i in range(tri.getNumTriangles())], dtype=np.int64)
    if len(out) and np.dot(_newell(pts[out[0]]), n) < 0:
        out = out[:, ::-1]
    return out
