"""``import_file``: read, map and check an input file, then add its good rows to the events file
in one atomic sorted rewrite (``storage.writer.change_events``), or say what it would do."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..contract import Problem, schema
from ..errors import TrackerError
from ..storage import WRITER_COLUMNS, Change, change_events
from .acled import is_acled, map_acled
from .checks import Duplicate, check_rows
from .ids import avoiding, duplicates_in
from .mapping import Mapped, MappingError, Options, Stage, apply_overrides, finish, map_csv, silent
from .readers import Table, read_source
from .timelinejs import is_timelinejs, map_timelinejs

FORMATS = ("csv", "timelinejs", "acled")
# How the report names what it read ("csv" is a table of any file type in our columns, or mapped).
FORMAT_NAMES = {"csv": "the events file's columns", "timelinejs": "TimelineJS sheet", "acled": "ACLED export"}
MAPPED_NAME = "columns mapped with --map"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): the rows added (``added``: id, date,
    title and ``_line`` in the input), duplicates, refused rows' problems, rows that are no events."""

    source: str
    events: str
    format: str
    reader: str
    added: pd.DataFrame
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    refused_rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    written: bool = False


class ImportRefused(TrackerError):
    """Rows of the input break the contract: nothing was written (``report`` says which)."""

    def __init__(self, report: ImportReport):
        rows = f"{report.refused_rows} row{'s' if report.refused_rows != 1 else ''}"
        super().__init__(
            f"{rows} of {report.source} refused; nothing was written",
            "fix them, or add the other rows with --skip-invalid; --dry-run lists every row",
        )
        self.report = report


def import_file(
    events: str | os.PathLike,
    source: str | os.PathLike,
    fmt: str | None = None,
    options: Options | None = None,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    stage: Stage = silent,
) -> ImportReport:
    """Add the rows of ``source`` (CSV, XLSX or ODS, a file or an http(s) address; ``fmt`` csv,
    timelinejs or acled, else told from its header) to ``events``. Every row is checked as ``tracker add`` checks one; a row the
    file already holds (same id, or same date and title) is a duplicate and left out. Raises
    ImportRefused, writing nothing, when a row is refused, unless ``skip_invalid``; with
    ``dry_run`` writes nothing and reports what it would do."""
    options = options or Options()
    table = read_source(source, stage)
    fmt = fmt or detect(table)
    mapped = map_table(table, fmt, options, stage)
    checked = check_rows(mapped, str(source))
    report = ImportReport(
        str(source),
        str(events),
        MAPPED_NAME if fmt == "csv" and options.maps else FORMAT_NAMES[fmt],
        table.reader,
        checked.good.iloc[0:0],
        list(checked.duplicates),
        checked.problems,
        checked.total_problems,
        checked.refused_rows,
        mapped.skipped,
        mapped.ignored,
    )
    if checked.refused_rows and not (skip_invalid or dry_run):
        raise ImportRefused(report)
    update = stage(f"adding to {Path(events).name}", 1)

    def decide(existing: pd.DataFrame, _record) -> Change:
        duplicates = duplicates_in(existing, checked.good, checked.given, checked.keys)
        new = ~checked.good.index.isin(duplicates.index)
        rows = checked.good[new].copy()
        rows["id"] = avoiding(rows, ~checked.given[new], existing["id"])
        report.added = rows[["id", "date", "title", "_line"]]
        found = [_duplicate(checked.good, i, hit, str(events)) for i, hit in duplicates.iterrows()]
        report.duplicates = sorted([*checked.duplicates, *found], key=lambda d: d.line)
        if dry_run or not len(rows):
            return Change()
        return Change(insert=rows[list(schema.COLUMNS)])

    report.written = bool(len(change_events(events, decide, WRITER_COLUMNS).insert))
    update(1)
    return report


def _duplicate(good: pd.DataFrame, i, hit: pd.Series, events: str) -> Duplicate:
    return Duplicate(int(good.at[i, "_line"]), hit["what"], events, int(hit["line"]), hit["other"])


def detect(table: Table) -> str:
    """The format a header says: TimelineJS's template, ACLED's export, else CSV."""
    if is_timelinejs(table):
        return "timelinejs"
    return "acled" if is_acled(table) else "csv"


def map_table(table: Table, fmt: str, options: Options, stage: Stage = silent) -> Mapped:
    """``table`` in the contract's columns as ``fmt`` maps it, with ``--map`` pairs and defaults."""
    _check_maps(table, options)
    if fmt == "csv":
        mapped = map_csv(table, options, stage)
    else:
        mapped = map_timelinejs(table) if fmt == "timelinejs" else map_acled(table, stage)
        apply_overrides(mapped, table, options, stage)
    return finish(mapped, options)


def _check_maps(table: Table, options: Options) -> None:
    for ours, theirs in options.maps:
        if ours not in schema.COLUMNS:
            raise MappingError(
                f"--map {ours}={theirs}: {ours} is not a column of the events file ({', '.join(schema.COLUMNS)})"
            )
        if theirs not in table.frame.columns:
            have = ", ".join(table.frame.columns)
            raise MappingError(f"--map {ours}={theirs}: {table.path} has no column {theirs!r} (it has: {have})")


__all__ = ["FORMATS", "ImportRefused", "ImportReport", "import_file"]
