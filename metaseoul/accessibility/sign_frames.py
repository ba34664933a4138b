"""``metaseoul sign``: the signing avatar rendered offscreen to PNG frames, with a JSON timeline of
the glosses and letters and when each is signed (for captions, tests and review by Deaf signers)."""

from __future__ import annotations

import json
from pathlib import Path

from panda3d.core import NodePath

from metaseoul.accessibility import lexicon as lexicons
from metaseoul.accessibility.avatar import SigningAvatar
from metaseoul.accessibility.signing import Performance, perform
from metaseoul.runtime.environment import Environment
from metaseoul.runtime.offscreen import OffscreenView

LIGHT = {"date": "06-21", "time": "11:30", "sun": 1.6, "ambient": 1.6}  # soft, from the front
CAMERA = ((0.0, -1.55, 0.05), (0.0, 0.0, -0.12), 38.0)  # position, look-at (the avatar's frame), fov


class SigningStage:
    """The avatar in front of a plain backdrop, seen by its own offscreen camera."""

    def __init__(self, base, size: tuple[int, int], to_ram: bool = True):
        self.root = NodePath("signing-stage")
        self.environment = Environment(self.root, LIGHT)
        self.environment.sun.node().setShadowCaster(False)  # a shadow pass would double the avatar's cost
        self.avatar = SigningAvatar(self.root)
        self.avatar.root.setH(180)  # face the camera (and the southern sun)
        self.view = OffscreenView(base, self.root, size, name="signing", to_ram=to_ram,
                                  host=None if to_ram else base.win)
        self.view.buffer.setClearColor((0.82, 0.85, 0.88, 1))
        position, look_at, fov = CAMERA
        self.view.lens.setNearFar(0.05, 20)
        self.view.aim(position, look_at, fov)

    def frame(self, performance: Performance, t: float):
        self.avatar.apply(performance.pose(t))
        self.view.render()
        return self.view.image()

    def close(self) -> None:
        self.view.close()
        self.environment.remove()
        self.root.removeNode()


def write_signing(base, text: str, out: Path, language: str = "ko", size: tuple[int, int] = (480, 480),
                  fps: int = 15, lexicon_path: Path | None = None) -> dict:
    """Render ``text`` signed, one PNG per frame, and ``timeline.json``; returns the timeline."""
    lexicon = lexicons.load(lexicon_path)
    performance = perform(text, lexicon, language)
    out.mkdir(parents=True, exist_ok=True)
    stage = SigningStage(base, size)
    try:
        count = int(performance.duration * fps) + 1
        for i in range(count):
            stage.frame(performance, i / fps).write(str(out / f"frame-{i:04d}.png"))
    finally:
        stage.close()
    timeline = performance.timeline() | {"language": language, "sign_language": lexicon.language, "fps": fps,
                                         "frames": count, "lexicon_status": lexicon.status}
    (out / "timeline.json").write_text(json.dumps(timeline, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return timeline
