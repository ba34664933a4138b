"""The collision solids the builders make, without drawing anything: what a citizen would be stuck in.

Every builder runs as it does for the world, but into a mesh builder that keeps only the collision
polygons (no triangles, no text, no attachments), so buildings, gates, walls and models are judged by
the very solids the walker meets. A point is inside a solid when horizontal rays in every direction,
at the heights of the walker's body, first meet a polygon from behind (its inner side).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from panda3d.core import NodePath

from metaseoul.scenes.builders import BUILDERS, BuildContext, MeshBuilder

DIRECTIONS = 8  # horizontal rays around the point
ENCLOSED = 6  # how many of them must find the point inside
# turned off the axes, so that a ray through the middle of a box does not meet exactly its edges
_ANGLES = np.linspace(0, 2 * np.pi, DIRECTIONS, endpoint=False) + 0.1234
_RAYS = np.stack([np.cos(_ANGLES), np.sin(_ANGLES), np.zeros(DIRECTIONS)], 1)


class _CollisionOnly(MeshBuilder):
    """A mesh builder that draws nothing and keeps the collision polygons."""

    def triangles(self, *args, **kwargs) -> None:
        return None

    def attach(self, node: NodePath) -> None:
        return None


def _no_text(*_args, **_kwargs) -> NodePath:
    return NodePath("text")


class Solids:
    """The collision triangles of some objects of a scene, each tagged with the index of its object."""

    def __init__(self, asset: Callable[[str], Path]):
        self._asset = asset
        self._tris: list = []
        self._owners: list[int] = []
        self._packed: tuple[np.ndarray, np.ndarray] = (np.zeros((0, 3, 3)), np.zeros(0, int))

    @property
    def triangles(self) -> tuple[np.ndarray, np.ndarray]:
        """All triangles (n, 3 corners, xyz) and the object index of each."""
        if len(self._packed[1]) != len(self._owners):
            self._packed = (np.asarray(self._tris, float).reshape(-1, 3, 3), np.asarray(self._owners, int))
        return self._packed

    def add(self, index: int, obj: dict) -> None:
        """Build one object's solids as its builder makes them; raises :class:`BuildError` like the builder."""
        mb = _CollisionOnly({})
        with mb.local(obj["position"], heading=180.0 - obj.get("facing", 180.0)):
            BUILDERS[obj["type"]](mb, obj, BuildContext(obj=obj, asset=self._asset, text=_no_text))
        for poly in mb.colliders:
            self._tris += [(poly[0], poly[i], poly[i + 1]) for i in range(1, len(poly) - 1)]
            self._owners += [index] * (len(poly) - 2)

    def extent(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The lowest and highest corner of one object's solids."""
        tris, owners = self.triangles
        points = tris[owners == index].reshape(-1, 3)
        return points.min(0), points.max(0)

    def inside(self, point: Iterable[float]) -> int | None:
        """The index of the object whose solids hold ``point``, or None.

        Inside a solid, the first polygon a ray meets is one of its faces seen from behind (collision
        polygons face the side citizens stand on). Builders' solids overlap (a building's bay juts from
        its block: the bay's inner face lies inside the block) and are not all closed (a gate's passage
        is open at both ends), so a point counts as inside when nearly every ray says so, and in an
        open passage most rays meet a wall from the front or nothing. The object is the one most rays
        leave through."""
        point = np.asarray(list(point), float)
        tris, owners = self.triangles
        level = (tris[:, :, 2].min(1) <= point[2]) & (point[2] <= tris[:, :, 2].max(1))
        tris, owners = tris[level], owners[level]
        if not len(tris):
            return None
        a, e1, e2 = tris[:, 0], tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]
        p = np.cross(_RAYS[:, None, :], e2[None])  # Möller–Trumbore, (rays, triangles)
        det = np.einsum("tk,rtk->rt", e1, p)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        s = point - a
        q = np.cross(s, e1)
        u = np.einsum("tk,rtk->rt", s, p) * inv
        v = np.einsum("rk,tk->rt", _RAYS, q) * inv
        t = np.einsum("tk,tk->t", e2, q)[None] * inv
        # u > 0 strictly: the diagonal two triangles of one polygon share is counted once
        hit = ok & (u > 0) & (v >= 0) & (u + v <= 1) & (t > 1e-9)
        nearest = np.where(hit, t, np.inf).argmin(1)
        rays = np.arange(DIRECTIONS)
        leaving = hit[rays, nearest] & (np.einsum("rk,rk->r", np.cross(e1, e2)[nearest], _RAYS) > 0)
        if leaving.sum() < ENCLOSED:
            return None
        values, counts = np.unique(owners[nearest[leaving]], return_counts=True)
        return int(values[counts.argmax()])
