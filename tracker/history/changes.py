"""``changed_since``: the events added or changed after a date or a revision, for the filter.

Two ways to the same answer: git's diff of the base version against the working file (reads the
base version whole), or, given the file's history already worked out (``file_history``), the
versions after the base composed by id, which reads no version at all.
"""

from __future__ import annotations

import dataclasses
import os
import re

import numpy as np
import pandas as pd

from ..errors import TrackerError
from ..query import EventFilter, is_in
from ..storage import load_events
from .gitfile import WORKING, GitFile, commit_date
from .log import History, Version
from .rowdiff import Row, RowDiff, diff_versions

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHOWN_COLUMNS = ["id", "date", "title"]  # a composed diff's new rows: what a list of changes shows


def changed_since(
    path: str | os.PathLike, since: str, history: History | None = None, frame: pd.DataFrame | None = None
) -> RowDiff:
    """What changed from the version of ``since`` (a date ``YYYY-MM-DD``: the last commit on or
    before that day; else a revision) to the working file. With ``history`` (the file's, worked
    out before), composed from its versions when it can be (then ``new_rows`` hold only
    ``SHOWN_COLUMNS``, read from ``frame``, the working file's events, when given); else from
    git's diff of the two versions."""
    gf = GitFile.open(path)
    if history is not None:
        composed = _composed(gf, history, since, frame)
        if composed is not None:
            return composed
    base = _base_version(gf, since)
    return diff_versions(base, gf.working_bytes(), check=False)


def _base_version(gf: GitFile, since: str) -> bytes | None:
    if not _DAY.match(since):
        return gf.blob(since)
    base = None
    for commit in gf.first_parent_line():
        if commit_date(commit) > since:
            break
        base = gf.blob_id_at(commit) or base
    return None if base is None else gf.read(base)


def resolve_changed(f: EventFilter, path: str | os.PathLike) -> EventFilter:
    """``f`` with the ids its ``changed_since`` keeps worked out from the file's history."""
    if not f.changed_since:
        return f
    return keeping_changes(f, changed_since(path, f.changed_since))


def keeping_changes(f: EventFilter, diff: RowDiff) -> EventFilter:
    """``f`` keeping the events ``diff`` added or changed, and what changed of each."""
    changes = {i: None for i in diff.added} | {i: dict(c) for i, c in diff.changed.items()}
    return dataclasses.replace(f, changed_ids=frozenset(changes), changes=changes)


# ---------------------------------------------------------------- composed from the history


def _composed(gf: GitFile, history: History, since: str, frame: pd.DataFrame | None = None) -> RowDiff | None:
    """The versions after ``since``'s composed into one diff; None where only git's diff of the
    two versions can say (a base off the first-parent line, an invalid version, an id that
    comes back)."""
    later = _later_versions(gf, history, since)
    diff = _compose(later) if later is not None else None
    if diff is None:
        return None
    try:
        frame = load_events(gf.path) if frame is None else frame
    except TrackerError:  # an invalid working file: git's diff reads what it can
        return None
    diff.new_rows = _shown_rows(frame, diff.added.keys() | diff.changed.keys())
    if diff.new_rows.keys() != diff.added.keys() | diff.changed.keys():
        return None  # (the history is of another version of the file than the one read)
    diff.added = {i: diff.new_rows[i] for i in diff.added}
    gone = {(r.get("date"), r.get("title")) for r in diff.removed.values()}
    if any((r["date"], r["title"]) in gone for r in diff.added.values()):
        return None  # an id change over several commits: the two versions' diff pairs them
    return diff


def _shown_rows(frame: pd.DataFrame, ids: set[str]) -> dict[str, Row]:
    """The ``SHOWN_COLUMNS`` of the rows of ``ids``, by id (picked by position, column by column)."""
    at = np.flatnonzero(is_in(frame["id"], ids))
    columns = [frame[name].iloc[at].astype(str).tolist() for name in SHOWN_COLUMNS]
    return {values[0]: dict(zip(SHOWN_COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)}


def _later_versions(gf: GitFile, history: History, since: str) -> list[Version] | None:
    """The versions after the base version of ``since``, oldest first (the working file last)."""
    line = gf.first_parent_line()
    at = {str(commit.id): i for i, commit in enumerate(line)}
    if _DAY.match(since):
        cut = next((i for i, commit in enumerate(line) if commit_date(commit) > since), len(line))
    else:
        commit = gf.commit(since)
        if str(commit.id) not in at or gf.blob_id_at(commit) is None:
            return None
        cut = at[str(commit.id)] + 1
    versions = history.versions
    if any(v.commit != WORKING and v.commit not in at for v in versions):
        return None
    before = [v for v in versions if v.commit != WORKING and at[v.commit] < cut]
    later = [v for v in versions if v.commit == WORKING or at[v.commit] >= cut]
    if (before and before[-1].invalid) or any(v.invalid for v in later):
        return None
    return later


def _compose(versions: list[Version]) -> RowDiff | None:
    """One diff doing what ``versions`` did in turn: an event added then changed is added, one
    changed twice has each field's first old and last new value, one added then removed is
    gone; ids followed through id changes. None when an id removed comes back."""
    added: set[str] = set()
    removed: dict[str, Row] = {}
    changed: dict[str, dict[str, tuple[str, str]]] = {}
    for version in versions:
        diff = version.diff
        for event_id, row in diff.removed.items():
            if event_id in added:
                added.discard(event_id)
                continue
            fields = changed.pop(event_id, {})
            removed[fields["id"][0] if "id" in fields else event_id] = row
        for event_id, fields in diff.changed.items():
            old_id = fields["id"][0] if "id" in fields else event_id
            if old_id in added:
                added.discard(old_id)
                added.add(event_id)
            else:
                changed[event_id] = _then(changed.pop(old_id, {}), fields)
        for event_id in diff.added:
            if event_id in removed:
                return None
            added.add(event_id)
    changed = {i: {f: v for f, v in c.items() if v[0] != v[1]} for i, c in changed.items()}
    return RowDiff(dict.fromkeys(added, {}), removed, {i: c for i, c in changed.items() if c})


def _then(first: dict[str, tuple[str, str]], second: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Field changes ``first`` then ``second``: each field's first old value and last new one."""
    out = dict(first)
    for name, (old, new) in second.items():
        out[name] = (out[name][0], new) if name in out else (old, new)
    return out
