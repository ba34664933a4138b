"""Geometry invariants of every built-in scene, and true-scale facts from the reference sheet."""

from __future__ import annotations

import math

import numpy as np
import pytest
from panda3d.core import GeomEnums, NodePath

from metaseoul.runtime.walker import Intent, Walker
from metaseoul.scenes import load
from metaseoul.scenes.builders.mesh import VERTEX_FORMAT
from metaseoul.scenes.loader import build


def triangles(root: NodePath):
    """(positions, normals) of each triangle in metaseoul's own vertex format under ``root``."""
    for path in root.findAllMatches("**/+GeomNode"):
        node = path.node()
        for i in range(node.getNumGeoms()):
            geom = node.getGeom(i)
            vdata = geom.getVertexData()
            if vdata.getFormat() != VERTEX_FORMAT:
                continue  # text and glTF models
            rows = np.frombuffer(memoryview(vdata.getArray(0)), dtype=np.float32).reshape(-1, 14)
            for p in range(geom.getNumPrimitives()):
                prim = geom.getPrimitive(p).decompose()
                kind = np.uint32 if prim.getIndexType() == GeomEnums.NT_uint32 else np.uint16
                index = np.frombuffer(memoryview(prim.getVertices()), dtype=kind).reshape(-1, 3)
                yield rows[index][..., 0:3], rows[index][..., 3:6]


@pytest.mark.parametrize("scene_id", ["city-hall", "gwanghwamun"])
def test_triangles_face_the_way_their_normals_say(scene_id):
    """Winding (what back-face culling keeps) must agree with the shading normals."""
    built = build(load(scene_id))
    agree = disagree = 0
    for pos, nrm in triangles(built.root):
        face = np.cross(pos[:, 1] - pos[:, 0], pos[:, 2] - pos[:, 0])
        big = np.linalg.norm(face, axis=1) > 1e-6
        dots = np.einsum("ij,ij->i", face[big], nrm[big].sum(axis=1))
        agree += int((dots > 0).sum())
        disagree += int((dots <= 0).sum())
    assert agree > 5_000
    assert disagree == 0, f"{disagree} triangles are wound against their normals"


def area_of_top(built, object_id: str) -> float:
    lo, hi = built.objects[object_id].bounds
    return math.pi / 4 * (hi.x - lo.x) * (hi.y - lo.y)


def test_seoul_plaza_is_true_scale():
    built = build(load("city-hall"))
    assert area_of_top(built, "seoul-plaza") == pytest.approx(13_207, rel=0.02)
    assert area_of_top(built, "plaza-lawn") == pytest.approx(6_449, rel=0.02)


def test_gwanghwamun_is_true_scale():
    built = build(load("gwanghwamun"))
    lo, hi = built.objects["gwanghwamun"].bounds
    assert hi.z - lo.z == pytest.approx(20.0, abs=1.5), "total height 20 m"
    gate = next(o for o in load("gwanghwamun").objects if o["id"] == "gwanghwamun")
    assert gate["base"]["width"] == 46.6 and gate["base"]["height"] == 7
    assert sum(gate["pavilion"]["bays"]) == pytest.approx(23.7)
    sejong = next(o for o in load("gwanghwamun").objects if o["id"] == "sejong-base")
    assert gate["position"][1] - sejong["position"][1] == pytest.approx(363, abs=2)


def gate_scene(**pavilion) -> NodePath:
    from metaseoul.scenes.catalog import Scene, material_library

    gate = {"id": "gate", "type": "korean-gate", "position": [0, 0, 0], "facing": 180,
            "base": {"width": 30, "depth": 12, "height": 7,
                     "arches": [{"width": 5, "height": 5}, {"width": 4, "height": 4.5, "offset": -9}]},
            "pavilion": {"bays": [6, 7, 6], "depth_bays": [4, 4], **pavilion}}
    doc = {"format": 1, "id": "gate-test", "name": {"ko": "문", "en": "Gate"},
           "spawns": [{"name": "s", "position": [0, -20, 0]}],
           "views": [{"name": "v", "position": [0, -30, 2], "look_at": [0, 0, 5]}], "objects": [gate]}
    from pathlib import Path

    return build(Scene(doc=doc, source=Path("gate-test.json"), materials=material_library()))


@pytest.mark.parametrize("roof", ["hipped", "hip-and-gable", "gable"])
def test_gate_builder_makes_every_roof_kind_and_storey_count(roof):
    heights = []
    for storeys in (1, 2, 3):
        built = gate_scene(roof=roof, storeys=storeys)
        lo, hi = built.objects["gate"].bounds
        heights.append(hi.z)
        for pos, nrm in triangles(built.root):
            face = np.cross(pos[:, 1] - pos[:, 0], pos[:, 2] - pos[:, 0])
            big = np.linalg.norm(face, axis=1) > 1e-6
            assert (np.einsum("ij,ij->i", face[big], nrm[big].sum(axis=1)) > 0).all()
    assert heights[0] < heights[1] < heights[2]


def test_arches_are_passages_and_the_base_is_solid():
    built = gate_scene(storeys=2)
    world = NodePath("world")
    built.collision.reparentTo(world)
    walker = Walker(world)
    for x, open_ in ((0.0, True), (-9.0, True), (5.0, False), (9.0, False)):
        walker.place((x, -15, 0), facing=0)
        for _ in range(12 * 60):
            walker.update(1 / 60, Intent(forward=1.0), built.collision)
        through = walker.position.y > 7
        assert through == open_, f"at x={x} the base should be {'open' if open_ else 'solid'}"
