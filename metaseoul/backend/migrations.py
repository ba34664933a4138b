"""Bringing an older backend database up to the current schema: columns added since it was made."""

from __future__ import annotations

from metaseoul.backend.db import Database


def add_columns(db: Database, table: str, columns: dict[str, str]) -> list[str]:
    """Add to ``table`` the ``columns`` (name: SQL type) it lacks; returns the names added."""
    present = {row["name"] for row in db.read(f"PRAGMA table_info({table})")}
    missing = [name for name in columns if name not in present]
    for name in missing:
        db.schema(f"ALTER TABLE {table} ADD COLUMN {name} {columns[name]}")
    return missing
