"""The events contract, read from ``events.schema.json`` (the only copy of the column rules)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .dates import PRECISIONS

SCHEMA_FILE = "events.schema.json"
LIST_SEPARATOR = ";"
SOURCE_SEPARATOR = " | "
NO_ARCHIVE = "-"  # in archive_urls: a source without an archived copy


def archived_copies(source_url: str, archive_urls: str) -> list[tuple[str, str]]:
    """(URL, its archived copy or "") of each source: ``archive_urls`` holds the copies in the
    order of ``source_url``, ``-`` for none (an empty or shorter list: none for the rest)."""
    urls = [u.strip() for u in str(source_url or "").split(SOURCE_SEPARATOR) if u.strip()]
    copies = [c.strip() for c in str(archive_urls or "").split(SOURCE_SEPARATOR)]
    return [(url, copies[i] if i < len(copies) and copies[i] != NO_ARCHIVE else "") for i, url in enumerate(urls)]


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
    optional_column: bool = False  # may be absent from a file's header (read as empty)


@dataclass(frozen=True)
class Category:
    """A category's code (the CSV value), its label for people, and its colour in every chart."""

    value: str
    label: str
    color: str


@cache
def schema_descriptor() -> dict:
    """The Table Schema as a dict."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def fields() -> tuple[Field, ...]:
    """Every column in file order."""
    return tuple(_field(raw) for raw in schema_descriptor()["fields"])


def _field(raw: dict) -> Field:
    c = raw.get("constraints", {})
    return Field(
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
        optional_column=raw.get("optionalColumn", False),
    )


def field(name: str) -> Field:
    """The column called ``name``."""
    return next(f for f in fields() if f.name == name)


@cache
def categories() -> dict[str, Category]:
    """Every category by code, in the schema's order, with its label and colour."""
    raw = next(f for f in schema_descriptor()["fields"] if f["name"] == "category")
    found = {c["value"]: Category(c["value"], c["label"], c["color"]) for c in raw["categories"]}
    if tuple(found) != field("category").enum:
        raise ValueError(f"{SCHEMA_FILE}: the category enum and its labelled categories differ")
    return found


def plain_term(text: str) -> str:
    """``text`` as a typed term is compared: case folded, each run of spaces, "_", "/" or "-"
    one space ("UN / legal" and "un-legal" alike)."""
    return " ".join(re.split(r"[\s_/-]+", text.casefold())).strip()


@cache
def term_codes(name: str) -> dict[str, str]:
    """The code of each value the column ``name`` allows (category, status), by the ways a person
    may type it (``plain_term``): the code itself, and a category's label ("UN / legal")."""
    codes = field(name).enum or ()
    labels = {c.value: c.label for c in categories().values()} if name == "category" else {}
    return {plain_term(c): c for c in codes} | {plain_term(label): c for c, label in labels.items()}


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields())
REQUIRED: tuple[str, ...] = tuple(f.name for f in fields() if f.required)
HEADER_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields() if not f.optional_column)  # every file has these
CATEGORIES: tuple[str, ...] = field("category").enum or ()
STATUSES: tuple[str, ...] = field("status").enum or ()
__all__ = [
    "COLUMNS",
    "CATEGORIES",
    "PRECISIONS",
    "REQUIRED",
    "STATUSES",
    "Category",
    "Field",
    "categories",
    "field",
    "fields",
    "plain_term",
    "schema_descriptor",
    "term_codes",
]
