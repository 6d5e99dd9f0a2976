"""``changed_since``: the events added or changed after a date or a revision, for the filter."""

from __future__ import annotations

import dataclasses
import os
import re

from ..query import EventFilter
from .gitfile import GitFile, commit_date
from .rowdiff import RowDiff, diff_versions

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def changed_since(path: str | os.PathLike, since: str) -> RowDiff:
    """What changed from the version of ``since`` (a date ``YYYY-MM-DD``: the last commit on or
    before that day; else a revision) to the working file."""
    gf = GitFile.open(path)
    base = _base_blob(gf, since)
    return diff_versions(gf.repo, base, gf.working_bytes(), check=False)


def _base_blob(gf: GitFile, since: str):
    if not _DAY.match(since):
        return gf.blob(since)
    base = None
    for commit in gf.first_parent_line():
        if commit_date(commit) > since:
            break
        base = gf.blob_id_at(commit) or base
    if base is not None:
        base = gf.repo[base]
    return base


def resolve_changed(f: EventFilter, path: str | os.PathLike) -> EventFilter:
    """``f`` with the ids its ``changed_since`` keeps worked out from the file's history."""
    if not f.changed_since:
        return f
    return dataclasses.replace(f, changed_ids=frozenset(changed_since(path, f.changed_since).touched()))
