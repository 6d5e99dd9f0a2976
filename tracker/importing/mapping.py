"""From an input file's columns to the contract's: what every format shares (the defaults, the
``--map`` overrides, free-form dates, list separators) and the plain CSV format.

A format turns a ``Table`` into a ``Mapped``: the contract's columns as text for every row, how
a problem names each column (the input's own column, or the option that gave the value), and
what it found wrong on the way (a date it cannot read, a Year that is no number).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import DateParseError, parse_date, schema
from ..contract.arrowtext import arrow_pattern
from .readers import Table

Update = Callable[[int], None]
Stage = Callable[[str, int], Update]  # (what is being done, how many steps) -> told of steps done
DEFAULT_OPTIONS = {
    "category": "--category",
    "status": "--status",
    "source_url": "--source-url",
    "source_name": "--source-name",
}
ISO_SHAPED = schema.field("date").pattern
LIST_COLUMNS = ("actors", "un_resolutions")
TERM_COLUMNS = ("category", "status")  # taken as people type them (schema.term_codes)


def silent(stage: str, total: int) -> Update:
    return lambda n: None


class MappingError(Exception):
    """The options cannot map the file (a column to map is missing, a required column has no
    source): a misuse of the command rather than bad rows."""


@dataclass(frozen=True)
class Finding:
    """Something wrong with some rows, found while mapping: ``mask`` the rows, ``column`` the
    contract's column it concerns (the rules say nothing more of it on those rows), ``label``
    the input column named in the problem, ``message`` one text or one per row."""

    mask: np.ndarray
    column: str
    label: str
    message: str | pd.Series
    hint: str = ""
    unless_default: bool = False  # the option default for ``column``, when given, fills these rows


@dataclass
class Mapped:
    """Every row of the input in the contract's columns (``rows``, with ``_line``), how problems
    name each column, the findings so far, rows that are no events and input columns not read."""

    rows: pd.DataFrame
    labels: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    defaulted: dict[str, np.ndarray] = field(default_factory=dict)
    format: str = "the file"  # how a message names the input: "a TimelineJS sheet", "an ACLED export"

    def label(self, column: str, i: int) -> str:
        """How a problem of row ``i`` names ``column``: the option when it gave the value."""
        if column in self.defaulted and self.defaulted[column][i]:
            return DEFAULT_OPTIONS[column]
        return self.labels.get(column, column)


@dataclass(frozen=True)
class Options:
    """What the command line says of the mapping: ``--map`` pairs and the defaults."""

    maps: tuple[tuple[str, str], ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)

    def theirs(self) -> dict[str, str]:
        return dict(self.maps)


def labelled(theirs: str, ours: str) -> str:
    """``Year/Month/Day (date)``: the input's column, and ours when the names differ."""
    return theirs if theirs == ours else f"{theirs} ({ours})"


def empty_rows(table: Table) -> pd.DataFrame:
    n = len(table.frame)  # (one Arrow array of empty strings, shared: no column of its own each)
    empty = pa.StringArray.from_buffers(n, pa.py_buffer(np.zeros(n + 1, dtype=np.int32)), pa.py_buffer(b""))
    rows = pd.DataFrame({c: pd.Series(empty, index=table.frame.index, dtype=str) for c in schema.COLUMNS})
    rows["_line"] = table.lines
    return rows


def find_column(table: Table, name: str) -> str | None:
    """The input column called ``name`` (case, spaces and hyphens aside), if any."""
    wanted = _loose(name)
    return next((c for c in table.frame.columns if _loose(c) == wanted), None)


def _loose(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


# ---------------------------------------------------------------- plain CSV (and --map)


def map_csv(table: Table, options: Options, stage: Stage = silent) -> Mapped:
    """Columns named as the contract's (``Source URL`` for ``source_url`` too) and ``--map``
    pairs; dates free-form, as ``tracker add`` reads them."""
    mapped = Mapped(empty_rows(table), {})
    sources = {c: find_column(table, c) for c in schema.COLUMNS}
    sources.update(options.theirs())
    for ours, theirs in sources.items():
        if theirs is not None:
            mapped.rows[ours] = table.frame[theirs]
            mapped.labels[ours] = labelled(theirs, ours)
    read = {t for t in sources.values() if t}
    mapped.ignored = [c for c in table.frame.columns if c not in read]
    for column in ("date", "end_date"):
        if sources.get(column):
            free_form_dates(mapped, column, stage)
    return mapped


def apply_overrides(mapped: Mapped, table: Table, options: Options, stage: Stage = silent) -> None:
    """``--map`` pairs win over a format's own mapping."""
    for ours, theirs in options.maps:
        mapped.rows[ours] = table.frame[theirs]
        mapped.labels[ours] = labelled(theirs, ours)
        mapped.findings = [f for f in mapped.findings if f.column != ours]
        if theirs in mapped.ignored:
            mapped.ignored.remove(theirs)
        if ours in ("date", "end_date"):
            free_form_dates(mapped, ours, stage)


def free_form_dates(mapped: Mapped, column: str, stage: Stage = silent) -> None:
    """The ``column`` dates as ISO at their precision: ISO text as it is (the rules check it),
    any other text read by ``parse_date`` once per distinct value; a finding for each it cannot
    read (the cell is then left empty)."""
    values = mapped.rows[column]
    other = ~(values.str.fullmatch(ISO_SHAPED).fillna(False).astype(bool) | (values == ""))
    if not other.any():
        return
    codes, distinct = pd.factorize(values[other])
    update = stage(f"reading {column.replace('_', ' ')}s", len(distinct))
    iso, errors, hints = [], [], []
    for i, text in enumerate(distinct):
        try:
            iso.append(parse_date(text))
            errors.append("")
            hints.append("")
        except DateParseError as exc:
            iso.append("")
            errors.append(exc.message)
            hints.append(exc.hint)
        if i % 500 == 499:
            update(500)
    update(len(distinct) % 500)
    read = pd.Series(np.asarray(iso, dtype=object)[codes], index=values[other].index, dtype=str)
    mapped.rows.loc[other, column] = read
    failed = np.zeros(len(values), dtype=bool)
    failed[np.flatnonzero(other.to_numpy())] = np.asarray(errors, dtype=object)[codes] != ""
    if failed.any():
        per_row = pd.Series("", index=values.index, dtype=str)
        per_row[other] = np.asarray(errors, dtype=object)[codes]
        hint = next(h for h in hints if h)
        label = mapped.labels.get(column, column)
        mapped.findings.append(Finding(failed, column, label, per_row, hint))


def finish(mapped: Mapped, options: Options) -> Mapped:
    """Defaults where a value is missing, lists with ``;``, and a MappingError when a required
    column has neither a source nor a default."""
    rows = mapped.rows
    given = {c for c, v in options.defaults.items() if v}
    mapped.findings = [f for f in mapped.findings if not (f.unless_default and f.column in given)]
    for column in DEFAULT_OPTIONS:  # (source_url before source_name: a name goes with its URL)
        value = options.defaults.get(column, "")
        if value:
            missing = (rows[column] == "").to_numpy()
            if column == "source_name":  # the default name is the default URL's
                missing = missing & mapped.defaulted.get("source_url", np.zeros(len(rows), dtype=bool))
            rows.loc[missing, column] = value
            mapped.defaulted[column] = missing
    for column in LIST_COLUMNS:
        rows[column] = listed(rows[column])
    for column in TERM_COLUMNS:
        rows[column] = coded(rows[column], schema.term_codes(column))
    unsourced = [
        c
        for c in schema.REQUIRED
        if c != "id" and c not in mapped.labels and not options.defaults.get(c) and not _found(mapped, c)
    ]
    if unsourced:
        raise MappingError(_unsourced_message(mapped, unsourced))
    return mapped


# A list value that these leave alone is already in the contract's form ("a;b").
_SEPARATOR = arrow_pattern(r"\s*[;,]\s*")  # (RE2 with Python's \s spelled out)
_LOOSE = arrow_pattern(r"[,\s]|^;|;$")


def listed(values: pd.Series) -> pd.Series:
    """List values as ``tracker add`` splits them: "a, b ;c;" is "a;b;c"; only the values that
    hold a comma, a space or an end ";" are rewritten (matching costs less than replacing)."""
    loose = values.str.contains(_LOOSE, regex=True).to_numpy(dtype=bool)
    if not loose.any():
        return values
    values = values.copy()
    values[loose] = values[loose].str.replace(_SEPARATOR, ";", regex=True).str.strip(";")
    return values


def coded(values: pd.Series, codes: dict[str, str]) -> pd.Series:
    """Values as people type them ("Confirmed", "UN / legal") as their codes, each distinct value
    looked up once; any other value is kept (the checks refuse it, naming the codes)."""
    uniques = values.unique()
    found = {v: codes.get(schema.plain_term(v), v) for v in uniques if isinstance(v, str)}
    if all(code == v for v, code in found.items()):
        return values
    return values.map(found).astype(values.dtype)


def _found(mapped: Mapped, column: str) -> bool:
    return any(f.column == column for f in mapped.findings)


def _unsourced_message(mapped: Mapped, columns: list[str]) -> str:
    how = [DEFAULT_OPTIONS.get(c) or f"--map {c}=COLUMN" for c in columns]
    return f"{mapped.format} gives no {', '.join(columns)}: give {', '.join(how)}"
