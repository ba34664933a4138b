"""Audio description inside the client: where one is, what is around and what is ahead (on keys,
visit/commands.py), spoken aloud and shown as captions at the same time. A list longer than the
captions can show at their size comes in pages, each ending with its number ("1 of 3"), turned on keys."""

from __future__ import annotations

import logging
import queue
import threading

from metaseoul import i18n
from metaseoul.accessibility import speech
from metaseoul.accessibility.audio import RATE, AudioOut
from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.i18n import _
from metaseoul.runtime.walker import Walker
from metaseoul.runtime.world import World
from metaseoul.visit.texts import TimedText

log = logging.getLogger(__name__)
# caption lines that fit between the captions' place (client/menu.py's Hud) and the bottom of the screen
PAGE_LINES = {"normal": 5, "large": 4, "huge": 3}
AROUND_MOST = 12  # named things in "what is around", over as many pages as it takes


def paginate(lines: list[str], size: int) -> list[list[str]]:
    """``lines`` in pages of at most ``size`` lines, the last line of each its number when there are several."""
    if len(lines) <= size:
        return [lines]
    per = size - 1
    chunks = [lines[start:start + per] for start in range(0, len(lines), per)]
    return [chunk + [_("{page} of {pages}").format(page=n, pages=len(chunks))] for n, chunk in enumerate(chunks, 1)]


class Narrator:
    def __init__(self, world: World, walker: Walker, captions: TimedText, audio: AudioOut | None):
        self.world, self.walker, self.captions, self.audio = world, walker, captions, audio
        self.voice, self.rate = "espeak", 160
        self.page_lines = PAGE_LINES["normal"]
        self._pages: list[list[str]] = []
        self._page = 0
        self._describer: Describer | None = None
        self._said: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._speaker, daemon=True).start()

    def configure(self, voice: str, words_per_minute: int, caption_size: str = "normal") -> None:
        """Use this voice and speed from the next sentence on, and pages that fit captions of this size."""
        self.voice, self.rate = voice, words_per_minute
        self.page_lines = PAGE_LINES[caption_size]

    def describer(self) -> Describer:
        """The describer of the scene the citizen is in (made again after each portal)."""
        if self._describer is None or self._describer.built is not self.world.built:
            self._describer = Describer(self.world.built)
        return self._describer

    def lines(self, action: str) -> list[str]:
        describer = self.describer()
        at = self.walker.position
        pose = Pose(at.x, at.y, self.walker.facing, at.z)
        if action == "where":
            return [describer.where(pose)]
        found = describer.around(pose, limit=AROUND_MOST) if action == "around" else describer.ahead(pose)
        return [s.phrase() for s in found] or [describer.where(pose)]

    def narrate(self, action: str) -> None:
        """Say and caption the first page of what ``action`` finds from where the citizen is now."""
        self._pages = paginate(self.lines(action), self.page_lines)
        self._show(0)

    def turn_page(self, step: int) -> None:
        """Say the next (1) or previous (-1) page of the last list; at either end, that end again."""
        if self._pages:
            self._show(max(0, min(len(self._pages) - 1, self._page + step)))

    def _show(self, page: int) -> None:
        self._page = page
        lines = self._pages[page]
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
