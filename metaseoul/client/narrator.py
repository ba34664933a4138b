"""Audio description inside the client: keys that say where one is, what is around and what is
ahead, spoken aloud and shown as captions at the same time."""

from __future__ import annotations

import logging
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
        self._speaker = None
        self._speaker_failed = False
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
        text = ". ".join(lines)
        threading.Thread(target=self._speak, args=(text, i18n.language()), daemon=True).start()

    def _speak(self, text: str, lang: str) -> None:
        """Say it aloud; without espeak-ng or an audio device the caption alone remains."""
        if self._speaker_failed:
            return
        from metaseoul.accessibility import speech

        try:
            if self._speaker is None:
                self._speaker = speech.EspeakEngine()
            speech.play(self._speaker.say(text, lang))
        except Exception as exc:  # no speech engine or no sound device: captions still work  # noqa: BLE001
            self._speaker_failed = True
            log.warning("speech unavailable, captions only: %s", exc)
