"""Every rule of the events contract, each written once, in one registry (``RULES``).

A rule has two forms side by side:

- ``exact(frame[, field])`` looks at a frame of strings and yields findings ``(mask, column,
  message, hint)``: the exact path (``exact.py``) turns each flagged row into a problem naming
  its line and column;
- ``fast(columns[, field])`` looks at the whole Arrow table of a large file (``columns.py``) and
  answers only "surely no breach" (True) or "maybe" (False); the fast path (``fast.py``) accepts
  a file when every rule says True, else the exact path words the problems.

A *field rule* applies to every column whose schema field has the constraint (``applies``); a
*row rule* reads several columns of each row (``reads``). ``breaks`` turns a valid row into one
that breaks the rule (the tests build a broken file from it for both paths). To add a rule,
add one entry here with both forms; tests/test_rules.py holds every entry to its example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import arrowtext, schema
from .columns import ArrowColumns
from .dates import padded_dates

Finding = tuple[pd.Series | np.ndarray, str, str, str]  # (mask, column, message, hint)
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
YEARS = (1678, 2261)  # the span pandas' datetime64[ns] holds, whole years
NOT_A_DAY = np.iinfo(np.int32).min  # (a null first day, in date_order_fast)


@dataclass(frozen=True)
class Rule:
    """One rule, in its exact and its fast form, with an example of a row that breaks it."""

    name: str
    exact: Callable[..., Iterator[Finding]]
    fast: Callable[..., bool]
    breaks: Callable[[dict, dict], dict]  # (a valid row, another row of the file) -> broken row
    applies: Callable[[schema.Field], bool] | None = None  # a field rule: the columns it checks
    reads: tuple[str, ...] = ()  # a row rule: the columns it reads

    @property
    def per_field(self) -> bool:
        return self.applies is not None


# ---------------------------------------------------------------- field rules


def required_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    yield frame[f.name] == "", f.name, "is required but empty", f.description


def required_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    return not len(cols[f.name]) or cols.min_bytes(f.name) > 0


def max_length_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    too_long = frame[f.name].str.len() > f.max_length
    yield (
        too_long,
        f.name,
        f"is {{length}} characters long, over the limit of {f.max_length}",
        "shorten it",
    )


def max_length_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    if cols.max_bytes(f.name) <= f.max_length:  # (no value has more characters than bytes)
        return True
    return _passes(max_length_exact(cols.per_value(f.name), f))


def enum_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    col = frame[f.name]
    yield (
        (col != "") & ~col.isin(f.enum),
        f.name,
        "{value} is not allowed",
        "use one of: " + ", ".join(f.enum),
    )


def number_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    col = frame[f.name]
    present = col != ""
    yield present & _numbers(col).isna(), f.name, "{value} is not a number", f.description


def range_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    number = _numbers(frame[f.name])
    low = number < f.minimum if f.minimum is not None else False
    high = number > f.maximum if f.maximum is not None else False
    yield low | high, f.name, "{value} is out of range", f.description


def _numbers(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.where(col != ""), errors="coerce")


def enum_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    """Every distinct value empty or one of the field's."""
    values = cols.encoded(f.name)[0] if f.name in ENCODED else pc.unique(cols[f.name])
    return bool(pc.all(pc.is_in(values, value_set=pa.array(["", *f.enum]))).as_py() is not False)


def number_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    """Plain numbers read in Arrow; any other spelling by the exact form, on distinct values."""
    return arrowtext.plain_numbers(cols[f.name]) is not None or on_values(number_exact)(cols, f)


def range_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    numbers = arrowtext.plain_numbers(cols[f.name])
    if numbers is None:
        return on_values(range_exact)(cols, f)
    low, high = pc.min_max(numbers).as_py().values()
    return low is None or ((f.minimum is None or low >= f.minimum) and (f.maximum is None or high <= f.maximum))


def pattern_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    """Values (not too long: ``max_length`` already says so) that do not match the pattern; a
    URL column words a dangerous scheme on its own."""
    col = frame[f.name]
    checked = col != ""
    if f.max_length:
        checked &= col.str.len() <= f.max_length
    bad = checked & ~col.str.fullmatch(arrowtext.arrow_pattern(f.pattern)).fillna(False).astype(bool)
    if _is_url(f) and bad.any():  # (lowercasing every URL is slow: only when needed)
        unsafe = col.str.lower().str.contains("|".join(UNSAFE_SCHEMES), regex=True)
        yield (
            bad & unsafe,
            f.name,
            "{value} uses a scheme that is never linked",
            "only http:// and https:// URLs are accepted",
        )
        bad = bad & ~unsafe
    yield bad, f.name, "{value} is not valid", f.description


def pattern_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    """The byte scan already proves a pattern that only forbids control characters; a column
    that repeats itself is checked on its distinct values; any other matched in Arrow's RE2."""
    if arrowtext.proved_by_byte_scan(f.pattern):
        return True
    column = cols[f.name]
    if not cols.every_value(f.name):
        column = pa.chunked_array([pc.unique(column)])
    if arrowtext.is_non_blank(f.pattern):  # a value starting with a printable ASCII character is not blank
        column = column.filter(pa.array(~arrowtext.starts_graphic(column)))
    return arrowtext.all_match(column, f.pattern)


def _is_url(f: schema.Field) -> bool:
    return bool(f.pattern and "https?://" in f.pattern)


def unique_exact(frame: pd.DataFrame, f: schema.Field) -> Iterator[Finding]:
    col = frame[f.name]
    yield (
        (col != "") & col.duplicated(keep="first"),
        f.name,
        "{value} is used twice (first on line {other})",
        "give each event its own id",
    )


def unique_fast(cols: ArrowColumns, f: schema.Field) -> bool:
    return arrowtext.all_distinct(cols[f.name])


def on_values(
    exact: Callable[..., Iterator[Finding]],
) -> Callable[[ArrowColumns, schema.Field], bool]:
    """The fast form of a rule that looks at one value at a time: its exact form run on the
    column's distinct values (or on every value, when it hardly repeats)."""

    def fast(cols: ArrowColumns, f: schema.Field) -> bool:
        return _passes(exact(cols.per_value(f.name, encode=f.name in ENCODED), f))

    return fast


# ---------------------------------------------------------------- row rules

DATE_COLUMNS = ("date", "end_date")


def calendar_exact(frame: pd.DataFrame) -> Iterator[Finding]:
    """Each value shaped as an ISO date is a real calendar date, in the years the tracker handles."""
    for column in DATE_COLUMNS:
        yield from _calendar(frame[column], column)


def _calendar(col: pd.Series, column: str) -> Iterator[Finding]:
    shaped = date_shaped(col, column)
    real = pd.to_datetime(padded_dates(col).where(shaped), format="%Y-%m-%d", errors="coerce")
    yield (
        shaped & real.isna(),
        column,
        "{value} is not a real calendar date",
        "check the day and month",
    )
    year = real.dt.year  # (NaT where not a real date)
    outside = f"{{value}} is outside the years {YEARS[0]}-{YEARS[1]} the tracker handles"
    yield (year < YEARS[0]) | (year > YEARS[1]), column, outside, "check the year"


def calendar_fast(cols: ArrowColumns) -> bool:
    for column in DATE_COLUMNS:
        days = arrowtext.calendar_days(cols.encoded(column)[0], schema.field(column).pattern)
        if days is None:
            return False
        years = pc.min_max(pc.year(days)).as_py()
        if years["min"] is not None and not (YEARS[0] <= years["min"] and years["max"] <= YEARS[1]):
            return False
    return True


def date_shaped(col: pd.Series, column: str) -> pd.Series:
    """Values shaped as ISO dates at any precision (``column``'s pattern)."""
    return col.str.fullmatch(schema.field(column).pattern).fillna(False).astype(bool)


def date_order_exact(frame: pd.DataFrame) -> Iterator[Finding]:
    both = date_shaped(frame["date"], "date") & date_shaped(frame["end_date"], "end_date")
    early = both & (padded_dates(frame["end_date"]) < padded_dates(frame["date"]))
    yield early, "end_date", "{value} is before the date", "an end_date must not come before date"


def date_order_fast(cols: ArrowColumns) -> bool:
    """Every row's end is not before its start, compared as days through the columns' codes."""
    days = []
    for column in DATE_COLUMNS:
        values, codes = cols.encoded(column)
        first = arrowtext.calendar_days(values, schema.field(column).pattern)
        if first is None:
            return False  # (the calendar rule finds it)
        days.append(pc.fill_null(first.cast(pa.int32()), NOT_A_DAY).to_numpy()[codes])
    starts, stops = days
    return not ((stops < starts) & (stops != NOT_A_DAY) & (starts != NOT_A_DAY)).any()


def coordinates_exact(frame: pd.DataFrame) -> Iterator[Finding]:
    lat, lon = frame["lat"] != "", frame["lon"] != ""
    yield (
        lat != lon,
        "lon",
        "lat and lon must be given together",
        "give both coordinates or neither",
    )


def coordinates_fast(cols: ArrowColumns) -> bool:
    lat, lon = (arrowtext.is_empty(cols[name]) for name in ("lat", "lon"))
    return bool((lat == lon).all())


def names_per_url_exact(frame: pd.DataFrame) -> Iterator[Finding]:
    names = frame["source_name"]
    n_urls = frame["source_url"].str.count(r" \| ") + 1
    mismatch = (names != "") & (names.str.count(r" \| ") + 1 != n_urls)
    yield (
        mismatch,
        "source_name",
        "gives a different number of names than source_url has URLs",
        "give one name per URL, ' | '-separated, or leave source_name empty",
    )


def names_per_url_fast(cols: ArrowColumns) -> bool:
    """URLs are counted by their ``|`` bytes: with the URL pattern (a rule too) every ``|`` is a
    separator; names through their codes, each distinct value counted once."""
    names, codes = cols.encoded("source_name")
    n_names = (pc.count_substring(names, " | ").to_numpy() + 1) * pc.not_equal(names, "").to_numpy(zero_copy_only=False)
    n_names = n_names[codes]
    n_urls = arrowtext.bytes_per_row(cols["source_url"], ord("|")) + 1
    return bool(((n_names == 0) | (n_urls == n_names)).all())


def archives_per_url_exact(frame: pd.DataFrame) -> Iterator[Finding]:
    archives = frame["archive_urls"]
    n_urls = frame["source_url"].str.count(r" \| ") + 1
    mismatch = (archives != "") & (archives.str.count(r" \| ") + 1 != n_urls)
    hint = "give one archived copy per source URL, ' | '-separated in the same order, '-' for none"
    yield mismatch, "archive_urls", "gives a different number of archived copies than source_url has URLs", hint


def archives_per_url_fast(cols: ArrowColumns) -> bool:
    """Both counted by their ``|`` bytes: with their patterns (rules too) every ``|`` separates."""
    n_archives = arrowtext.bytes_per_row(cols["archive_urls"], ord("|")) + 1
    n_urls = arrowtext.bytes_per_row(cols["source_url"], ord("|")) + 1
    return bool(((n_archives == n_urls) | arrowtext.is_empty(cols["archive_urls"])).all())


# ---------------------------------------------------------------- the registry


def _passes(found: Iterator[Finding]) -> bool:
    return not any(np.asarray(mask, dtype=bool).any() for mask, *_ in found)


def _set(**values: str) -> Callable[[dict, dict], dict]:
    return lambda row, other: {**row, **values}


RULES: tuple[Rule, ...] = (
    Rule("required", required_exact, required_fast, _set(title=""), applies=lambda f: f.required),
    Rule(
        "unique", unique_exact, unique_fast, lambda row, other: {**row, "id": other["id"]}, applies=lambda f: f.unique
    ),
    Rule("max_length", max_length_exact, max_length_fast, _set(title="x" * 301), applies=lambda f: bool(f.max_length)),
    Rule(
        "pattern",
        pattern_exact,
        pattern_fast,
        _set(source_url="ftp://example.org/x"),
        applies=lambda f: bool(f.pattern),
    ),
    Rule("enum", enum_exact, enum_fast, _set(category="weather"), applies=lambda f: bool(f.enum)),
    Rule("number", number_exact, number_fast, _set(lat="north", lon="10"), applies=lambda f: f.type == "number"),
    Rule(
        "range",
        range_exact,
        range_fast,
        _set(lat="91.5", lon="10"),
        applies=lambda f: f.minimum is not None or f.maximum is not None,
    ),
    Rule("calendar_dates", calendar_exact, calendar_fast, _set(date="2023-02-30", end_date=""), reads=DATE_COLUMNS),
    Rule(
        "end_not_before_date",
        date_order_exact,
        date_order_fast,
        _set(date="2024-01-02", end_date="2023-12"),
        reads=DATE_COLUMNS,
    ),
    Rule("coordinates_together", coordinates_exact, coordinates_fast, _set(lat="10", lon=""), reads=("lat", "lon")),
    Rule(
        "one_name_per_url",
        names_per_url_exact,
        names_per_url_fast,
        _set(source_name="A | B", source_url="https://example.org/a"),
        reads=("source_name", "source_url"),
    ),
    Rule(
        "one_archive_per_url",
        archives_per_url_exact,
        archives_per_url_fast,
        _set(archive_urls="https://web.archive.org/a | -", source_url="https://example.org/a"),
        reads=("archive_urls", "source_url"),
    ),
)
# Columns whose codes a row rule's fast form uses: their per-value rules reuse the encoding.
ENCODED = ("date", "end_date", "source_name")
ROW_RULE_COLUMNS = frozenset(c for rule in RULES for c in rule.reads)


def field_rules(f: schema.Field) -> list[Rule]:
    """The field rules that apply to column ``f``."""
    return [rule for rule in RULES if rule.per_field and rule.applies(f)]


def row_rules() -> list[Rule]:
    return [rule for rule in RULES if not rule.per_field]


def exact_findings(frame: pd.DataFrame) -> list[Finding]:
    """Every finding of every rule's exact form on a frame of strings."""
    found: list[Finding] = []
    for f in schema.fields():
        for rule in field_rules(f):
            found.extend(rule.exact(frame, f))
    for rule in row_rules():
        found.extend(rule.exact(frame))
    return found
