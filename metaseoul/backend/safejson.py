"""JSON from strangers, parsed within limits: every realtime frame and request body goes through
``loads`` before anything looks at it.

The standard parser accepts what the contract does not: duplicate keys (the last silently wins),
NaN and Infinity, integers of thousands of digits, nesting deep enough to exhaust the stack and
lone UTF-16 surrogates, which cannot be encoded again when the text is sent on. Each of those is
refused here with a plain message, so callers see one kind of error (``BadJSON``).
"""

from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 16  # objects and arrays inside each other; no message of the contract needs more than 4
MAX_INTEGER = 2**53  # what every JSON implementation represents exactly
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJSON(ValueError):
    """The text is not JSON the contract accepts; the message says why in plain words."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(value := int(text)) > MAX_INTEGER:
        raise BadJSON(f"a number is out of range (integers up to {MAX_INTEGER})")
    return value


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON("a number is out of range")
    return value


def _constant(name: str):
    raise BadJSON(f"{name} is not a JSON number")


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise BadJSON(f"the key {twice!r} appears twice in one object")
    return result


def _check(value: object) -> None:
    """Depth and string content, walked without recursion (the parse already bounded the size)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BadJSON("the text holds an unpaired surrogate (\\ud800-\\udfff), which is not Unicode text")
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise BadJSON(f"objects and arrays nested deeper than {MAX_DEPTH}")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def loads(data: str | bytes) -> object:
    """The value in ``data`` (UTF-8 when bytes), or BadJSON; callers bound the size beforehand."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJSON("the text must be UTF-8") from None
    try:
        value = json.loads(data, parse_int=_integer, parse_float=_real, parse_constant=_constant,
                           object_pairs_hook=_object)
    except RecursionError:
        raise BadJSON(f"objects and arrays nested deeper than {MAX_DEPTH}") from None
    except BadJSON:
        raise
    except ValueError as exc:
        raise BadJSON(f"not JSON ({exc})") from None
    _check(value)
    return value


def dumps(value: object) -> str:
    """Compact JSON as the contract sends it: never NaN or Infinity."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
