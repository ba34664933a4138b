"""Live city data as an OGC SensorThings API 1.1 subset, shaped like Seoul's real-time city data.

Each hot spot is a Thing at a Location with six Datastreams: congestion level (1 relaxed to 4
crowded, as 여유/보통/약간 붐빔/붐빔), the population range, temperature, PM10 and PM2.5. Readings
come every 10 minutes for the last 24 hours and follow the day's rhythm, so they move over time; they
are computed from the time rather than stored, which keeps the reference backend small.

Query options: ``$top $skip $count $orderby``, ``$filter`` (metaseoul.backend.sensorfilter: eq ne
gt ge lt le, ``and``, ``or`` and parentheses, on phenomenonTime, result, name, id and the like),
``$expand=Datastreams`` on Things, and ``@iot.nextLink`` paging. The observations of a 10-minute step
are made once and kept until the step changes, with the columns queries have used.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from urllib.parse import urlencode

from metaseoul.backend.sensorfilter import QueryError, Table, matching, parse_filter

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
DEFAULT_TOP, MAX_TOP = 100, 1000
MAX_ORDERBY_FIELDS = 5


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
    """The observations of one 10-minute step by datastream, and all of them as one table, each made on
    first use; with the step before's, whose rows a stream moves on by one (two steps held at most)."""
    step: int
    before: Readings | None = None
    streams: dict[int, list[dict]] = field(default_factory=dict)
    table: Table | None = None


class CityData:
    def __init__(self, base_url: str = "", clock=time.time):
        self.base = base_url
        self.clock = clock
        self.spots = hotspots()
        self.readings = Readings(step=-1)

    def _now(self) -> Readings:
        """The current step's readings (replaced as a whole, so a query that began before a step change
        finishes on the step it began with)."""
        step = int(self.clock() // STEP_SECONDS)
        if self.readings.step != step:
            self.readings.before = None  # the cache holds at most two steps
            self.readings = Readings(step, self.readings if self.readings.step == step - 1 else None)
        return self.readings

    # --- entities ----------------------------------------------------------------------------
    def _link(self, path: str) -> str:
        return f"{self.base}{path}"

    def thing(self, i: int) -> dict:
        spot = self.spots[i]
        ident = i + 1
        return {"@iot.id": ident, "@iot.selfLink": self._link(f"/Things({ident})"), "name": spot["name"]["en"],
                "description": spot["name"]["ko"],
                "properties": {"code": spot["code"], "name_ko": spot["name"]["ko"], **({"scene": spot["scene"]} if "scene" in spot else {})},
                "Datastreams@iot.navigationLink": self._link(f"/Things({ident})/Datastreams"),
                "Locations@iot.navigationLink": self._link(f"/Things({ident})/Locations")}

    def location(self, i: int) -> dict:
        spot = self.spots[i]
        return {"@iot.id": i + 1, "@iot.selfLink": self._link(f"/Locations({i + 1})"), "name": spot["name"]["en"],
                "description": spot["name"]["ko"], "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [spot["lon"], spot["lat"]]}}

    def observed_property(self, p: int) -> dict:
        name, code, _unit = PROPERTIES[p]
        return {"@iot.id": p + 1, "@iot.selfLink": self._link(f"/ObservedProperties({p + 1})"), "name": name,
                "definition": f"https://metaseoul.example/properties/{code}", "description": name}

    def datastream(self, ident: int) -> dict:
        i, p = divmod(ident - 1, len(PROPERTIES))
        name, _code, unit = PROPERTIES[p]
        return {"@iot.id": ident, "@iot.selfLink": self._link(f"/Datastreams({ident})"),
                "name": f"{self.spots[i]['name']['en']}: {name}", "description": f"{self.spots[i]['name']['ko']}",
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                "unitOfMeasurement": unit,
                "Thing@iot.navigationLink": self._link(f"/Datastreams({ident})/Thing"),
                "Observations@iot.navigationLink": self._link(f"/Datastreams({ident})/Observations")}

    def _observation(self, ident: int, step: int) -> dict:
        i, p = divmod(ident - 1, len(PROPERTIES))
        stamp = datetime.fromtimestamp(step * STEP_SECONDS, UTC).isoformat().replace("+00:00", "Z")
        oid = ident * 10_000_000 + step % 10_000_000
        return {"@iot.id": oid, "@iot.selfLink": self._link(f"/Observations({oid})"),
                "phenomenonTime": stamp, "resultTime": stamp, "result": reading(i, self.spots[i], PROPERTIES[p][1], step)}

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

    # --- collections -------------------------------------------------------------------------
    def things(self) -> list[dict]:
        return [self.thing(i) for i in range(len(self.spots))]

    def locations(self) -> list[dict]:
        return [self.location(i) for i in range(len(self.spots))]

    def observed_properties(self) -> list[dict]:
        return [self.observed_property(p) for p in range(len(PROPERTIES))]

    def datastreams(self, thing: int | None = None) -> list[dict]:
        things = [thing - 1] if thing else range(len(self.spots))
        return [self.datastream(i * len(PROPERTIES) + p + 1) for i in things for p in range(len(PROPERTIES))]

    def observation(self, oid: int) -> dict | None:
        ident = oid // 10_000_000
        if not self.has_datastream(ident):
            return None
        return next((o for o in self.observations(ident) if o["@iot.id"] == oid), None)

    def all_observations(self) -> Table:
        """Every observation, as a table kept for this step with the columns queries have used."""
        now = self._now()
        if now.table is None:
            now.table = Table([o for ds in range(1, len(self.spots) * len(PROPERTIES) + 1) for o in self._stream(now, ds)])
        return now.table

    def has_thing(self, ident: int) -> bool:
        return 1 <= ident <= len(self.spots)

    def has_datastream(self, ident: int) -> bool:
        return 1 <= ident <= len(self.spots) * len(PROPERTIES)


# --- query options --------------------------------------------------------------------------
def collection(rows: list[dict] | Table, params, path: str, expand=None) -> dict:
    """Apply $filter, $orderby, $skip, $top, $count and $expand, and page with @iot.nextLink."""
    unknown = [k for k in params if k.startswith("$") and k not in ("$filter", "$orderby", "$top", "$skip", "$count", "$expand")]
    if unknown:
        raise QueryError(f"unsupported query option {unknown[0]}")
    table = rows if isinstance(rows, Table) else Table(rows)
    picked = matching(parse_filter(params["$filter"]) if "$filter" in params else None, table)
    if "$orderby" in params:
        picked = table.ordered(picked, parse_orderby(params["$orderby"]))
    items = [table.items[i] for i in picked]
    top = _whole(params.get("$top", str(DEFAULT_TOP)), "$top")
    skip = _whole(params.get("$skip", "0"), "$skip")
    if top > MAX_TOP:
        raise QueryError(f"$top may be at most {MAX_TOP}")
    page = items[skip:skip + top]
    if "$expand" in params:
        if params["$expand"] != "Datastreams" or expand is None:
            raise QueryError(f"$expand={params['$expand']} is not supported here; Things support $expand=Datastreams")
        page = [item | {"Datastreams": expand(item)} for item in page]
    body: dict = {}
    count = params.get("$count", "false")
    if count not in ("true", "false"):
        raise QueryError("$count must be true or false")
    if count == "true":
        body["@iot.count"] = len(items)
    body["value"] = page
    if skip + top < len(items):
        rest = {k: v for k, v in params.items() if k not in ("$top", "$skip")}
        body["@iot.nextLink"] = f"{path}?{urlencode({**rest, '$top': top, '$skip': skip + top})}"
    return body


def _whole(text: str, name: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise QueryError(f"{name} must be a whole number, got {text[:20]!r}")
    return int(text)


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    parts = text.split(",")
    if len(parts) > MAX_ORDERBY_FIELDS:
        raise QueryError(f"$orderby may name at most {MAX_ORDERBY_FIELDS} fields")
    out = []
    for part in parts:
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise QueryError(f"$orderby: cannot read {part.strip()!r} (expected: field [asc|desc])")
        out.append((words[0], len(words) == 2 and words[1] == "desc"))
    return out
