"""Hypothesis strategies for the fuzz suite (tests/test_fuzz.py): hostile realtime frames and HTTP
requests. JSON is written by hand here, so that what ``json.dumps`` never writes reaches the server:
NaN and Infinity, numbers past any float, duplicate keys, lone surrogates as escapes, nesting past
any limit. Tokens and session ids are placeholders, filled in when a frame or request is sent."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources

from hypothesis import strategies as st

from metaseoul.backend.conformance import contract

TOKEN, SESSION = "@TOKEN@", "@SESSION@"  # the fuzzing client's token; an honest client's realtime session
ROLES = ("none", "garbage", "guest", "user", "moderator")  # whose Authorization header a request carries
CLIENT_KINDS = ("hello", "pose", "chat", "emote", "report", "ping")
NUMBERS = ("NaN", "-NaN", "Infinity", "-Infinity", "1e999", "-1e400", "1e-400", "9" * 400, "-" + "9" * 40,
           "1" + "0" * 20, "9007199254740993", "-0", "1.7976931348623157e309", "0.1e1", "2e308")
SHARP_TEXTS = ("\ud800", "\udfff", "a\udc00b", "\ud83d", "\x00", "\u202etxt", "\ufeff", "\u200b", "<script>",
               "' OR 1=1 --", "%s%n%x", "../../etc/passwd", "ｍｏｄｅｒａｔｏｒ", "운영자", "𝕒𝕕𝕞𝕚𝕟", "\r\n", " ")
DATES = ("9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00",
         "9999-12-31T23:59:59-14:00", "+275760-09-13T00:00:00Z", "2026-13-45T25:61:61Z", "2026-05-15",
         "2026-05-15T09:00:00", "1e400", "0000-00-00T00:00:00Z", "2026-05-15T09:00:00+99:00", "")


def data_file(name: str) -> list[dict]:
    return json.loads((resources.files("metaseoul.backend") / "data" / name).read_text("utf-8"))


SERVICE_CODES = tuple(s["service_code"] for s in data_file("services.json"))
RESERVABLE = tuple(s["code"] for s in data_file("reservable.json"))


def quoted(text: str) -> str:
    """A JSON string; lone surrogates are written as escapes (they cannot be sent as UTF-8)."""
    return json.dumps(text, ensure_ascii=any(0xD800 <= ord(c) <= 0xDFFF for c in text))


def _hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SHARP_TEXTS), st.text(st.characters(exclude_categories=()), max_size=40),
                     st.integers(1, 6000).map(lambda n: "x" * n), st.integers(1, 2000).map(lambda n: "가" * n))


def _json_value() -> st.SearchStrategy[str]:
    """The text of one JSON value, valid or not, sharp or plain."""
    leaves = st.one_of(st.sampled_from(NUMBERS), st.integers(-2**70, 2**70).map(str),
                       st.floats(allow_nan=False, allow_infinity=False).map(repr),
                       st.sampled_from(("true", "false", "null", "[]", "{}", '""')), HOSTILE_TEXT.map(quoted),
                       st.integers(17, 3000).map(lambda n: "[" * n + "]" * n),
                       st.integers(17, 400).map(lambda n: '{"a":' * n + "1" + "}" * n))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(HOSTILE_TEXT, inner), max_size=3).map(json_object)), max_leaves=6)


def json_object(pairs: list[tuple[str, str]]) -> str:
    """An object from (key, value text) pairs, keys repeated if the pairs repeat them."""
    return "{" + ",".join(f"{quoted(key)}:{value}" for key, value in pairs) + "}"


# Built once: a strategy is costly to build, and these are drawn from thousands of times a run.
HOSTILE_TEXT = _hostile_text()
JSON_VALUE = _json_value()


def _plain(*texts: str) -> st.SearchStrategy[str]:
    return st.sampled_from(texts)


def _fields() -> dict[str, dict[str, st.SearchStrategy[str]]]:
    """Per client frame type: each field with a plausible value (the hostile ones come from json_value)."""
    vector = st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=7).map(json.dumps)
    return {
        "hello": {"token": st.just(quoted(TOKEN)), "scene": _plain('"city-hall"', '"gwanghwamun"', '"x"'),
                  "name": HOSTILE_TEXT.map(quoted), "resume": _plain('"resume-me"', quoted(TOKEN)),
                  "since": _plain("0", "1", "-1", "99999999")},
        "pose": {"p": vector, "h": st.floats(-720, 720).map(repr), "head": vector, "left": vector, "right": vector},
        "chat": {"text": HOSTILE_TEXT.map(quoted)},
        "emote": {"name": _plain('"wave"', '"bow"', '"dab"', '"WAVE"')},
        "report": {"target": st.just(quoted(SESSION)), "reason": HOSTILE_TEXT.map(quoted)},
        "ping": {"t": _plain("1", "12.5", '"now"', "null", "[1,2]")},
    }


FIELDS = _fields()
ODDITIES = st.sampled_from(("none", "none", "none", "repeated key", "odd type", "shuffled"))
CHOICES = st.sampled_from(("omit", "plausible", "plausible", "hostile"))
EXTRA_PAIRS = st.lists(st.tuples(HOSTILE_TEXT, JSON_VALUE), max_size=2)
ODD_TYPES = st.one_of(JSON_VALUE, st.sampled_from(('"teleport"', '"welcome"', '"HELLO"')))


@st.composite
def typed_frame(draw, kind: str) -> str:
    """A frame of a client message type with each field left out, plausible or hostile, extra keys
    and repeated keys mixed in, in any order."""
    pairs = [("type", quoted(kind))]
    for name, plausible in FIELDS[kind].items():
        choice = draw(CHOICES)
        if choice != "omit":
            pairs.append((name, draw(plausible if choice == "plausible" else JSON_VALUE)))
    pairs += draw(EXTRA_PAIRS)
    oddity = draw(ODDITIES)
    if oddity == "repeated key":
        pairs.append(draw(st.sampled_from(pairs)))
    elif oddity == "odd type":
        pairs[0] = ("type", draw(ODD_TYPES))
    return json_object(draw(st.permutations(pairs)) if oddity == "shuffled" else pairs)


def raw_frame() -> st.SearchStrategy[str | bytes]:
    """What is not a frame of any type: empty, not JSON, binary, JSON that is no object, oversized."""
    return st.one_of(st.just(""), st.text(max_size=100), st.binary(max_size=200), JSON_VALUE,
                     st.integers(4000, 20000).map(lambda n: '{"type":"chat","text":"' + "x" * n + '"}'))


def client_frame() -> st.SearchStrategy[str | bytes]:
    typed = st.sampled_from(CLIENT_KINDS).flatmap(typed_frame)
    return st.one_of(typed, typed, typed, raw_frame())


# --- HTTP ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template, as in openapi.json
    parameters: tuple[dict, ...]
    bodies: tuple[str, ...]  # request content types
    body_schema: dict = field(default_factory=dict, compare=False)


def operations() -> list[Operation]:
    """Every operation of the HTTP contract."""
    spec, found = contract(), []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            content = op.get("requestBody", {}).get("content", {})
            schema = next(iter(content.values()), {}).get("schema", {})
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            parameters = [spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                          for p in (*item.get("parameters", []), *op.get("parameters", []))]
            found.append(Operation(method.upper(), path, tuple(parameters), tuple(content), schema))
    return found


@dataclass
class Request:
    operation: Operation
    role: str
    path: str  # percent-encoded, with the query
    headers: dict[str, bytes]
    body: bytes | None


def url_part(text: str) -> str:
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


def _path_value(name: str) -> st.SearchStrategy[str]:
    known = {"service_code": SERVICE_CODES, "code": RESERVABLE, "id": ("1", "2", "city-hall"),
             "service_request_id": ("1", "abc")}.get(name, ("1",))
    return st.one_of(st.sampled_from(known), st.sampled_from(("0", "-1", "9" * 30, "1e999", "NaN")), HOSTILE_TEXT)


def _query_value(name: str) -> st.SearchStrategy[str]:
    plausible = {"start_date": DATES, "end_date": DATES, "status": ("open", "closed", "open,closed", "pending"),
                 "service_code": SERVICE_CODES, "date": ("2026-05-15", "9999-12-31", "0001-01-01", "2026-02-30"),
                 "$top": ("1", "0", "-1", "9" * 30, "1e999"), "$skip": ("1", "-5", "9" * 30),
                 "$count": ("true", "false", "maybe"), "$orderby": ("name desc", "phenomenonTime asc", "x y z"),
                 "$filter": ("result gt 1", "name eq 'x'", "result gt 1e999", "(" * 500, "not not not"),
                 "$expand": ("Datastreams", "Datastreams/Observations", "Nope"), "locale": ("ko", "en", "xx")}
    return st.one_of(st.sampled_from(plausible.get(name, ("1",))), HOSTILE_TEXT, st.sampled_from(NUMBERS))


@st.composite
def _form_or_json(draw, op: Operation) -> tuple[str, bytes]:
    """A body of one of the operation's content types from its schema's fields, plausible or hostile."""
    names = [*op.body_schema.get("properties", {})] + ["attribute[scene_id]", "minutes", "session"]
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
    kind = draw(st.sampled_from(op.bodies))
    if kind == "application/x-www-form-urlencoded":
        pairs = [(name, draw(_form_value(name))) for name in chosen]
        return kind, "&".join(f"{url_part(k)}={url_part(v)}" for k, v in pairs).encode()
    pairs = [(name, draw(st.one_of(_form_value(name).map(quoted), st.sampled_from(NUMBERS), JSON_VALUE)))
             for name in chosen]
    return kind, json_object(pairs).encode("utf-8", "surrogatepass")


def _form_value(name: str) -> st.SearchStrategy[str]:
    plausible = {"service_code": SERVICE_CODES, "lat": ("37.56", "1e999", "-1e999", "NaN", "9" * 5000, "91"),
                 "long": ("126.97", "inf", "-inf", "9" * 400, "-181"), "slot_id": (f"{RESERVABLE[1]}@2030-01-01T09:00",
                                                                                 f"{RESERVABLE[0]}@9999-12-31T10:00"),
                 "action": ("warn", "mute", "kick", "ban", "unban", "nuke"), "level": ("info", "emergency", "panic"),
                 "minutes": ("1", "1e308", "-5", "9" * 400), "name": ("fuzz-citizen", "moderator", "a"),
                 "password": ("correct horse battery", "short")}
    return st.one_of(st.sampled_from(plausible.get(name, ("x",))), HOSTILE_TEXT)


@st.composite
def http_request(draw, op: Operation) -> Request:
    path = op.path
    query = []
    for param in op.parameters:
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", url_part(draw(_path_value(param["name"]))))
        elif param["in"] == "query" and draw(st.booleans()):
            query.append(f"{url_part(param['name'])}={url_part(draw(_query_value(param['name'])))}")
    headers: dict[str, bytes] = {}
    if any(p["name"] == "Idempotency-Key" for p in op.parameters) and draw(st.booleans()):
        headers["Idempotency-Key"] = draw(st.one_of(st.sampled_from((b"", b"k" * 300, "ключ".encode(), b"key 1")),
                                                    st.uuids().map(lambda u: u.hex.encode())))
    body = None
    if op.bodies:
        kind, body = draw(st.one_of(_form_or_json(op), st.tuples(
            st.sampled_from(("application/json", "application/x-www-form-urlencoded", "text/plain")),
            st.one_of(st.binary(max_size=300), JSON_VALUE.map(lambda v: v.encode("utf-8", "surrogatepass")),
                      st.just(b"x" * 70_000)))))
        headers["content-type"] = kind.encode()
    return Request(op, draw(st.sampled_from(ROLES)), path + ("?" + "&".join(query) if query else ""), headers, body)


def one_request_each() -> st.SearchStrategy[list[Request]]:
    """A generated request to every operation of the HTTP contract, so that a run reaches them all."""
    return st.tuples(*(http_request(op) for op in operations())).map(lambda requests: Batch(requests))


class Batch(list):
    """Generated frames or requests, shown short in Hypothesis's report: a failure message names the ones
    that matter, and the fixed seed brings the whole batch back."""

    def __repr__(self) -> str:
        return f"<a batch of {len(self)}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # what Hypothesis's report calls
        printer.text(repr(self))


def batches(of: st.SearchStrategy, size: int) -> st.SearchStrategy[Batch]:
    return st.lists(of, min_size=size, max_size=size).map(Batch)
