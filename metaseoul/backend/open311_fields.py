"""A complaint as Open311 posts it, read by one set of rules whether it came form-encoded or as JSON,
and checked against its service's definition.

Bodies are UTF-8 without lone surrogates (a form's %-escapes decoded strictly, not replaced); a field
comes once, except the values of a multivaluelist (``attribute[CODE][]``, repeated). Text holds no
character XML cannot carry (C0 controls other than tab and line breaks, DEL, U+FFFE, U+FFFF), so
every stored complaint can be answered in XML too. Each attribute is read in its datatype as
GeoReport v2 defines them: ``number`` as a finite number in its range (kept as a number),
``string`` without line breaks, ``text`` with them, ``datetime`` ISO 8601 with a zone,
``singlevaluelist`` one of its keys, ``multivaluelist`` several different ones; an attribute the
service does not define, or a required one missing, is refused. Every refusal is a ValueError that
names the field."""

from __future__ import annotations

import math
import re
import urllib.parse
from datetime import datetime

from metaseoul.backend import safejson
from metaseoul.backend.store import NewRequest

DESCRIPTION_LIMIT = 4000
TEXT_LIMITS = {"service_code": 100, "description": DESCRIPTION_LIMIT, "address_string": 500}  # characters
LAT_LONG = (("lat", 90), ("long", 180))  # degrees either way
STRING_LIMIT, TEXT_LIMIT, DATETIME_LIMIT = 100, DESCRIPTION_LIMIT, 40  # characters of an attribute value
MEDIA_URL_LIMIT = 2000  # characters
NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?")  # as JSON spells one; no nan, inf
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,100})\](\[\])?")

Fields = dict[str, object]  # a field's name: its value (a list for a repeated ``NAME[]`` form field)


def decode(content_type: str, body: bytes) -> Fields:
    """The body's fields, JSON or form-encoded, by the same rules (see the module's docstring)."""
    if content_type.startswith("application/json"):
        try:
            fields = safejson.loads(body)
        except safejson.BadJSON as exc:
            raise ValueError(f"the body is not usable JSON: {exc}") from None
        if not isinstance(fields, dict):
            raise ValueError("the body must be a JSON object")
        return fields
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the form must be UTF-8 text, its %-escapes too") from None
    fields: Fields = {}
    for name, value in pairs:
        if name.endswith("[]"):
            fields.setdefault(name, []).append(value)
        elif name in fields:
            raise ValueError(f"the field {name[:40]!r} appears twice")
        else:
            fields[name] = value
    return fields


def new_request(fields: Fields, catalogue: dict[str, dict]) -> NewRequest:
    """The complaint the fields describe, for a service of ``catalogue``; ValueError says what is wrong."""
    code = text(fields, "service_code", TEXT_LIMITS["service_code"])
    if code not in catalogue:
        raise ValueError(f"service_code must be one of {', '.join(catalogue)}")
    lat, lon = (_coordinate(fields, name, limit) for name, limit in LAT_LONG)
    address = text(fields, "address_string", TEXT_LIMITS["address_string"])
    if (lat is None) != (lon is None):
        raise ValueError("give both lat and long, or neither")
    if lat is None and not address:
        raise ValueError("give lat and long, or address_string")
    description = text(fields, "description", DESCRIPTION_LIMIT) or ""
    return NewRequest(code, description, lat, lon, address, attributes(fields, catalogue[code]),
                      media_url(fields.get("media_url")))


def attributes(fields: Fields, service: dict) -> dict:
    """The attribute values the fields give, each in its datatype, checked against ``service``'s definitions."""
    given = _given_attributes(fields)
    defined = {a["code"]: a for a in service["attributes"]}
    unknown = sorted(set(given) - set(defined))
    if unknown:
        raise ValueError(f"{service['service_code']} has no attribute {unknown[0][:40]!r}; "
                         f"it has {', '.join(defined)}")
    values = {}
    for code, definition in defined.items():
        value = _attribute(f"attribute[{code}]", given.get(code), definition)
        if value is not None:
            values[code] = value
        elif definition["required"]:
            raise ValueError(f"attribute[{code}] is required for {service['service_code']}")
    return values


def _given_attributes(fields: Fields) -> dict[str, object]:
    """Attribute code: the value given for it, from ``attribute[CODE]`` or ``attribute[CODE][]``."""
    given: dict[str, object] = {}
    for name, value in fields.items():
        if not name.startswith("attribute["):
            continue
        match = ATTRIBUTE.fullmatch(name)
        if match is None:
            raise ValueError(f"{name[:40]!r} is not attribute[CODE] or attribute[CODE][]")
        if match[1] in given:
            raise ValueError(f"give attribute[{match[1]}] or attribute[{match[1]}][], not both")
        given[match[1]] = value
    return given


def _attribute(name: str, value: object, definition: dict) -> object:
    """``value`` read as ``definition``'s datatype; None when absent or empty."""
    kind = definition["datatype"]
    if kind == "multivaluelist":
        return _choices(name, value, definition)
    if value is None or value == "":
        return None
    if kind == "number":
        low, high = definition["range"]
        return _number(name, value, low, high, f"{name} must be a number")
    if kind == "singlevaluelist":
        return _choice(name, value, definition)
    checked = _clean(name, value, DATETIME_LIMIT if kind == "datetime" else definition.get(
        "max_length", TEXT_LIMIT if kind == "text" else STRING_LIMIT))
    if kind == "string" and ("\n" in checked or "\r" in checked):
        raise ValueError(f"{name} is one line: no line breaks")
    if kind == "datetime":
        try:
            moment(checked)
        except ValueError:
            raise ValueError(f"{name} must be an ISO 8601 time with a zone, like 2026-05-15T03:00:00+09:00") from None
    return checked


def _choice(name: str, value: object, definition: dict) -> str:
    keys = [v["key"] for v in definition["values"]]
    if value not in keys:
        raise ValueError(f"{name} must be one of {', '.join(keys)}")
    return value


def _choices(name: str, value: object, definition: dict) -> list[str] | None:
    """A multivaluelist's keys: different ones, at least one, else None (absent)."""
    values = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
    chosen = [_choice(name, v, definition) for v in values]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"{name} lists a value twice")
    return chosen or None


def text(fields: Fields, name: str, limit: int) -> str | None:
    """Field ``name`` as text within ``limit`` characters; None when absent or empty."""
    value = fields.get(name)
    return None if value is None or value == "" else _clean(name, value, limit)


def _clean(name: str, value: object, limit: int) -> str:
    """``value`` if it is text within ``limit`` characters that XML can carry; else ValueError."""
    problem = "must be text"
    if isinstance(value, str):
        problem = (f"longer than {limit} characters" if len(value) > limit
                   else "holds a control character" if NOT_IN_XML.search(value) else "")
    if problem:
        raise ValueError(f"{name} {problem}")
    return value


def media_url(value: object) -> str | None:
    """An http or https URL of the complaint's photo or video, within MEDIA_URL_LIMIT; None when absent."""
    if value is None or value == "":
        return None
    url = _clean("media_url", value, MEDIA_URL_LIMIT)
    if not _web_address(url):
        raise ValueError("media_url must be an http or https URL")
    return url


def _web_address(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", url)


def _coordinate(fields: Fields, name: str, limit: float) -> float | None:
    value = fields.get(name)
    return None if value is None or value == "" else _number(name, value, -limit, limit, "lat and long must be numbers")


def _number(name: str, value: object, low: float, high: float, not_a_number: str) -> float:
    """``value`` as a finite number from ``low`` to ``high``: a JSON number, or text spelling one as
    JSON does; ValueError(``not_a_number``) for anything else."""
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(value, str) and NUMBER.fullmatch(value):
        number = float(value)
    if number is None:
        raise ValueError(not_a_number)
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{name} must be between {low:,.0f} and {high:,.0f}")
    return number


def moment(text: str) -> datetime:
    """An ISO 8601 time with a zone; ValueError for anything else."""
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(text)
    return when
