"""The contract as the gate: every realtime frame and JSON request body is checked against the
AsyncAPI and OpenAPI documents (``contract/``) before a handler sees it, so the documents and the
backend cannot drift apart, and a handler only ever meets the shapes they describe.

``frame`` and ``body`` parse with ``safejson`` (size, depth, numbers, Unicode) and validate with
the message's or operation's JSON Schema; what fails raises ``Refused`` with a plain sentence that
names the field ("chat: text must have at most 500 characters").
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from metaseoul.backend import safejson


class Refused(ValueError):
    """Input the contract does not allow; the message says which field and why, in plain words."""


@cache
def _document(name: str) -> dict:
    return json.loads((resources.files("metaseoul.backend") / "contract" / name).read_text("utf-8"))


def _validator(document: str, schema: dict) -> Draft202012Validator:
    """``schema`` with the document's components beside it, so its ``#/components/…`` references resolve."""
    return Draft202012Validator({"components": _document(document)["components"], "allOf": [schema]})


@cache
def _client_frames() -> dict[str, Draft202012Validator]:
    """The validator of each frame a client may send, by its ``type``."""
    api = _document("asyncapi.json")
    schemas = api["components"]["schemas"]
    validators = {}
    for ref in api["operations"]["receiveFromClient"]["messages"]:
        message = api["channels"]["realtime"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        payload = api["components"]["messages"][message["$ref"].rsplit("/", 1)[1]]["payload"]
        schema = schemas[payload["$ref"].rsplit("/", 1)[1]]
        validators[schema["properties"]["type"]["const"]] = _validator("asyncapi.json", payload)
    return validators


@cache
def _request_bodies() -> dict[tuple[str, str], Draft202012Validator]:
    """The validator of each operation's JSON request body, by (path, method)."""
    validators = {}
    for path, operations in _document("openapi.json")["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                validators[(path, method)] = _validator("openapi.json", content["application/json"]["schema"])
    return validators


def _plain(error: ValidationError, whole: str) -> str:
    """One validation error as a sentence about the field it concerns (``whole`` names the message)."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
    where = where.lstrip(".") or whole
    limits = error.schema if isinstance(error.schema, dict) else {}
    count = error.validator_value
    said = {
        "type": lambda: f"must be {' or '.join(_kind(t) for t in _listed(error.validator_value))}",
        "required": lambda: f"needs {error.message.split(' ', 1)[0]}",
        "minLength": lambda: f"must have at least {_characters(count)}",
        "maxLength": lambda: f"must have at most {_characters(count)}",
        "minItems": lambda: _items(limits),
        "maxItems": lambda: _items(limits),
        "enum": lambda: f"must be one of {', '.join(map(str, error.validator_value))}",
        "const": lambda: f"must be {error.validator_value!r}",
        "pattern": lambda: "has characters or a form that is not allowed",
        "minimum": lambda: f"must be at least {limits.get('minimum')}",
        "exclusiveMinimum": lambda: f"must be more than {limits.get('exclusiveMinimum')}",
        "maximum": lambda: f"must be at most {limits.get('maximum')}",
        "exclusiveMaximum": lambda: f"must be less than {limits.get('exclusiveMaximum')}",
    }.get(error.validator, lambda: "is not what the contract allows")()
    return f"{where} {said}"


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


def _first_error(validator: Draft202012Validator, value: object) -> ValidationError | None:
    return min(validator.iter_errors(value), key=lambda e: (len(e.absolute_path), str(e.absolute_path)), default=None)


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
    error = _first_error(validator, message)
    if error is not None:
        raise Refused(f"{message['type']}: {_plain(error, 'the frame')}")
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
    error = _first_error(_request_bodies()[(path, method.lower())], value)
    if error is not None:
        raise Refused(_plain(error, "the body"))
    return value
