"""Audio description inside the client: where one is, what is around and what is ahead (on keys,
visit/commands.py), spoken aloud and shown as captions at the same time."""

from __future__ import annotations

import logging
import queue
import threading

from metaseoul import i18n
from metaseoul.accessibility import speech
from metaseoul.accessibility.audio import RATE, AudioOut
from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.runtime.walker import Walker
from metaseoul.runtime.world import World
from metaseoul.visit.texts import TimedText

log = logging.getLogger(__name__)


class Narrator:
    def __init__(self, world: World, walker: Walker, captions: TimedText, audio: AudioOut | None):
        self.world, self.walker, self.captions, self.audio = world, walker, captions, audio
        self.voice, self.rate = "espeak", 160
        self._describer: Describer | None = None
        self._said: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._speaker, daemon=True).start()

    def configure(self, voice: str, words_per_minute: int) -> None:
        """Use this voice and speed from the next sentence on."""
        self.voice, self.rate = voice, words_per_minute

    def describer(self) -> Describer:
        """The describer of the scene the citizen is in (made again after each portal)."""
        if self._describer is None or self._describer.built is not self.world.built:
            self._describer = Describer(self.world.built)
        return self._describer

    def lines(self, action: str) -> list[str]:
        describer = self.describer()
        pose = Pose(self.walker.position.x, self.walker.position.y, self.walker.facing)
        if action == "where":
            return [describer.where(pose)]
        found = describer.around(pose) if action == "around" else describer.ahead(pose)
        return [s.phrase() for s in found] or [describer.where(pose)]

    def narrate(self, action: str) -> None:
        lines = self.lines(action)
        self.captions.show("\n".join(lines), seconds=4 + 2 * len(lines))
        self.say(". ".join(lines))

    def say(self, text: str) -> None:
        """Speak ``text`` in the current language, cutting off what is being said."""
        if self.audio is not None and not self.audio.dead:
            self._said.put((text, i18n.language()))

    def _speaker(self) -> None:
        """One voice: a new sentence cuts off the one being spoken. Without a speech engine or a
        sound device the captions alone remain."""
        if self.audio is None:
            return
        engines: dict[tuple[str, int], object] = {}
        while True:
            text, lang = self._said.get()
            while not self._said.empty():  # only the newest request matters
                text, lang = self._said.get()
            try:
                key = (self.voice, self.rate)
                if key not in engines:
                    engines[key] = speech.engine(*key)
                said = engines[key].say(text, lang)
            except Exception as exc:  # noqa: BLE001 - this voice failed; the captions are on screen
                log.warning("captions only: %s", exc)
                continue
            self.audio.play(said.at_rate(RATE), tag="speech")
