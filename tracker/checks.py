"""The contract's checks, each a generator of ``(mask, column, message, hint)``: one column's
own constraints (``field_checks``) and the rules across columns of a row. They look at one value
(or one row) at a time, so the fast path (tracker/fastcsv.py) can run them on distinct values."""

from __future__ import annotations

import functools
import re

import pandas as pd

from . import schema

UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
YEARS = (1678, 2261)  # the span pandas' datetime64[ns] holds, whole years


def field_checks(frame: pd.DataFrame, f: schema.Field):
    """Checks of one column's own constraints (each a mask over the rows)."""
    col = frame[f.name]
    present = col != ""
    hint = f.description
    if f.required:
        yield ~present, f.name, "is required but empty", hint
    too_long = col.str.len() > f.max_length if f.max_length else None
    if too_long is not None:
        yield too_long, f.name, "is {length} characters long" + f", over the limit of {f.max_length}", "shorten it"
    if f.enum:
        yield present & ~col.isin(f.enum), f.name, "{value} is not allowed", "use one of: " + ", ".join(f.enum)
    if f.type == "number":
        number = pd.to_numeric(col.where(present), errors="coerce")
        yield present & number.isna(), f.name, "{value} is not a number", hint
        yield (number < f.minimum) | (number > f.maximum), f.name, "{value} is out of range", hint
    if f.pattern:
        checked = present if too_long is None else present & ~too_long
        bad = checked & ~col.str.fullmatch(arrow_pattern(f.pattern)).fillna(False).astype(bool)
        if f.name == "source_url" and bad.any():  # (lowercasing every URL is slow: only when needed)
            unsafe = col.str.lower().str.contains("|".join(UNSAFE_SCHEMES), regex=True)
            yield bad & unsafe, f.name, "{value} uses a scheme that is never linked", "only http:// and https:// URLs are accepted"
            bad = bad & ~unsafe
        yield bad, f.name, "{value} is not valid", hint
    if f.unique:
        yield present & col.duplicated(keep="first"), f.name, "{value} is used twice (first on line {other})", "give each event its own id"


@functools.cache
def arrow_pattern(pattern: str) -> str:
    """``pattern`` with each ``\\s`` spelled out as the characters Python's ``re`` takes for
    whitespace: the same meaning, but pandas can then run it in pyarrow's RE2 (fast, no per-row
    Python); it falls back to ``re`` for ``\\s`` because RE2's differs."""
    if "\\S" in pattern or "[]" in pattern or "[^]" in pattern:
        return pattern  # not used by the schema: keep the original
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            spaces = _WHITESPACE if in_class else f"[{_WHITESPACE}]"
            out.append(spaces if escape == "\\s" else escape)
            i += 2
            continue
        in_class = char == "[" or (in_class and char != "]")
        out.append(char)
        i += 1
    return "".join(out)


def _class_items(codes: list[int]) -> str:
    """A character-class body for ``codes``, consecutive runs as ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    spell = lambda c: f"\\x{c:02x}" if c < 0x100 else chr(c)  # noqa: E731
    return "".join(spell(a) if a == b else f"{spell(a)}-{spell(b)}" for a, b in runs)


_WHITESPACE = _class_items([c for c in range(0x3001) if re.match(r"\s", chr(c))])


def padded_dates(col: pd.Series) -> pd.Series:
    """ISO dates at any precision padded to their first day: 2022 -> 2022-01-01."""
    length = col.str.len()
    return col.where(length != 7, col + "-01").where(length != 4, col + "-01-01")


def row_checks(frame: pd.DataFrame):
    """Every rule across the columns of a row."""
    yield from date_checks(frame)
    yield from coordinate_checks(frame)
    n_urls = frame["source_url"].str.count(r" \| ") + 1
    yield from source_checks(frame, n_urls)


def date_checks(frame: pd.DataFrame):
    """Checks on ``date`` and ``end_date`` together: real dates, in range, in order."""
    shaped = {column: date_shaped(frame[column], column) for column in ("date", "end_date")}
    for column in ("date", "end_date"):
        yield from calendar_checks(frame[column], column, shaped[column])
    both = shaped["date"] & shaped["end_date"]
    early = both & (padded_dates(frame["end_date"]) < padded_dates(frame["date"]))
    yield early, "end_date", "{value} is before the date", "an end_date must not come before date"


def calendar_checks(col: pd.Series, column: str, shaped: pd.Series | None = None):
    """Each value with a date's shape (``shaped``, when already known) is a real calendar date in
    the years the tracker handles."""
    shaped = date_shaped(col, column) if shaped is None else shaped
    real = pd.to_datetime(padded_dates(col).where(shaped), format="%Y-%m-%d", errors="coerce")
    yield shaped & real.isna(), column, "{value} is not a real calendar date", "check the day and month"
    year = real.dt.year  # (NaT where not a real date)
    yield (year < YEARS[0]) | (year > YEARS[1]), column, f"{{value}} is outside the years {YEARS[0]}-{YEARS[1]} the tracker handles", "check the year"


def date_shaped(col: pd.Series, column: str) -> pd.Series:
    """Values shaped as ISO dates at any precision (``column``'s pattern)."""
    return col.str.fullmatch(schema.field(column).pattern).fillna(False).astype(bool)


def coordinate_checks(frame: pd.DataFrame):
    """``lat`` and ``lon`` come together."""
    lat, lon = frame["lat"] != "", frame["lon"] != ""
    yield lat != lon, "lon", "lat and lon must be given together", "give both coordinates or neither"


def source_checks(frame: pd.DataFrame, n_urls: pd.Series):
    """As many source names as URLs (``n_urls`` per row), when names are given."""
    names = frame["source_name"]
    n_names = names.str.count(r" \| ") + 1
    mismatch = (names != "") & (n_names != n_urls)
    yield mismatch, "source_name", "gives a different number of names than source_url has URLs", "give one name per URL, ' | '-separated, or leave source_name empty"
