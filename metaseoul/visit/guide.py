"""Guide me to X: an audio beacon at a chosen place, heard from its direction, beeping faster as
the citizen comes nearer, with the place's direction and distance said when guidance starts and an
arrival sound at the end. The next press of the guide key picks the next notable place."""

from __future__ import annotations

from dataclasses import dataclass

from metaseoul import i18n
from metaseoul.accessibility.audio import Placement
from metaseoul.accessibility.describe import Describer, Pose
from metaseoul.i18n import _
from metaseoul.scenes.loader import PlacedObject

ARRIVED_WITHIN = 3.0  # metres from the place's nearest edge
TARGETS = 8  # the notable places the guide key cycles through


def beacon_interval(distance: float) -> float:
    """Seconds between beeps: about once a second far away, three times a second close by."""
    return min(1.2, max(0.3, distance / 40.0))


@dataclass
class Event:
    kind: str  # "start", "beacon", "arrived"
    text: str = ""  # what to say and caption
    where: Placement | None = None  # where the beacon sounds from


class Guide:
    def __init__(self, describer: Describer):
        self.describer = describer
        self.target: PlacedObject | None = None
        self._choices: list[PlacedObject] = []
        self._until_beep = 0.0

    def next_target(self, pose: Pose) -> Event:
        """Guide to the next notable place (the most notable first)."""
        if not self._choices or self.target is None:
            self._choices = [s.object for s in self.describer.around(pose, radius=500.0, limit=TARGETS)
                             if s.distance >= ARRIVED_WITHIN]
            index = 0
        else:
            index = (self._choices.index(self.target) + 1) % len(self._choices) if self.target in self._choices else 0
        if not self._choices:
            return Event("arrived", _("Nothing to guide to from here."))
        self.target = self._choices[index]
        self._until_beep = 0.0
        sight = self.describer.sight(pose, self.target)
        return Event("start", _("Guiding you to {place}.").format(place=sight.phrase()))

    def stop(self) -> None:
        self.target = None
        self._choices = []

    def update(self, dt: float, pose: Pose) -> Event | None:
        """What to play now, if anything."""
        if self.target is None:
            return None
        sight = self.describer.sight(pose, self.target)
        if sight.distance < ARRIVED_WITHIN:
            name = i18n.pick(self.target.name)
            self.stop()
            return Event("arrived", _("You have arrived at {place}.").format(place=name))
        self._until_beep -= dt
        if self._until_beep > 0:
            return None
        self._until_beep = beacon_interval(sight.distance)
        return Event("beacon", where=Placement(sight.bearing, sight.distance))
