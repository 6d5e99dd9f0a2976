"""What changed between two versions of the events file, by event id, from git's diff.

Only the lines git's diff reports are parsed, so a commit costs what it changed, not the size of
the file. A record split over several lines (a quoted line break) or a changed header makes the
line-wise reading unsafe: then both versions are parsed whole.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pygit2

from ..contract import InvalidRowError, schema
from ..errors import TrackerError
from ..storage.rows import check_row, clean_row

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


def diff_versions(
    repo: pygit2.Repository, old: pygit2.Blob | None, new: pygit2.Blob | bytes | None, *, check: bool = True
) -> RowDiff:
    """What turned ``old`` into ``new`` (a blob, the working file's bytes, or None for no file).
    With ``check``, raises InvalidVersion when a new or changed row breaks the contract."""
    if old is None or new is None:
        diff = _whole(_text(old), _text(new))
    else:
        patch = old.diff_to_buffer(new) if isinstance(new, bytes) else repo.diff(old, new)
        diff = _from_patch(patch, _text(old), _text(new))
    if check:
        _check(diff)
    return diff


def _text(version: pygit2.Blob | bytes | None) -> str:
    if version is None:
        return ""
    data = version if isinstance(version, bytes) else version.data
    return data.decode("utf-8-sig", errors="replace")


def _from_patch(patch: pygit2.Patch, old_text: str, new_text: str) -> RowDiff:
    gone, came = [], []
    for hunk in patch.hunks:
        for line in hunk.lines:
            if 1 in (line.old_lineno, line.new_lineno) and line.origin in "+-":
                return _whole(old_text, new_text)  # the header changed
            if line.origin == "-":
                gone.append(line.content)
            elif line.origin == "+":
                came.append(line.content)
    old_rows = _rows(_header(old_text), gone)
    new_rows = _rows(_header(new_text), came)
    if old_rows is None or new_rows is None:
        return _whole(old_text, new_text)
    return _compare(old_rows, new_rows)


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


def _check(diff: RowDiff) -> None:
    for row in diff.new_rows.values():
        try:
            check_row(clean_row(row))
        except InvalidRowError as exc:
            first = exc.problems[0]
            raise InvalidVersion(
                f"event {row.get('id', '')!r}: {first.column.lstrip('-')}: {first.message}", ""
            ) from None
