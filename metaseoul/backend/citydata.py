"""Live city data as an OGC SensorThings API 1.1 subset, shaped like Seoul's real-time city data.

Each hot spot is a Thing at a Location with six Datastreams: congestion level (1 relaxed to 4
crowded, as 여유/보통/약간 붐빔/붐빔), the population range, temperature, PM10 and PM2.5. Readings
come every 10 minutes for the last 24 hours and follow the day's rhythm, so they move over time; they
are computed from the time rather than stored, which keeps the reference backend small.

This module is the data model: the entity sets (SETS: each one's properties and navigation
properties) and the entities, without links (metaseoul.backend.staquery renders them with links and
applies the query options). Each hot spot is also the FeatureOfInterest of its observations; a
Sensor and an ObservedProperty stand for each kind of reading; things do not move, so there are no
HistoricalLocations. The observations of a 10-minute step are made once and kept until the step
changes, as tables (by datastream, by feature and all of them) with the columns queries have used.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources

from metaseoul.backend.sensorfilter import Table

STEP_SECONDS = 600
STEPS = 144  # 24 hours
PROPERTIES = [
    ("Congestion level", "congestion", {"name": "level", "symbol": "", "definition": "1 여유 relaxed, 2 보통 normal, 3 약간 붐빔 busy, 4 붐빔 crowded"}),
    ("Population minimum", "population-min", {"name": "person", "symbol": "persons", "definition": "estimated people in the area"}),
    ("Population maximum", "population-max", {"name": "person", "symbol": "persons", "definition": "estimated people in the area"}),
    ("Temperature", "temperature", {"name": "degree Celsius", "symbol": "°C", "definition": "http://unitsofmeasure.org/ucum.html#para-30"}),
    ("PM10", "pm10", {"name": "microgram per cubic metre", "symbol": "µg/m³", "definition": "particulate matter up to 10 µm"}),
    ("PM2.5", "pm25", {"name": "microgram per cubic metre", "symbol": "µg/m³", "definition": "particulate matter up to 2.5 µm"}),
]
OBSERVATION_IDS = 10_000_000  # an observation's id: its datastream's id times this, plus its step


@dataclass(frozen=True)
class EntitySet:
    """What an entity set's entities have: properties (the id aside), those of them that are JSON
    objects (filtered on by path, properties/code), and navigation properties with the entity set they
    lead to and whether to many (a collection) or to one."""
    name: str
    properties: tuple[str, ...]
    objects: frozenset[str]
    navigation: dict[str, tuple[str, bool]]


SETS = {s.name: s for s in (
    EntitySet("Things", ("name", "description", "properties"), frozenset({"properties"}),
              {"Locations": ("Locations", True), "HistoricalLocations": ("HistoricalLocations", True),
               "Datastreams": ("Datastreams", True)}),
    EntitySet("Locations", ("name", "description", "encodingType", "location"), frozenset({"location"}),
              {"Things": ("Things", True), "HistoricalLocations": ("HistoricalLocations", True)}),
    EntitySet("HistoricalLocations", ("time",), frozenset(),
              {"Thing": ("Things", False), "Locations": ("Locations", True)}),
    EntitySet("Datastreams", ("name", "description", "observationType", "unitOfMeasurement"),
              frozenset({"unitOfMeasurement"}),
              {"Thing": ("Things", False), "Sensor": ("Sensors", False),
               "ObservedProperty": ("ObservedProperties", False), "Observations": ("Observations", True)}),
    EntitySet("Sensors", ("name", "description", "encodingType", "metadata"), frozenset(),
              {"Datastreams": ("Datastreams", True)}),
    EntitySet("ObservedProperties", ("name", "definition", "description"), frozenset(),
              {"Datastreams": ("Datastreams", True)}),
    EntitySet("Observations", ("phenomenonTime", "resultTime", "result"), frozenset(),
              {"Datastream": ("Datastreams", False), "FeatureOfInterest": ("FeaturesOfInterest", False)}),
    EntitySet("FeaturesOfInterest", ("name", "description", "encodingType", "feature"), frozenset({"feature"}),
              {"Observations": ("Observations", True)}),
)}


def hotspots() -> list[dict]:
    return json.loads((resources.files("metaseoul.backend") / "data" / "hotspots.json").read_text("utf-8"))


def _noise(*parts) -> float:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 - 0.5


def reading(spot_index: int, spot: dict, prop: str, step: int) -> float:
    """The value of one datastream at one 10-minute step (KST hour of day drives the rhythm)."""
    hour = ((step * STEP_SECONDS) / 3600 + 9) % 24
    crowd = 0.25 + 0.75 * max(math.exp(-((hour - 12.5) / 2.5) ** 2), math.exp(-((hour - 19) / 2.2) ** 2))
    people = 60000 * spot["busy"] * crowd * (1 + 0.1 * _noise(spot_index, "people", step))
    if prop == "congestion":
        return float(min(4, 1 + int(people / 60000 * 5)))
    if prop == "population-min":
        return float(round(people * 0.9, -3))
    if prop == "population-max":
        return float(round(people * 1.1, -3) + 1000)
    if prop == "temperature":
        return round(13 + 7 * math.sin((hour - 9) / 24 * 2 * math.pi) + 0.6 * _noise(spot_index, "t", step), 1)
    pm10 = 38 + 14 * math.sin((hour - 7) / 24 * 2 * math.pi) + 8 * _noise(spot_index, "pm", step)
    return round(pm10 if prop == "pm10" else pm10 * 0.55, 1)


@dataclass
class Readings:
    """The observations of one 10-minute step by datastream, and as tables (a datastream's, a feature's,
    all of them), each made on first use; with the step before's, whose rows a stream moves on by one
    (two steps held at most)."""
    step: int
    before: Readings | None = None
    streams: dict[int, list[dict]] = field(default_factory=dict)
    tables: dict[tuple[str, int], Table] = field(default_factory=dict)




class CityData:
    """The entities by entity set and id, and where their navigation properties lead; ``public_url``,
    where clients reach the backend when that is not the address they sent to (behind a proxy), for links."""

    def __init__(self, clock=time.time, public_url: str | None = None):
        self.clock, self.public_url = clock, public_url
        self.spots = hotspots()
        self.readings = Readings(step=-1)
        self.makers = {"Things": self.thing, "Locations": self.location, "Datastreams": self.datastream,
                       "Sensors": self.sensor, "ObservedProperties": self.observed_property,
                       "FeaturesOfInterest": self.feature, "HistoricalLocations": lambda _ident: None,
                       "Observations": self.observation}

    def _now(self) -> Readings:
        """The current step's readings (replaced as a whole, so a query that began before a step change
        finishes on the step it began with)."""
        step = int(self.clock() // STEP_SECONDS)
        if self.readings.step != step:
            self.readings.before = None  # the cache holds at most two steps
            self.readings = Readings(step, self.readings if self.readings.step == step - 1 else None)
        return self.readings

    def count(self, name: str) -> int:
        """How many entities of a set other than Observations there are (ids 1 to this)."""
        return {"Things": len(self.spots), "Locations": len(self.spots), "FeaturesOfInterest": len(self.spots),
                "Datastreams": len(self.spots) * len(PROPERTIES), "Sensors": len(PROPERTIES),
                "ObservedProperties": len(PROPERTIES), "HistoricalLocations": 0}[name]

    # --- entities (ids from 1) -----------------------------------------------------------------
    def entity(self, name: str, ident: int) -> dict | None:
        if name != "Observations" and not 1 <= ident <= self.count(name):
            return None
        return self.makers[name](ident)

    def thing(self, ident: int) -> dict:
        spot = self.spots[ident - 1]
        return {"@iot.id": ident, "name": spot["name"]["en"], "description": spot["name"]["ko"],
                "properties": {"code": spot["code"], "name_ko": spot["name"]["ko"],
                               **({"scene": spot["scene"]} if "scene" in spot else {})}}

    def _point(self, ident: int) -> dict:
        spot = self.spots[ident - 1]
        return {"type": "Point", "coordinates": [spot["lon"], spot["lat"]]}

    def location(self, ident: int) -> dict:
        spot = self.spots[ident - 1]
        return {"@iot.id": ident, "name": spot["name"]["en"], "description": spot["name"]["ko"],
                "encodingType": "application/geo+json", "location": self._point(ident)}

    def feature(self, ident: int) -> dict:
        spot = self.spots[ident - 1]
        return {"@iot.id": ident, "name": spot["name"]["en"], "description": f"the area of {spot['name']['ko']}",
                "encodingType": "application/geo+json", "feature": self._point(ident)}

    def observed_property(self, ident: int) -> dict:
        name, code, _unit = PROPERTIES[ident - 1]
        return {"@iot.id": ident, "name": name, "definition": f"https://metaseoul.example/properties/{code}",
                "description": name}

    def sensor(self, ident: int) -> dict:
        name, code, _unit = PROPERTIES[ident - 1]
        return {"@iot.id": ident, "name": f"{name} estimate", "description": f"Seoul real-time city data: {name}",
                "encodingType": "text/html", "metadata": f"https://metaseoul.example/sensors/{code}"}

    def datastream(self, ident: int) -> dict:
        i, p = divmod(ident - 1, len(PROPERTIES))
        name, _code, unit = PROPERTIES[p]
        return {"@iot.id": ident, "name": f"{self.spots[i]['name']['en']}: {name}",
                "description": self.spots[i]["name"]["ko"],
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                "unitOfMeasurement": unit}

    def _observation(self, ident: int, step: int) -> dict:
        i, p = divmod(ident - 1, len(PROPERTIES))
        stamp = datetime.fromtimestamp(step * STEP_SECONDS, UTC).isoformat().replace("+00:00", "Z")
        return {"@iot.id": ident * OBSERVATION_IDS + step % OBSERVATION_IDS, "phenomenonTime": stamp,
                "resultTime": stamp, "result": reading(i, self.spots[i], PROPERTIES[p][1], step)}

    def _stream(self, now: Readings, ident: int) -> list[dict]:
        """One datastream's last STEPS observations: the step before's rows moved on by one where kept."""
        if ident not in now.streams:
            before = now.before.streams.get(ident) if now.before else None
            if before:
                now.streams[ident] = before[1:] + [self._observation(ident, now.step)]
            else:
                now.streams[ident] = [self._observation(ident, step) for step in range(now.step - STEPS + 1, now.step + 1)]
        return now.streams[ident]

    def observations(self, ident: int) -> list[dict]:
        """The datastream's observations, oldest first (shared with later calls in this step: not to be changed)."""
        return self._stream(self._now(), ident)

    def observation(self, oid: int) -> dict | None:
        ident = oid // OBSERVATION_IDS
        if not 1 <= ident <= self.count("Datastreams"):
            return None
        return next((o for o in self.observations(ident) if o["@iot.id"] == oid), None)

    # --- collections ---------------------------------------------------------------------------
    def _table(self, key: tuple[str, int], streams) -> Table:
        """The observations of these datastreams as one table, kept for this step with its columns."""
        now = self._now()
        if key not in now.tables:
            now.tables[key] = Table([o for ident in streams for o in self._stream(now, ident)])
        return now.tables[key]

    def members(self, name: str) -> list[dict] | Table:
        """Every entity of the set; observations as the table kept for this step."""
        if name == "Observations":
            return self._table(("all", 0), range(1, self.count("Datastreams") + 1))
        return [self.makers[name](ident) for ident in range(1, self.count(name) + 1)]

    def stream_table(self, ident: int) -> Table:
        return self._table(("datastream", ident), (ident,))

    def related(self, name: str, ident: int, navigation: str) -> dict | list[dict] | Table | None:
        """Where an entity's navigation property leads: the entity (to one) or the entities (to many)."""
        kinds = len(PROPERTIES)
        if SETS[name].navigation[navigation][1] is False:
            target, to = self.related_id(name, ident, navigation)
            return self.entity(target, to)
        if navigation == "Observations":
            if name == "Datastreams":
                return self.stream_table(ident)
            return self._table(("feature", ident), range((ident - 1) * kinds + 1, ident * kinds + 1))
        if navigation == "Datastreams":
            if name == "Things":
                return [self.datastream((ident - 1) * kinds + p + 1) for p in range(kinds)]
            return [self.datastream(i * kinds + ident) for i in range(len(self.spots))]  # of a sensor, a property
        if navigation == "HistoricalLocations":
            return []
        return [self.makers[SETS[name].navigation[navigation][0]](ident)]  # Thing/Locations, Location/Things

    def related_id(self, name: str, ident: int, navigation: str) -> tuple[str, int]:
        """The entity set and id a to-one navigation property leads to (cheap: for filters over many)."""
        target = SETS[name].navigation[navigation][0]
        if name == "Observations":
            stream = ident // OBSERVATION_IDS
            return target, stream if navigation == "Datastream" else (stream - 1) // len(PROPERTIES) + 1
        if navigation == "Thing" and name == "Datastreams":
            return target, (ident - 1) // len(PROPERTIES) + 1
        return target, (ident - 1) % len(PROPERTIES) + 1  # a datastream's Sensor, ObservedProperty
