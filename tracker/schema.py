"""The events contract, read from ``events.schema.json`` (the only copy of the rules)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

SCHEMA_FILE = "events.schema.json"
LIST_SEPARATOR = ";"
SOURCE_SEPARATOR = " | "


@dataclass(frozen=True)
class Field:
    """One column of the contract."""

    name: str
    type: str
    title: str
    description: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None


@cache
def schema_descriptor() -> dict:
    """The Table Schema as a dict."""
    text = resources.files("tracker").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def fields() -> tuple[Field, ...]:
    """Every column in file order."""
    out = []
    for raw in schema_descriptor()["fields"]:
        c = raw.get("constraints", {})
        out.append(
            Field(
                name=raw["name"],
                type=raw["type"],
                title=raw.get("title", raw["name"]),
                description=raw.get("description", ""),
                required=c.get("required", False),
                unique=c.get("unique", False),
                pattern=c.get("pattern"),
                enum=tuple(c["enum"]) if "enum" in c else None,
                max_length=c.get("maxLength"),
                minimum=c.get("minimum"),
                maximum=c.get("maximum"),
            )
        )
    return tuple(out)


def field(name: str) -> Field:
    """The column called ``name``."""
    return next(f for f in fields() if f.name == name)


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields())
REQUIRED: tuple[str, ...] = tuple(f.name for f in fields() if f.required)
CATEGORIES: tuple[str, ...] = field("category").enum or ()
STATUSES: tuple[str, ...] = field("status").enum or ()
PRECISIONS: tuple[str, ...] = ("day", "month", "year")
