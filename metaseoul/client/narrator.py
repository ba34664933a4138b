"""Audio description inside the client: keys that say where one is, what is around and what is
ahead, spoken aloud and shown as captions at the same time."""

from __future__ import annotations

import logging
import queue
import threading

from metaseoul import i18n
from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.client.menu import Hud
from metaseoul.client.walker import Walker
from metaseoul.client.world import World

NARRATION_KEYS = {"where": "f1", "around": "f2", "ahead": "f3"}  # remappable: action -> key
log = logging.getLogger(__name__)


class Narrator:
    def __init__(self, base, world: World, walker: Walker, hud: Hud, keys: dict[str, str] | None = None):
        self.world, self.walker, self.hud = world, walker, hud
        self._said: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._speaker, daemon=True).start()
        for action, key in (keys or NARRATION_KEYS).items():
            base.accept(key, self.narrate, [action])

    def lines(self, action: str) -> list[str]:
        describer = Describer(self.world.built)
        pose = Pose(self.walker.position.x, self.walker.position.y, self.walker.facing)
        if action == "where":
            return [describer.where(pose)]
        found = describer.around(pose) if action == "around" else describer.ahead(pose)
        return [s.phrase() for s in found] or [describer.where(pose)]

    def narrate(self, action: str) -> None:
        lines = self.lines(action)
        self.hud.caption("\n".join(lines), seconds=4 + 2 * len(lines))
        self._said.put((". ".join(lines), i18n.language()))

    def _speaker(self) -> None:
        """One voice: a new description cuts off the one being spoken. Without espeak-ng the
        captions alone remain; a sound device that fails once is tried again next time."""
        from metaseoul.accessibility import speech

        try:
            engine = speech.EspeakEngine()
        except RuntimeError as exc:
            log.warning("captions only: %s", exc)
            return
        while True:
            text, lang = self._said.get()
            while not self._said.empty():  # only the newest request matters
                text, lang = self._said.get()
            try:
                speech.stop()
                speech.play(engine.say(text, lang), wait=False)
            except Exception as exc:  # a missing or busy sound device: the caption is on screen  # noqa: BLE001
                log.warning("could not speak: %s", exc)
