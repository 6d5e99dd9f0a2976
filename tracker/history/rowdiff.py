"""What changed between two versions of the events file, by event id.

Only the lines one version has and the other lacks are parsed, so a commit costs what it
changed, not the size of the file. They are found as git's diff finds them before it aligns
the two sides (every line hashed, the common ones set aside); a diff by id needs no alignment.
A changed header, or a changed line that is not one whole record (part of a record over several
lines, or a line that does not parse to the header's width), makes the line-wise reading
unsafe: then both versions are parsed whole.

Which lines belong to records over several lines is known exactly: a line with an odd number of
quotes opens or closes a quoted line break, so a version without such lines has none; whether it
has any follows from the version next to it and the changed lines alone, and only a version
that has some is scanned for the lines its quoted line breaks cover.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import schema
from ..contract.csvtext import byte_positions
from ..contract.exact import problems_in
from ..contract.fast import rows_accepted, table_accepted
from ..errors import TrackerError
from ..storage.rows import clean_row

Row = dict[str, str]


class InvalidVersion(TrackerError):
    """A version whose changed rows break the contract."""


@dataclass
class RowDiff:
    """``added`` and ``removed`` rows by id; ``changed`` ids with each changed field as (old, new);
    an id change shows as a change of the field ``id`` under the new id."""

    added: dict[str, Row] = field(default_factory=dict)
    removed: dict[str, Row] = field(default_factory=dict)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    new_rows: dict[str, Row] = field(default_factory=dict, repr=False)  # whole new rows, for checks

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def status_changes(self) -> list[str]:
        return sorted(i for i, c in self.changed.items() if "status" in c)

    def edits(self) -> list[str]:
        return sorted(i for i, c in self.changed.items() if "status" not in c)

    def touched(self) -> set[str]:
        """Ids of the new version that are new or different."""
        return set(self.added) | set(self.changed)

    def summary(self) -> str:
        """E.g. "+3 events, 1 status change, 2 edits, 1 removed"."""
        if not self:
            return "no changes"
        parts = []
        if self.added:
            parts.append(_count(len(self.added), "event", "+"))
        if statuses := self.status_changes():
            parts.append(_count(len(statuses), "status change"))
        if edits := self.edits():
            parts.append(_count(len(edits), "edit"))
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return ", ".join(parts)

    def to_json(self, old: str, new: str) -> dict:
        return {
            "old": old,
            "new": new,
            "added": [{"id": i, **_without_id(self.added[i])} for i in sorted(self.added)],
            "removed": [{"id": i, **_without_id(self.removed[i])} for i in sorted(self.removed)],
            "changed": [
                {"id": i, "changes": {f: list(v) for f, v in self.changed[i].items()}} for i in sorted(self.changed)
            ],
        }


def _count(n: int, noun: str, sign: str = "") -> str:
    return f"{sign}{n} {noun}{'s' if n != 1 else ''}"


def _without_id(row: Row) -> Row:
    return {k: v for k, v in row.items() if k != "id"}


class Lines:
    """A version's bytes split into lines, and the set of them, made once for the two diffs a
    version takes part in (against the one before it and the one after)."""

    def __init__(self, data: bytes):
        lines = data.split(b"\n")
        self.data, self.header, self.set = data, lines[0], set(lines)
        self.odd: frozenset[bytes] | None = None  # its lines with an odd number of quotes, once known

    def odd_lines(self) -> frozenset[bytes]:
        """The lines with an odd number of quotes (one pass over the bytes, unless known)."""
        if self.odd is None:
            self.odd = self._lines_where(self._quotes % 2 == 1)
        return self.odd

    @functools.cached_property
    def in_records_over_lines(self) -> frozenset[bytes]:
        """The lines that are part of a record over several lines: inside a quoted line break or
        opening one."""
        if not self.odd_lines():
            return frozenset()
        inside = (np.cumsum(self._quotes) - self._quotes) % 2 == 1  # (an odd number of quotes before)
        return self._lines_where(inside | (self._quotes % 2 == 1))

    @functools.cached_property
    def _quotes(self) -> np.ndarray:
        return _quotes_per_line(self.data)

    def _lines_where(self, mask: np.ndarray) -> frozenset[bytes]:
        at = np.flatnonzero(mask)
        if not len(at):
            return frozenset()
        lines = self.data.split(b"\n")  # (rarely: only a version with records over several lines)
        return frozenset(lines[i] for i in at)


def _quotes_per_line(data: bytes) -> np.ndarray:
    """How many double quotes each line (split at LF) holds."""
    newlines, quotes = byte_positions(data, b"\n"), byte_positions(data, b'"')
    ends = np.append(np.searchsorted(quotes, newlines), len(quotes))
    return np.diff(ends, prepend=0)


def _odd(lines) -> frozenset[bytes]:
    return frozenset(line for line in lines if line.count(b'"') % 2)


def _know_odd_lines(old: Lines, new: Lines, gone: list[bytes], came: list[bytes]) -> None:
    """Each version's odd lines, from the other's and the changed lines where one is known."""
    if old.odd is None and new.odd is None:
        old.odd_lines()
    if new.odd is None:
        new.odd = (old.odd - frozenset(gone)) | _odd(came)
    elif old.odd is None:
        old.odd = (new.odd - frozenset(came)) | _odd(gone)


def diff_versions(old: bytes | Lines | None, new: bytes | Lines | None, *, check: bool = True) -> RowDiff:
    """What turned ``old`` into ``new`` (two versions' bytes; None for no file). With
    ``check``, raises InvalidVersion when a new or changed row breaks the contract."""
    if old is None or new is None:
        diff = _whole(_text(old), _text(new))
    else:
        diff = _from_lines(_lines(old), _lines(new))
    if check:
        _check(diff)
    return diff


def _lines(version: bytes | Lines) -> Lines:
    return version if isinstance(version, Lines) else Lines(version)


def _text(version: bytes | Lines | None) -> str:
    if version is None:
        return ""
    data = version.data if isinstance(version, Lines) else version
    return data.decode("utf-8-sig", errors="replace")


def _from_lines(old: Lines, new: Lines) -> RowDiff:
    """The rows on the lines only one version has, read with the header both share; both
    versions whole when the header changed or such a line is not one whole record."""
    if old.header != new.header:
        return _whole(_text(old), _text(new))
    header = _header(_text(old.header))
    gone, came = sorted(old.set - new.set), sorted(new.set - old.set)  # (by their bytes: ids lead)
    _know_odd_lines(old, new, gone, came)
    if _over_lines(old, gone) or _over_lines(new, came):
        return _whole(_text(old), _text(new))  # a changed line of a record over several lines
    old_rows, new_rows = _rows(header, _decoded(gone)), _rows(header, _decoded(came))
    if old_rows is None or new_rows is None:
        return _whole(_text(old), _text(new))
    return _compare(old_rows, new_rows)


def _over_lines(version: Lines, changed: list[bytes]) -> bool:
    """Whether one of ``changed`` (lines of ``version``) is part of a record over several lines."""
    return bool(version.odd) and not version.in_records_over_lines.isdisjoint(changed)


def _decoded(lines: list[bytes]) -> list[str]:
    return [line.decode("utf-8", errors="replace") for line in lines]


def _header(text: str) -> list[str]:
    return next(csv.reader([text.split("\n", 1)[0]]), [])


def _rows(header: list[str], lines: list[str]) -> dict[str, Row] | None:
    """The records on ``lines`` by id, or None when a line is not one whole record."""
    rows: dict[str, Row] = {}
    for record in csv.reader(lines):
        if not record:
            continue
        if len(record) != len(header):
            return None
        row = dict(zip(header, record, strict=True))
        rows.setdefault(row.get("id", ""), row)
    return rows


def _whole(old_text: str, new_text: str) -> RowDiff:
    def by_id(text: str) -> dict[str, Row]:
        return {r.get("id", ""): r for r in csv.DictReader(io.StringIO(text))} if text else {}

    old, new = by_id(old_text), by_id(new_text)
    old_ids, new_ids = set(old), set(new)
    both = old_ids & new_ids
    return _compare(
        {i: old[i] for i in old_ids - both} | {i: old[i] for i in both if old[i] != new[i]},
        {i: new[i] for i in new_ids - both} | {i: new[i] for i in both if old[i] != new[i]},
    )


def _compare(old: dict[str, Row], new: dict[str, Row]) -> RowDiff:
    diff = RowDiff(new_rows=new)
    for event_id in old.keys() & new.keys():
        if changes := _field_changes(old[event_id], new[event_id]):
            diff.changed[event_id] = changes
    removed = {i: old[i] for i in old.keys() - new.keys()}
    added = {i: new[i] for i in new.keys() - old.keys()}
    by_key = {(r.get("date"), r.get("title")): i for i, r in removed.items()}
    for new_id in sorted(added):
        old_id = by_key.pop((added[new_id].get("date"), added[new_id].get("title")), None)
        if old_id is not None and old_id in removed:  # the same event under a new id
            diff.changed[new_id] = _field_changes(removed.pop(old_id), added.pop(new_id))
    diff.added, diff.removed = added, removed
    return diff


def _field_changes(old: Row, new: Row) -> dict[str, tuple[str, str]]:
    columns = [c for c in schema.COLUMNS if c in old or c in new]
    columns += [c for c in {**old, **new} if c not in columns]
    return {c: (old.get(c, ""), new.get(c, "")) for c in columns if old.get(c, "") != new.get(c, "")}


def rows_surely_valid(batches: list[dict[str, Row]]) -> bool:
    """Whether every row of every batch (the new rows of several versions) surely meets the
    contract on its own: the fast form over all of them at once, in as few passes as an id
    recurs (an id is unique within each pass). False: check each version on its own."""
    passes: list[list[Row]] = []
    seen: dict[str, int] = {}
    for batch in batches:
        for event_id, row in batch.items():
            n = seen.get(event_id, 0)
            seen[event_id] = n + 1
            if n == len(passes):
                passes.append([])
            passes[n].append(row)
    return all(table_accepted(_table(rows)) for rows in passes)


def _table(rows: list[Row]) -> pa.Table:
    """Rows as an Arrow table of text in the contract's columns (no pandas: they are few)."""
    clean = [clean_row(r) for r in rows]
    return pa.table({c: pa.array([r[c] for r in clean], pa.string()) for c in schema.COLUMNS})


def _frame(rows) -> pd.DataFrame:
    """Rows as a frame of text in the contract's columns."""
    return pd.DataFrame([clean_row(r) for r in rows], columns=list(schema.COLUMNS), dtype=str)


def _check(diff: RowDiff) -> None:
    """Raise InvalidVersion when a new or changed row breaks the contract: every row at once
    (the contract's fast form first; the exact one words the first problem)."""
    if not diff.new_rows:
        return
    rows = _frame(diff.new_rows.values())
    if rows_accepted(rows):
        return
    rows["_line"] = np.arange(len(rows))
    problems, _ = problems_in(rows)
    if problems:
        first = problems[0]
        event_id = rows.at[first.line, "id"]
        raise InvalidVersion(f"event {event_id!r}: {first.column.lstrip('-')}: {first.message}", "")
