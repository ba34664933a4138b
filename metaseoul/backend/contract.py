"""The contract as the gate: every realtime frame and JSON request body is checked against the
AsyncAPI and OpenAPI documents (``contract/``) before a handler sees it, so the documents and the
backend cannot drift apart, and a handler only ever meets the shapes they describe.

``frame`` and ``body`` parse with ``safejson`` (size, depth, numbers, Unicode) and validate with
the message's or operation's JSON Schema; what fails raises ``Refused`` with a plain sentence that
names the field ("chat: text must have at most 500 characters").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources

import fastjsonschema
from fastjsonschema import JsonSchemaValueException

from metaseoul.backend import safejson

Check = Callable[[object], object]  # a compiled schema: returns the value, or raises JsonSchemaValueException


class Refused(ValueError):
    """Input the contract does not allow; the message says which field and why, in plain words."""


@cache
def _document(name: str) -> dict:
    return json.loads((resources.files("metaseoul.backend") / "contract" / name).read_text("utf-8"))


def _compiled(document: str, schema: dict) -> Check:
    """``schema`` compiled to Python (a few microseconds a frame, where interpreting it took 50), with
    the document's components beside it so its ``#/components/…`` references resolve."""
    return fastjsonschema.compile({"components": _document(document)["components"], "allOf": [schema]},
                                  use_default=False, use_formats=False)


@cache
def _client_frames() -> dict[str, Check]:
    """The check of each frame a client may send, by its ``type``."""
    api = _document("asyncapi.json")
    schemas = api["components"]["schemas"]
    checks = {}
    for ref in api["operations"]["receiveFromClient"]["messages"]:
        message = api["channels"]["realtime"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        payload = api["components"]["messages"][message["$ref"].rsplit("/", 1)[1]]["payload"]
        schema = schemas[payload["$ref"].rsplit("/", 1)[1]]
        checks[schema["properties"]["type"]["const"]] = _compiled("asyncapi.json", payload)
    return checks


@cache
def _request_bodies() -> dict[tuple[str, str], Check]:
    """The check of each operation's JSON request body, by (path, method)."""
    checks = {}
    for path, operations in _document("openapi.json")["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                checks[(path, method)] = _compiled("openapi.json", content["application/json"]["schema"])
    return checks


def _plain(error: JsonSchemaValueException, whole: str) -> str:
    """One validation error as a sentence about the field it concerns (``whole`` names the message)."""
    where = error.name.removeprefix("data").lstrip(".") or whole
    limit, schema = error.rule_definition, error.definition if isinstance(error.definition, dict) else {}
    said = {
        "type": lambda: f"must be {' or '.join(_kind(t) for t in _listed(limit))}",
        "required": lambda: f"needs {', '.join(repr(k) for k in limit if k not in error.value)}",
        "anyOf": lambda: _alternatives(limit),
        "additionalProperties": lambda: f"has fields the contract does not name: {_unnamed(error.value, schema)}",
        "minLength": lambda: f"must have at least {_characters(limit)}",
        "maxLength": lambda: f"must have at most {_characters(limit)}",
        "minItems": lambda: _items(schema),
        "maxItems": lambda: _items(schema),
        "enum": lambda: f"must be one of {', '.join(map(str, limit))}",
        "const": lambda: f"must be {limit!r}",
        "pattern": lambda: "has characters or a form that is not allowed",
        "minimum": lambda: f"must be at least {limit}",
        "exclusiveMinimum": lambda: f"must be more than {limit}",
        "maximum": lambda: f"must be at most {limit}",
        "exclusiveMaximum": lambda: f"must be less than {limit}",
    }.get(error.rule, lambda: f"is not what the contract allows ({error.rule} {limit!r})")()
    return f"{where} {said}"


def _alternatives(schemas: list) -> str:
    """What an anyOf of required fields asks for ("needs 'session' or 'subject'")."""
    if all(set(s) == {"required"} for s in schemas):
        return "needs " + " or ".join(" and ".join(repr(k) for k in s["required"]) for s in schemas)
    return "is not what the contract allows"


def _unnamed(value: dict, schema: dict) -> str:
    return ", ".join(repr(k[:40]) for k in sorted(set(value) - set(schema.get("properties", {})))[:5])


def _characters(count: int) -> str:
    return f"{count} character" + ("" if count == 1 else "s")


def _items(limits: dict) -> str:
    low, high = limits.get("minItems", 0), limits.get("maxItems")
    if low == high:
        return f"must hold exactly {high} values"
    return f"must hold {low} to {high} values" if high is not None else f"must hold at least {low} values"


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _kind(json_type: str) -> str:
    return {"object": "an object", "array": "a list", "string": "text", "integer": "a whole number",
            "number": "a number", "boolean": "true or false", "null": "null"}.get(json_type, json_type)


def _checked(check: Check, value: object, whole: str) -> None:
    try:
        check(value)
    except JsonSchemaValueException as error:
        raise Refused(_plain(error, whole)) from None


def frame(text: str) -> dict:
    """A client's realtime frame, parsed and checked, or Refused."""
    try:
        message = safejson.loads(text)
    except safejson.BadJSON as exc:
        raise Refused(f"malformed frame: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Refused("malformed frame: expected a JSON object with a type")
    validator = _client_frames().get(message["type"])
    if validator is None:
        raise Refused(f"unknown frame type {message['type'][:40]!r}")
    try:
        _checked(validator, message, "the frame")
    except Refused as exc:
        raise Refused(f"{message['type']}: {exc}") from None
    return message


def body(path: str, method: str, data: bytes) -> dict:
    """A JSON request body for the operation at ``path`` (as the OpenAPI document names it), parsed
    and checked, or Refused. An empty body is an empty object."""
    try:
        value = safejson.loads(data or b"{}")
    except safejson.BadJSON as exc:
        raise Refused(f"the body is not usable JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Refused("the body must be a JSON object")
    _checked(_request_bodies()[(path, method.lower())], value, "the body")
    return value
