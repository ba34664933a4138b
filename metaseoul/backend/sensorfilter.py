"""The SensorThings ``$filter`` language (eq ne gt ge lt le, ``and``, ``or``, parentheses), bounded
and compiled once into a tree, then evaluated one comparison at a time over a whole column of values
(numpy), so that a long filter over many entities costs a few vector operations per comparison rather
than a Python call per entity and comparison; ``$orderby`` sorts by the same columns. Columns are made
once per table and kept with it: a table of observations that lives for a 10-minute step parses its
times once for every query.

A value of the wrong kind simply does not match (``ne`` included); evaluation never raises. Which
field names exist, and how a field's value is read from an entity (``Read``), is the caller's to say.
"""

from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce

import numpy as np

MAX_FILTER_CHARS, MAX_NESTING, MAX_COMPARISONS = 2000, 20, 100
KEPT_COLUMNS = 64  # a table kept for a step keeps this many columns at most, whatever fields queries name
TOKEN = re.compile(r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<str>'(?:[^']|'')*')|"
                   r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))|"
                   r"(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_@][\w@./]*))")
COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
BY_RANK = {"eq": lambda codes, lo, hi: (codes >= lo) & (codes < hi), "ne": lambda codes, lo, hi: (codes < lo) | (codes >= hi),
           "lt": lambda codes, lo, _hi: codes < lo, "le": lambda codes, _lo, hi: codes < hi,
           "gt": lambda codes, _lo, hi: codes >= hi, "ge": lambda codes, lo, _hi: codes >= lo}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class QueryError(ValueError):
    """A query option the API cannot honour; the message says which and why."""


@dataclass(frozen=True)
class Comparison:
    """``field op value``; kind is the value's: "str", "num" or "time" (microseconds since 1970 UTC)."""
    field: str
    op: str
    kind: str
    value: str | float | int


@dataclass(frozen=True)
class Join:
    """Parts joined by "and" or "or" (flat, so long chains cannot exhaust the stack)."""
    word: str
    parts: tuple[Comparison | Join, ...]


Node = Comparison | Join
Read = Callable[[str], Callable[[dict], object]]  # a field's name: how to read its value from an entity


def fields(node: Node) -> Iterator[str]:
    """Every field the filter compares, so the caller can refuse those its entities do not have."""
    if isinstance(node, Comparison):
        yield node.field
    else:
        for part in node.parts:
            yield from fields(part)


def microseconds(text: str) -> int | None:
    """An ISO 8601 time with a zone as microseconds since 1970 UTC; None if it is not one."""
    try:
        instant = datetime.fromisoformat(text)
        return None if instant.utcoffset() is None else (instant - EPOCH) // MICROSECOND
    except (ValueError, TypeError, OverflowError):
        return None


def number(value: float) -> float:
    """A number as a float, whole numbers too large for one as infinities (they compare the same)."""
    return float(value) if isinstance(value, float) or abs(value) < 2**1023 else (math.inf if value > 0 else -math.inf)


def tokenize(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_FILTER_CHARS:
        raise QueryError(f"$filter longer than {MAX_FILTER_CHARS} characters")
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise QueryError(f"$filter: cannot read from {text[pos:pos + 20]!r}")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        pos = match.end()
    return [*tokens, ("end", "")]


class Parser:
    """Recursive descent over the tokens: 'or' binds looser than 'and'; parentheses group."""

    def __init__(self, text: str):
        self.tokens, self.index, self.depth, self.comparisons = tokenize(text), 0, 0, 0

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.index]
        if (kind and token[0] != kind) or (value and token[1] != value):
            wanted = value or {"rp": "')'", "lp": "'('", "word": "a field name"}.get(kind, kind)
            raise QueryError(f"$filter: expected {wanted} but found {token[1] or 'the end'!r}")
        self.index += 1
        return token

    def joined(self, word: str) -> Node:
        part = (lambda: self.joined("and")) if word == "or" else self.factor
        parts = [part()]
        while self.tokens[self.index] == ("word", word):
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else Join(word, tuple(parts))

    def factor(self) -> Node:
        if self.tokens[self.index][0] == "lp":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise QueryError(f"$filter nests parentheses deeper than {MAX_NESTING}")
            self.take("lp")
            inner = self.joined("or")
            self.take("rp")
            self.depth -= 1
            return inner
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise QueryError(f"$filter has more than {MAX_COMPARISONS} comparisons")
        field = self.take("word")[1]
        op = self.take("word")[1]
        if op not in COMPARE:
            raise QueryError(f"$filter: unknown operator {op!r} (use eq ne gt ge lt le)")
        return Comparison(field, op, *self.value(op))

    def value(self, op: str) -> tuple[str, str | float | int]:
        kind, raw = self.take()
        if kind == "str":
            return kind, raw[1:-1].replace("''", "'")
        if kind == "num":
            return kind, float(raw)
        if kind == "time":
            if (when := microseconds(raw)) is None:
                raise QueryError(f"$filter: {raw!r} is not a valid time")
            return kind, when
        raise QueryError(f"$filter: expected a value after {op}, found {raw or 'the end'!r}")


def parse_filter(text: str) -> Node:
    """The $filter expression as a tree, or a QueryError saying what is wrong or over which limit."""
    parser = Parser(text)
    tree = parser.joined("or")
    parser.take("end")
    return tree


@dataclass(frozen=True)
class Column:
    """One field's values of one kind: numbers (float), times (microseconds) or, for text, each value's
    rank among the field's distinct texts in sorted order (so text compares as whole-number ranks), or
    for $orderby each value's rank in that order; valid marks the entities whose value is of that kind."""
    values: np.ndarray
    valid: np.ndarray
    texts: list[str] | None = None


class Table:
    """Entities with their columns, each made on first use and kept as long as the table (up to
    KEPT_COLUMNS of them)."""

    def __init__(self, items: list[dict]):
        self.items = items
        self.columns: dict[tuple[str, str], Column] = {}

    def column(self, field: str, kind: str, read: Read) -> Column:
        """The field's column, kept if fewer than KEPT_COLUMNS are (paths into objects are many)."""
        key = (field, kind)
        if key in self.columns:
            return self.columns[key]
        made = self.make_column(list(map(read(field), self.items)), kind)
        if len(self.columns) < KEPT_COLUMNS:
            self.columns[key] = made
        return made

    def make_column(self, raw: list, kind: str) -> Column:
        if kind == "num":
            valid = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw]
            return Column(np.array([number(v) if ok else 0.0 for v, ok in zip(raw, valid)], dtype=float),
                          np.array(valid, bool))
        if kind == "time":
            parsed = {text: microseconds(text) for text in {v for v in raw if isinstance(v, str)}}  # each time once
            when = [parsed.get(v) if isinstance(v, str) else None for v in raw]
            return Column(np.array([0 if w is None else w for w in when], dtype=np.int64),
                          np.array([w is not None for w in when], bool))
        if kind == "sort":
            return self.sort_column(raw)
        texts = sorted({v for v in raw if isinstance(v, str)})
        rank = {text: i for i, text in enumerate(texts)}
        codes = np.array([rank[v] if isinstance(v, str) else -1 for v in raw], dtype=np.int64)
        return Column(codes, codes >= 0, texts)

    @staticmethod
    def sort_column(raw: list) -> Column:
        """Each value's rank in $orderby's order (numbers, then texts, then nothing; equal values share
        a rank); lists and objects are not valid: they cannot be ordered by."""
        valid = [not isinstance(v, (dict, list)) for v in raw]
        keys = [sort_key(v) if ok else sort_key(None) for v, ok in zip(raw, valid)]
        rank = {key: i for i, key in enumerate(sorted(set(keys)))}
        return Column(np.array([rank[key] for key in keys], dtype=np.int64), np.array(valid, bool))

    def ordered(self, picked: np.ndarray, keys: list[tuple[str, bool]], read: Read) -> np.ndarray:
        """The picked entities' positions ordered by (field, descending) keys, the first the most
        significant; entities that compare equal keep their order."""
        ranks = []
        for name, descending in keys:
            column = self.column(name, "sort", read)
            if not column.valid[picked].all():
                raise QueryError(f"$orderby: {name} is not a single value and cannot be ordered by")
            ranks.append(-column.values[picked] if descending else column.values[picked])
        return picked[np.lexsort(ranks[::-1])] if ranks else picked


def sort_key(value) -> tuple:
    return (value is None, isinstance(value, str), value if value is not None else 0)


def matching(tree: Node | None, table: Table, read: Read) -> np.ndarray:
    """The positions of the table's entities the filter matches (all for no filter), in order; each
    distinct comparison is evaluated once."""
    if tree is None:
        return np.arange(len(table.items))
    done: dict[Comparison, np.ndarray] = {}

    def visit(node: Node) -> np.ndarray:
        if isinstance(node, Join):
            return reduce(np.logical_and if node.word == "and" else np.logical_or, map(visit, node.parts))
        if node not in done:
            done[node] = compare(node, table.column(node.field, node.kind, read))
        return done[node]

    return np.flatnonzero(visit(tree))


def compare(node: Comparison, column: Column) -> np.ndarray:
    if column.texts is None:
        return COMPARE[node.op](column.values, node.value) & column.valid
    # Text by rank: the value falls between ranks lo and hi (hi - lo is 1 where the value is present).
    lo, hi = bisect_left(column.texts, node.value), bisect_right(column.texts, node.value)
    return BY_RANK[node.op](column.values, lo, hi) & column.valid
