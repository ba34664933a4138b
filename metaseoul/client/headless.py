"""The headless scene mode: render a scene's named views offscreen, write PNGs and stats.json.

Runs wherever EGL does (Mesa's llvmpipe on machines without a GPU); testers and CI use it.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from panda3d.core import Lens, NodePath, Point3, SceneGraphAnalyzer

from metaseoul.runtime import engine
from metaseoul.runtime.eyes import SimulatedHeadset, StereoRig
from metaseoul.runtime.offscreen import OffscreenView
from metaseoul.runtime.world import World
from metaseoul.scenes import catalog
from metaseoul.scenes.catalog import Scene

WARM_UP_FRAMES = 2


@dataclass
class ViewResult:
    name: str
    images: list[Path]
    frame_ms: list[float]
    draw_calls: int


def visible_geoms(camera: NodePath, root: NodePath) -> int:
    """Geoms whose bounds meet the camera's frustum: the draw calls of the colour pass."""
    frustum = camera.node().getLens().makeBounds()
    count = 0
    for path in root.findAllMatches("**/+GeomNode"):
        if path.isHidden():
            continue
        bounds = path.node().getBounds().makeCopy()
        bounds.xform(path.getMat(camera))
        if frustum.contains(bounds):
            count += path.node().getNumGeoms()
    return count


def render_scene(scene: Scene | str | Path, out: Path, size: tuple[int, int] = (1280, 720),
                 views: list[str] | None = None, frames: int = 30, naive: bool = False,
                 stereo: bool = False) -> dict:
    """Render each named view of ``scene`` into ``out``; return (and write) the statistics.

    With ``stereo`` a simulated headset stands at each view and both eyes are rendered (``size`` is
    per eye), written as ``SCENE-VIEW-left.png`` and ``SCENE-VIEW-right.png``.
    """
    if not isinstance(scene, Scene):
        scene = catalog.load(str(scene))
    specs = [scene.view(name) for name in views] if views else scene.views
    out.mkdir(parents=True, exist_ok=True)
    base = engine.start(offscreen=True)
    world = World(base.render, naive=naive)
    world.enter(scene)
    results = []
    outputs: dict[str, OffscreenView] = {}
    rig = None
    try:
        if stereo:
            def eye_camera(eye: str, lens: Lens) -> NodePath:
                outputs[eye] = OffscreenView(base, base.render, size, name=eye, lens=lens)
                return outputs[eye].camera
            rig = StereoRig(base.render, SimulatedHeadset(), eye_camera)
        else:
            outputs[""] = OffscreenView(base, base.render, size)
        for view in outputs.values():
            world.add_camera(view.camera)
        for spec in specs:
            if rig is not None:
                rig.aim(spec["position"], spec["look_at"])
            else:
                outputs[""].aim(spec["position"], spec["look_at"], spec.get("fov", 60.0))
            world.environment.follow(_shadow_focus(spec))
            times = []
            for i in range(WARM_UP_FRAMES + frames):
                started = time.perf_counter()
                base.graphicsEngine.renderFrame()
                if i >= WARM_UP_FRAMES:
                    times.append((time.perf_counter() - started) * 1000)
            images = []
            for eye, view in outputs.items():
                path = out / f"{scene.id}-{spec['name']}{'-' + eye if eye else ''}.png"
                view.image().write(str(path))
                images.append(path)
            first = next(iter(outputs.values()))
            results.append(ViewResult(spec["name"], images, times, visible_geoms(first.camera, base.render)))
        stats = _stats(scene, world, next(iter(outputs.values())), size, results)
        stats["stereo"] = stereo
    finally:
        for view in outputs.values():
            view.close()
        if rig is not None:
            rig.remove()
        world.leave()
    (out / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    return stats


def _shadow_focus(view: dict) -> Point3:
    eye, target = Point3(*view["position"]), Point3(*view["look_at"])
    direction = target - eye
    reach = min(direction.length(), engine.SHADOW_RADIUS.getValue() * 0.8)
    direction.normalize()
    return eye + direction * reach


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _stats(scene: Scene, world: World, view: OffscreenView, size, results: list[ViewResult]) -> dict:
    analyzer = SceneGraphAnalyzer()
    analyzer.addNode(world.built.root.node())
    every_frame = [t for r in results for t in r.frame_ms]
    return {
        "scene": scene.id,
        "size": list(size),
        **view.renderer(),
        "load_seconds": round(world.load_seconds, 3),
        "frame_ms_median": round(statistics.median(every_frame), 2),
        "frame_ms_p95": round(_p95(every_frame), 2),
        "draw_calls": max(r.draw_calls for r in results),
        "triangles": analyzer.getNumTris(),
        "nodes": analyzer.getNumNodes(),
        "geoms": analyzer.getNumGeoms(),
        "views": {
            r.name: {
                "images": [p.name for p in r.images],
                "frame_ms_median": round(statistics.median(r.frame_ms), 2),
                "frame_ms_p95": round(_p95(r.frame_ms), 2),
                "draw_calls": r.draw_calls,
            }
            for r in results
        },
    }
