"""Text a visit shows for a while (captions, notices): set with how long it lasts, read by every
presenter each frame, gone when its time is up."""

from __future__ import annotations


class TimedText:
    def __init__(self):
        self.text = ""
        self._left = 0.0

    def show(self, text: str, seconds: float) -> None:
        self.text, self._left = text, seconds

    def clear(self) -> None:
        self.text, self._left = "", 0.0

    def tick(self, dt: float) -> None:
        if self.text:
            self._left -= dt
            if self._left <= 0:
                self.text = ""
