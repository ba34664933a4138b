"""Display names that cannot pass as someone else: normalised to NFC, free of invisible and
control characters, not mixing look-alike scripts (Cyrillic "а" in a Latin name) and not starting
like the city's own names (data/reserved_names.json). Verified moderators and staff are shown with
a badge from their role, never from what they typed.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

from confusable_homoglyphs import confusables

NAME_LIMIT = 40
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format (zero-width), surrogate, unassigned


class BadName(ValueError):
    """A display name that is refused; the message says why in plain words."""


@cache
def _reserved() -> tuple[str, ...]:
    data = json.loads((resources.files("metaseoul.backend") / "data" / "reserved_names.json").read_text("utf-8"))
    return tuple(skeleton(p) + (" " if p.endswith(" ") else "") for p in data["prefixes"])  # "guest " is not "guesthouse"


def skeleton(text: str) -> str:
    """What ``text`` looks like: compatibility forms folded, case folded, look-alikes replaced by
    the Latin letter they imitate. Two names with one skeleton are the same name to a reader."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for char in folded:
        found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=False) if ord(char) > 127 else None
        out.append(found[0]["homoglyphs"][0]["c"] if found else char)
    return " ".join("".join(out).split())


def display_name(text: str) -> str:
    """``text`` as a display name (NFC, inner whitespace collapsed), or BadName saying why not."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not 1 <= len(name) <= NAME_LIMIT:
        raise BadName(f"a name has 1 to {NAME_LIMIT} characters")
    if any(unicodedata.category(c) in _HIDDEN for c in name):
        raise BadName("a name may not hold invisible or control characters")
    if confusables.is_dangerous(name):
        raise BadName("a name may not mix letters of different alphabets that look alike (like Cyrillic а in Latin)")
    shape = skeleton(name)
    if any(shape.startswith(prefix) for prefix in _reserved()):
        raise BadName("names that start like this are kept for the city's staff, moderators and guests; choose another")
    return name
