"""The traditional Korean gate: a stone base with arches, a pavilion of column bays with bracket
sets, and a curved tiled roof, in the dancheong palette.

One parameter set per gate: Gwanghwamun, Sungnyemun, Donuimun and Daehanmun all come from here.
Proportions follow shared/reference/seoul-spaces.md section 9 (column diameter ≈ bay/11, eave line
about 30° from the column foot, corner upsweep and inward plan curve of the eaves).
"""

from __future__ import annotations

import math

import numpy as np

from metaseoul.scenes.builders.context import BuildContext
from metaseoul.scenes.builders.mesh import MeshBuilder

ARCH_SEGMENTS = 12


def korean_gate(mb: MeshBuilder, obj: dict, ctx: BuildContext) -> None:
    base, pav = obj["base"], obj["pavilion"]
    m = _Materials(ctx)
    _stone_base(mb, base, m)
    if "walls" in obj:
        _city_walls(mb, base, obj["walls"], m)
    bays, depth_bays = pav["bays"], pav["depth_bays"]
    widest = max(bays)
    column_h = pav.get("column_height", min(6.0, max(2.6, 0.62 * widest)))
    column_r = min(0.42, max(0.18, widest / 22))
    storeys = pav.get("storeys", 1)
    xs = np.cumsum([0.0, *bays]) - sum(bays) / 2
    ys = np.cumsum([0.0, *depth_bays]) - sum(depth_bays) / 2
    z = base["height"]
    if z >= 2.0:  # on a masonry base the pavilion stands on its own stone floor
        mb.box((0, 0, z), (sum(bays) + 1.2, sum(depth_bays) + 1.2, 0.3), m.stone, solid=True)
        z += 0.3
    half_w, half_d = sum(bays) / 2, sum(depth_bays) / 2
    for storey in range(storeys):
        top_storey = storey == storeys - 1
        h = column_h if storey == 0 else column_h * 0.72
        _columns(mb, xs, ys, z, h, column_r, m, solid=storey == 0)
        if storey > 0:
            _upper_walls(mb, xs, ys, z, h, column_r, m)
        z += h
        band = _bracket_band(mb, xs, ys, z, widest, m)
        if not top_storey:
            # the lower storey's pent roof (skirt eaves) wraps the upper storey
            skirt = _Roof(half_w + column_r, half_d + column_r, z + band * 0.6,
                          eaves=column_h * 0.38, height=column_h * 0.35, kind="pent")
            skirt.build(mb, m)
            z += band
            continue
        z += band
        eaves = pav.get("eaves", 0.5 * column_h + 0.6)
        roof_h = pav.get("roof_height", 0.42 * (2 * half_d + 2 * eaves))
        _Roof(half_w, half_d, z, eaves=eaves, height=roof_h, kind=pav.get("roof", "hipped")).build(mb, m)
        if "signboard" in obj:
            _signboard(mb, obj["signboard"], ctx, xs, ys, z - band, band, storeys, m)


class _Materials:
    """The material of each part of a gate, from the object's slots or the dancheong defaults."""

    def __init__(self, ctx: BuildContext):
        self.stone = ctx.material("base", "granite-block")
        self.parapet = ctx.material("parapet", "granite-block")
        self.column = ctx.material("columns", "seokganju")
        self.beam = ctx.material("beams", "noerok")
        self.bracket = ctx.material("brackets", "noerok")
        self.bracket_edge = ctx.material("bracket-edges", "byeokcheong")
        self.roof = ctx.material("roof", "giwa")
        self.ridge = ctx.material("ridge", "giwa-ridge")
        self.soffit = ctx.material("soffit", "hayeop")
        self.panel = ctx.material("panels", "seokganju")


def _stone_base(mb: MeshBuilder, base: dict, m: _Materials) -> None:
    """The masonry base: solid stone with vaulted passages, and a parapet on top."""
    w, d, h = base["width"] / 2, base["depth"] / 2, base["height"]
    arches = sorted(base.get("arches", []), key=lambda a: a.get("offset", 0.0))
    # front and back faces, cut around each arch
    x = -w
    for arch in arches:
        cx, aw = arch.get("offset", 0.0), arch["width"] / 2
        _wall_slab(mb, x, cx - aw, d, 0, h, m.stone)
        curve = _arch_curve(cx, aw, arch["height"])
        for (ax, az), (bx, bz) in zip(curve, curve[1:]):
            for y, sign in ((-d, 1), (d, -1)):
                quad = [(ax, y, az), (bx, y, bz), (bx, y, h), (ax, y, h)]
                mb.quad(*(quad if sign > 0 else quad[::-1]), m.stone)
        # passage: straight sides, then the vault
        spring = curve[0][1]
        mb.quad((cx - aw, -d, 0), (cx - aw, d, 0), (cx - aw, d, spring), (cx - aw, -d, spring), m.stone)
        mb.quad((cx + aw, d, 0), (cx + aw, -d, 0), (cx + aw, -d, spring), (cx + aw, d, spring), m.stone)
        for (ax, az), (bx, bz) in zip(curve, curve[1:]):
            mb.quad((ax, -d, az), (ax, d, az), (bx, d, bz), (bx, -d, bz), m.stone)
        mb.collide_box((cx - aw, -d, spring), (cx + aw, d, h))
        x = cx + aw
    _wall_slab(mb, x, w, d, 0, h, m.stone)
    mb.quad((w, -d, 0), (w, d, 0), (w, d, h), (w, -d, h), m.stone, solid=True)
    mb.quad((-w, d, 0), (-w, -d, 0), (-w, -d, h), (-w, d, h), m.stone, solid=True)
    mb.quad((-w, -d, h), (w, -d, h), (w, d, h), (-w, d, h), m.stone, solid=True)
    # a cornice course just below the top, then a crenellated parapet
    mb.box((0, 0, h - 0.35), (2 * w + 0.3, 2 * d + 0.3, 0.35), m.stone, solid=False)
    parapet = base.get("parapet", 1.1)
    if parapet > 0:
        for length, at, along_x in ((2 * w, (0, -d + 0.3), True), (2 * w, (0, d - 0.3), True),
                                    (2 * d, (-w + 0.3, 0), False), (2 * d, (w - 0.3, 0), False)):
            _crenellations(mb, length, at, along_x, h, parapet, m.parapet)


def _wall_slab(mb: MeshBuilder, x0: float, x1: float, d: float, z0: float, z1: float, material: str) -> None:
    """The solid part of the base between two arches: its front and back faces, and its collider."""
    if x1 - x0 < 1e-3:
        return
    mb.quad((x0, -d, z0), (x1, -d, z0), (x1, -d, z1), (x0, -d, z1), material)
    mb.quad((x1, d, z0), (x0, d, z0), (x0, d, z1), (x1, d, z1), material)
    mb.collide_box((x0, -d, z0), (x1, d, z1))


def _arch_curve(cx: float, half_width: float, height: float) -> list[tuple[float, float]]:
    """Points of a round arch from its left springing point over to the right."""
    rise = min(half_width, height)
    spring = height - rise
    angles = np.linspace(math.pi, 0, ARCH_SEGMENTS + 1)
    return [(cx + half_width * math.cos(a), spring + rise * math.sin(a)) for a in angles]


def _crenellations(mb: MeshBuilder, length: float, at, along_x: bool, z: float, height: float, material: str) -> None:
    merlon, gap = 2.4, 0.5
    count = max(1, int((length + gap) // (merlon + gap)))
    step = length / count
    for i in range(count):
        c = -length / 2 + step * (i + 0.5)
        center = (at[0] + c, at[1], z) if along_x else (at[0], at[1] + c, z)
        size = (step - gap, 0.6, height) if along_x else (0.6, step - gap, height)
        mb.box(center, size, material, solid=True)


def _city_walls(mb: MeshBuilder, base: dict, lengths, m: _Materials) -> None:
    w, d, h = base["width"] / 2, base["depth"] / 2, base["height"]
    for side, length in zip((-1, 1), lengths):
        cx = side * (w + length / 2)
        mb.box((cx, 0, 0), (length, d * 1.2, h * 0.8), m.stone)
        _crenellations(mb, length, (cx, -d * 0.6 + 0.3), True, h * 0.8, 1.0, m.parapet)


def _columns(mb, xs, ys, z, height, radius, m: _Materials, solid: bool) -> None:
    for x in xs:
        for y in ys:
            mb.cylinder((x, y, z - 0.05), radius * 1.35, 0.25, m.stone, segments=8, solid=solid)
            mb.cylinder((x, y, z + 0.2), radius, height - 0.2, m.column, segments=12, solid=solid)


def _upper_walls(mb, xs, ys, z, height, radius, m: _Materials) -> None:
    """Board walls between the upper storey's columns, a little inset, with dark window bands."""
    inset = radius * 0.5
    for (x0, x1), y, face in [((a, b), ys[0] + inset, -1) for a, b in zip(xs, xs[1:])] + \
                             [((a, b), ys[-1] - inset, 1) for a, b in zip(xs, xs[1:])]:
        quad = [(x0, y, z), (x1, y, z), (x1, y, z + height), (x0, y, z + height)]
        mb.quad(*(quad if face < 0 else quad[::-1]), m.panel)
        wy = y + face * -0.02
        band = [(x0 + 0.3, wy, z + height * 0.45), (x1 - 0.3, wy, z + height * 0.45),
                (x1 - 0.3, wy, z + height * 0.8), (x0 + 0.3, wy, z + height * 0.8)]
        mb.quad(*(band if face < 0 else band[::-1]), m.soffit)
    for (y0, y1), x, face in [((a, b), xs[0] + inset, -1) for a, b in zip(ys, ys[1:])] + \
                             [((a, b), xs[-1] - inset, 1) for a, b in zip(ys, ys[1:])]:
        quad = [(x, y1, z), (x, y0, z), (x, y0, z + height), (x, y1, z + height)]
        mb.quad(*(quad if face < 0 else quad[::-1]), m.panel)


def _bracket_band(mb, xs, ys, z, widest: float, m: _Materials) -> float:
    """Lintels, the plate beam and multi-bracket (dapo) sets; returns the band's height."""
    w, d = (xs[-1] - xs[0]) / 2, (ys[-1] - ys[0]) / 2
    lintel = min(0.55, 0.06 * widest + 0.1)
    band = lintel + 0.25 + 0.55 * min(1.6, widest / 5)
    mb.box((0, 0, z), (2 * w + 0.2, 2 * d + 0.2, lintel), m.beam, solid=False)
    mb.box((0, 0, z + lintel), (2 * w + 0.45, 2 * d + 0.45, 0.22), m.bracket_edge, solid=False)
    zb = z + lintel + 0.22
    tiers, tier_h = 3, (band - lintel - 0.22) / 3
    # bracket sets on every column and two between each pair, on all four sides
    def sets(a):
        out = []
        for p, q in zip(a, a[1:]):
            out += [p, p + (q - p) / 3, p + 2 * (q - p) / 3]
        return out + [a[-1]]
    for x in sets(list(xs)):
        for y, out in ((-d, -1), (d, 1)):
            for t in range(tiers):
                reach = 0.3 + 0.28 * t
                mb.box((x, y + out * reach / 2, zb + t * tier_h), (0.28 + 0.12 * t, reach + 0.3, tier_h * 0.92),
                       m.bracket if t % 2 == 0 else m.bracket_edge, solid=False)
    for y in sets(list(ys))[1:-1]:
        for x, out in ((-w, -1), (w, 1)):
            for t in range(tiers):
                reach = 0.3 + 0.28 * t
                mb.box((x + out * reach / 2, y, zb + t * tier_h), (reach + 0.3, 0.28 + 0.12 * t, tier_h * 0.92),
                       m.bracket if t % 2 == 0 else m.bracket_edge, solid=False)
    mb.box((0, 0, zb), (2 * w - 0.1, 2 * d - 0.1, band - lintel - 0.22), m.beam, solid=False)
    return band


def _signboard(mb, text: dict, ctx: BuildContext, xs, ys, z, band, storeys, m: _Materials) -> None:
    """The name board hung under the top eaves on the central bay, gilt letters on black."""
    bay = min(b - a for a, b in zip(xs, xs[1:]))
    width, height = min(bay * 0.8, 1.0 + 1.1 * len(text["ko"])), min(1.6, band * 0.95 + 0.4)
    y = ys[0] - 0.55
    mb.box((0, y, z - height * 0.55), (width, 0.15, height), "signboard-black", solid=False)
    letters = ctx.text(text["ko"], height=height * 0.62, color="#E8B931", max_width=width * 0.86)
    with mb.local((0, y - 0.09, z - height * 0.55 + height * 0.22)):
        mb.attach(letters)


class _Roof:
    """A curved tiled roof over the rectangle ±half_w × ±half_d, eaves at ``z``.

    Each slope is a grid between the eave line and the ridge line, sagging in the middle (concave
    profile); the eave line sweeps up at the corners and bows outward in plan, and the hips share
    their points between the two slopes that meet there, so the roof has no cracks.
    """

    U, V = 14, 7

    def __init__(self, half_w: float, half_d: float, z: float, eaves: float, height: float, kind: str):
        self.ex, self.ey = half_w + eaves, half_d + eaves
        self.z, self.height, self.kind = z, height, kind
        self.lift = min(1.4, max(0.25, 0.05 * self.ex))
        self.bow = min(1.2, 0.035 * self.ex)
        self.sag = 0.14 * height
        if kind == "pent":  # a lean-to ring: its "ridge" is the wall it leans on
            self.inner = (half_w, half_d)
        ridge = {"hipped": self.ex - self.ey, "hip-and-gable": self.ex - 0.55 * self.ey, "gable": self.ex}
        self.rx = max(0.12 * self.ex, ridge.get(kind, 0.0))

    def eave(self, t: float, side: str) -> np.ndarray:
        """A point on the eave line; ``t`` runs -1..1 along the front ('x') or the side ('y')."""
        out, lift = self.bow * t * t, self.z + self.lift * t ** 4
        if side == "x":
            return np.array([t * (self.ex + out), -(self.ey + out), lift])
        return np.array([self.ex + out, t * (self.ey + out), lift])

    def ridge(self, t: float, side: str) -> np.ndarray:
        if self.kind == "pent":
            iw, idp = self.inner
            top = self.z + self.height
            return np.array([t * iw, -idp, top]) if side == "x" else np.array([iw, t * idp, top])
        if side == "x":
            return np.array([t * self.rx, 0.0, self.z + self.height])
        return np.array([self.rx, 0.0, self.z + self.height])

    def surface(self, side: str) -> np.ndarray:
        grid = np.empty((self.V + 1, self.U + 1, 3))
        for i, v in enumerate(np.linspace(0, 1, self.V + 1)):
            for j, t in enumerate(np.linspace(-1, 1, self.U + 1)):
                p = self.eave(t, side) * (1 - v) + self.ridge(t, side) * v
                p[2] -= self.sag * math.sin(math.pi * v)
                grid[i, j] = p
        return grid

    def build(self, mb: MeshBuilder, m: _Materials) -> None:
        for heading in (0.0, 180.0):  # front slope, back slope
            with mb.local(heading=heading):
                self._slope(mb, self.surface("x"), m)
        if self.kind != "gable":
            for heading in (0.0, 180.0):  # side slopes
                with mb.local(heading=heading):
                    self._slope(mb, self.surface("y"), m)
        if self.kind == "pent":
            return
        top = self.z + self.height
        mb.beam((-self.rx - 0.3, 0, top + 0.15), (self.rx + 0.3, 0, top + 0.15), 0.55, 0.75, m.ridge)
        for sx in (-1, 1):
            mb.box((sx * (self.rx + 0.35), 0, top - 0.1), (0.5, 0.55, 1.1), m.roof, solid=False)  # chwidu
        if self.kind in ("hipped", "hip-and-gable"):
            self._hip_ridges(mb, m)
        if self.kind in ("hip-and-gable", "gable"):
            self._gables(mb, m)

    def _slope(self, mb: MeshBuilder, grid: np.ndarray, m: _Materials) -> None:
        """One slope: tiles on top, painted rafters underneath the eave, and the eave's fascia."""
        rows, cols = grid.shape[:2]
        mb.triangles(grid.reshape(-1, 3), _grid_normals(grid), _grid_indices(rows, cols), m.roof)
        under = grid[: rows // 2 + 1].copy()
        under[..., 2] -= 0.35
        mb.triangles(under.reshape(-1, 3), -_grid_normals(under), _grid_indices(len(under), cols)[:, ::-1], m.soffit)
        lip = np.vstack([grid[0], under[0]])
        lip_idx = np.array([[j, cols + j + 1, j + 1] for j in range(cols - 1)] +
                           [[j, cols + j, cols + j + 1] for j in range(cols - 1)])
        outward = np.cross(lip[1] - lip[0], [0.0, 0.0, 1.0])
        mb.triangles(lip, np.tile(outward / np.linalg.norm(outward), (2 * cols, 1)), lip_idx, m.bracket_edge)

    def _hip_ridges(self, mb: MeshBuilder, m: _Materials) -> None:
        for sx in (-1, 1):
            for sy in (-1, 1):
                corner = self.eave(float(sx), "x") * np.array([1, -sy, 1])
                end = self.ridge(float(sx), "x")
                pts = []
                for v in np.linspace(0, 1, self.V + 1):
                    p = corner * (1 - v) + end * v
                    p[2] -= self.sag * math.sin(math.pi * v) - 0.2
                    pts.append(p)
                for a, b in zip(pts, pts[1:]):
                    mb.beam(a, b, 0.45, 0.45, m.ridge)
                for k in range(1, 6):  # japsang figurines on the lower hip
                    p = corner * (1 - k * 0.06) + end * (k * 0.06)
                    p[2] += 0.35 - self.sag * math.sin(math.pi * k * 0.06)
                    mb.box((p[0], p[1], p[2]), (0.22, 0.22, 0.38), m.roof, solid=False)

    def _gables(self, mb: MeshBuilder, m: _Materials) -> None:
        """The triangular gable walls (hapgak) under each ridge end."""
        top = self.z + self.height
        low = 0.45 if self.kind == "hip-and-gable" else 0.0
        for sx in (-1, 1):
            x = sx * (self.rx - 0.2)
            z0 = self.z + self.height * low - self.sag * math.sin(math.pi * low)
            half = self.ey * (1 - low) * 0.95
            tri = [(x, -half, z0), (x, half, z0), (x, 0, top)]
            mb.polygon(tri if sx > 0 else tri[::-1], m.panel)


def _grid_indices(rows: int, cols: int) -> np.ndarray:
    idx = []
    for i in range(rows - 1):
        for j in range(cols - 1):
            a, b, c, d = i * cols + j, i * cols + j + 1, (i + 1) * cols + j + 1, (i + 1) * cols + j
            idx += [[a, b, c], [a, c, d]]
    return np.array(idx)


def _grid_normals(grid: np.ndarray) -> np.ndarray:
    """Per-vertex normals of a grid whose rows run from the eave up to the ridge."""
    du = np.gradient(grid, axis=1)
    dv = np.gradient(grid, axis=0)
    n = np.cross(du, dv)
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-9)
    return n.reshape(-1, 3)
