"""SensorThings query options over the entities of metaseoul.backend.citydata, and the answers as
SensorThings 1.1 JSON: ``$filter`` (metaseoul.backend.sensorfilter), ``$orderby`` (asc or desc in any
case), ``$top``, ``$skip``, ``$count``, ``$select`` and ``$expand`` with options of its own, nested;
absolute selfLinks and navigationLinks; ``@iot.nextLink`` paging, where ``$top`` is the page's size as
in SensorThings (a nextLink follows while more entities match), server-driven when it asks for more
than MAX_TOP: the page holds MAX_TOP, and so do the pages its nextLink leads to.

Every name an option uses is checked against its entity set, so a misspelt property is a QueryError
naming it rather than an empty answer. Expansion is bounded: MAX_EXPAND_DEPTH levels at most, and in
one answer at most MAX_EXPANDED entities expanded, MAX_LOOKED looked through and MAX_NESTED_COMPARISONS
comparisons of nested filters evaluated (one per comparison and expanded collection): an answer costs
a few full pages at most, never a whole day of readings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from metaseoul.backend.citydata import SETS, CityData, EntitySet
from metaseoul.backend.sensorfilter import Node, QueryError, Read, Table, fields, matching, parse_filter

DEFAULT_TOP, MAX_TOP = 100, 1000
MAX_ORDERBY_FIELDS = 5
MAX_EXPAND_CHARS, MAX_EXPAND_DEPTH = 2000, 3
MAX_EXPANDED, MAX_LOOKED, MAX_NESTED_COMPARISONS = 1000, 20_000, 1000
BUDGET = {"expanded": (MAX_EXPANDED, f"$expand would answer more than {MAX_EXPANDED} expanded entities"),
          "looked": (MAX_LOOKED, f"$expand would look through more than {MAX_LOOKED} entities"),
          "compared": (MAX_NESTED_COMPARISONS,
                       f"$expand would evaluate more than {MAX_NESTED_COMPARISONS} comparisons of nested filters")}
COLLECTION_OPTIONS = ("$filter", "$orderby", "$top", "$skip", "$count", "$select", "$expand")
ENTITY_OPTIONS = ("$select", "$expand")


@dataclass
class Options:
    """The query options of one collection or entity, checked; ``given`` as they came, for nextLinks."""
    given: dict[str, str]
    filter: Node | None = None
    comparisons: int = 0
    orderby: list[tuple[str, bool]] = field(default_factory=list)
    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False
    select: frozenset[str] | None = None
    expand: dict[str, Options] = field(default_factory=dict)


def reader(city: CityData, entity_set: EntitySet, option: str) -> Read:
    """How a field of these entities is read: ``id``, a property, a path into a property that is an
    object (``properties/code``), or a property through a to-one navigation property
    (``Datastream/name``); anything else is a QueryError naming it."""
    def read(name: str) -> Callable[[dict], object]:
        head, _slash, rest = name.partition("/")
        if name in ("id", "@iot.id"):
            return lambda item: item.get("@iot.id")
        if head in entity_set.properties and (not rest or head in entity_set.objects):
            keys = rest.split("/") if rest else []
            return lambda item: dig(item.get(head), keys)
        target = entity_set.navigation.get(head)
        if target and rest and not target[1]:
            return through(city, entity_set, head, reader(city, SETS[target[0]], option)(rest))
        known = ", ".join(("id", *entity_set.properties))
        raise QueryError(f"{option}: {entity_set.name} have no property {name[:60]!r} (they have {known})")
    return read


def dig(value, keys: list[str]):
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def through(city: CityData, entity_set: EntitySet, navigation: str, inner: Callable[[dict], object]):
    """A field of the entity a to-one navigation property leads to, looked up once per such entity."""
    seen: dict[int, object] = {}

    def read(item: dict):
        target, ident = city.related_id(entity_set.name, item["@iot.id"], navigation)
        if ident not in seen:
            seen[ident] = inner(city.entity(target, ident) or {})
        return seen[ident]
    return read


def parse(params: dict[str, str], entity_set: EntitySet, city: CityData, allowed=COLLECTION_OPTIONS,
          depth: int = 0) -> Options:
    """The options for a collection (or, with ENTITY_OPTIONS, an entity) of ``entity_set``, checked."""
    for key in params:
        if key.startswith("$") and key not in allowed:
            if key in COLLECTION_OPTIONS:
                which = f"only {', '.join(allowed)} do" if allowed else "no query option does"
                raise QueryError(f"{key} does not apply here ({which})")
            raise QueryError(f"unsupported query option {key[:40]}")
    options = Options(dict(params))
    if "$filter" in params:
        options.filter = parse_filter(params["$filter"])
        read = reader(city, entity_set, "$filter")
        compared = list(fields(options.filter))
        for name in set(compared):
            read(name)
        options.comparisons = len(compared)
    if "$orderby" in params:
        options.orderby = parse_orderby(params["$orderby"], reader(city, entity_set, "$orderby"))
    options.top = whole(params.get("$top", str(DEFAULT_TOP)), "$top")
    options.skip = whole(params.get("$skip", "0"), "$skip")
    if params.get("$count", "false") not in ("true", "false"):
        raise QueryError("$count must be true or false")
    options.count = params.get("$count") == "true"
    if "$select" in params:
        options.select = parse_select(params["$select"], entity_set)
    if "$expand" in params:
        options.expand = parse_expand(params["$expand"], entity_set, city, depth)
    return options


def whole(text: str, name: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise QueryError(f"{name} must be a whole number, got {text[:20]!r}")
    return int(text)


def parse_orderby(text: str, read: Read) -> list[tuple[str, bool]]:
    parts = text.split(",")
    if len(parts) > MAX_ORDERBY_FIELDS:
        raise QueryError(f"$orderby may name at most {MAX_ORDERBY_FIELDS} fields")
    out = []
    for part in parts:
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(f"$orderby: cannot read {part.strip()[:60]!r} (expected: field [asc|desc])")
        read(words[0])
        out.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return out


def parse_select(text: str, entity_set: EntitySet) -> frozenset[str]:
    """``id``, ``selfLink``, properties and navigation properties (their navigationLinks)."""
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in ("id", "selfLink", *entity_set.properties, *entity_set.navigation):
            known = ", ".join(("id", "selfLink", *entity_set.properties, *entity_set.navigation))
            raise QueryError(f"$select: {entity_set.name} have no property {name[:60]!r} (they have {known})")
    return frozenset(names)


def split_top(text: str, separator: str) -> list[str]:
    """The text split at the separators outside parentheses and quoted text."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                raise QueryError(f"$expand: a ')' without its '(' in {text[:60]!r}")
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:i])
            start = i + 1
    if depth or quoted:
        raise QueryError(f"$expand: unclosed parenthesis or quote in {text[:60]!r}")
    return [*parts, text[start:]]


def expansion(item: str) -> tuple[str, dict[str, str]]:
    """``A/B($top=1)`` as ("A", {"$expand": "B($top=1)"}); ``A($top=1;$select=name)`` as ("A", {…})."""
    name, paren, rest = item.strip().partition("(")
    first, slash, deeper = name.strip().partition("/")
    if slash:
        return first, {"$expand": deeper + paren + rest}
    if not paren:
        return first, {}
    if not rest.endswith(")"):
        raise QueryError(f"$expand: cannot read {item.strip()[:60]!r}")
    options = {}
    for part in split_top(rest[:-1], ";"):
        key, equals, value = part.strip().partition("=")
        if not equals or not key.startswith("$"):
            raise QueryError(f"$expand: cannot read the option {part.strip()[:60]!r} of {first} (expected $name=value)")
        if key in options:
            raise QueryError(f"$expand: {key} is given twice for {first}")
        options[key] = value
    return first, options


def parse_expand(text: str, entity_set: EntitySet, city: CityData, depth: int) -> dict[str, Options]:
    if len(text) > MAX_EXPAND_CHARS:
        raise QueryError(f"$expand longer than {MAX_EXPAND_CHARS} characters")
    if depth >= MAX_EXPAND_DEPTH:
        raise QueryError(f"$expand nests deeper than {MAX_EXPAND_DEPTH} levels")
    merged: dict[str, dict[str, str]] = {}
    for item in split_top(text, ","):
        name, options = expansion(item)
        have = merged.setdefault(name, {})
        for key, value in options.items():
            if key in have and key != "$expand":
                raise QueryError(f"$expand: {key} is given twice for {name}")
            have[key] = f"{have[key]},{value}" if key in have else value
    out = {}
    for name, options in merged.items():
        if name not in entity_set.navigation:
            known = ", ".join(entity_set.navigation)
            raise QueryError(f"$expand: {entity_set.name} have no navigation property {name[:60]!r} (they have {known})")
        target, many = entity_set.navigation[name]
        out[name] = parse(options, SETS[target], city, COLLECTION_OPTIONS if many else ENTITY_OPTIONS, depth + 1)
    return out


class Answer:
    """One answer being made: the data, the service root's absolute URL, what expansion may still
    spend, and the entities expanded through a to-one navigation property so far (the Datastream of a
    thousand observations is made once per answer, not a thousand times)."""

    def __init__(self, city: CityData, base: str):
        self.city, self.base = city, base
        self.left = {kind: limit for kind, (limit, _message) in BUDGET.items()}
        self.made: dict[tuple[str, int, int], dict] = {}

    def spend(self, kind: str, amount: int) -> None:
        self.left[kind] -= amount
        if self.left[kind] < 0:
            raise QueryError(f"{BUDGET[kind][1]}; ask for fewer ($top, also inside the expansion) or expand less")

    def collection(self, rows: list[dict] | Table, entity_set: EntitySet, options: Options, path: str) -> dict:
        """A page of a collection (``path``: its path under the service root)."""
        items, total, more = self.pick(rows, entity_set, options)
        body: dict = {"@iot.count": total} if options.count else {}
        body["value"] = [self.render(entity_set, item, options) for item in items]
        if more:
            body["@iot.nextLink"] = f"{self.base}{path}?{more}"
        return body

    def pick(self, rows: list[dict] | Table, entity_set: EntitySet, options: Options) -> tuple[list[dict], int, str]:
        """The page's entities, how many match, and the next page's query ("" if this is the last)."""
        table = rows if isinstance(rows, Table) else Table(rows)
        read = reader(self.city, entity_set, "$filter")
        picked = matching(options.filter, table, read)
        if options.orderby:
            picked = table.ordered(picked, options.orderby, read)
        served = min(options.top, MAX_TOP)
        items = [table.items[i] for i in picked[options.skip:options.skip + served]]
        if not served or options.skip + served >= len(picked):
            return items, len(picked), ""
        rest = {k: v for k, v in options.given.items() if k not in ("$top", "$skip")}
        rest |= {"$top": served, "$skip": options.skip + served}
        return items, len(picked), urlencode(rest, safe="$", quote_via=quote)

    def render(self, entity_set: EntitySet, item: dict, options: Options) -> dict:
        """The entity as SensorThings JSON: its $select (all, if none) with links, and its $expand."""
        ident = item["@iot.id"]
        link = f"{self.base}/{entity_set.name}({ident})"
        chosen = options.select
        if chosen is None:
            out = {"@iot.id": ident, "@iot.selfLink": link, **item}
            out.update((f"{name}@iot.navigationLink", f"{link}/{name}") for name in entity_set.navigation)
        else:
            out = {"@iot.id": ident} if "id" in chosen else {}
            if "selfLink" in chosen:
                out["@iot.selfLink"] = link
            out.update((name, item[name]) for name in entity_set.properties if name in chosen and name in item)
            out.update((f"{name}@iot.navigationLink", f"{link}/{name}") for name in entity_set.navigation
                       if name in chosen)
        for name, inner in options.expand.items():
            out.update(self.expanded(entity_set, ident, name, inner, f"{link}/{name}"))
        return out

    def expanded(self, entity_set: EntitySet, ident: int, name: str, options: Options, link: str) -> dict:
        target, many = entity_set.navigation[name]
        found = self.city.related(entity_set.name, ident, name)
        if not many:
            self.spend("expanded", 1)
            if found is None:
                return {}
            key = (target, found["@iot.id"], id(options))
            if key not in self.made:
                self.made[key] = self.render(SETS[target], found, options)
            return {name: self.made[key]}
        self.spend("looked", len(found.items) if isinstance(found, Table) else len(found))
        self.spend("compared", options.comparisons)
        items, total, more = self.pick(found, SETS[target], options)
        self.spend("expanded", len(items))
        part: dict = {f"{name}@iot.count": total} if options.count else {}
        part[name] = [self.render(SETS[target], item, options) for item in items]
        if more:
            part[f"{name}@iot.nextLink"] = f"{link}?{more}"
        return part
