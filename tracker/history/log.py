"""Every version of the events file on the first-parent line, and every version of one event.

A commit's change is worked out once, from git's diff of its blob against the last valid one,
and cached under the commit's id: a rerun costs only the commits made since.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import pygit2

from ..storage.cache import cache_dir
from .gitfile import WORKING, GitFile, commit_date, summary
from .rowdiff import InvalidVersion, RowDiff, diff_versions, rows_surely_valid

CACHE_FORMAT = 4


@dataclass
class Version:
    """One version of the file: its commit (or the working file), what it changed (the ids
    added and removed, each changed field's old and new value), or why it was skipped
    (``invalid``)."""

    commit: str
    date: str
    message: str
    diff: RowDiff
    invalid: str = ""

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit != WORKING else WORKING


@dataclass
class History:
    versions: list[Version]
    note: str = ""  # why the history starts late, when it does


@dataclass
class EventVersion:
    commit: str
    date: str
    message: str
    change: str  # added, changed or removed
    changes: dict[str, tuple[str, str]]

    def to_json(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.date,
            "change": self.change,
            "changes": {k: list(v) for k, v in self.changes.items()},
        }


def file_history(path: str | os.PathLike, *, uncommitted: bool = True) -> History:
    """The file's versions, oldest first: each commit that changed it, then the working file
    when it differs from HEAD's version (``uncommitted``)."""
    gf = GitFile.open(path)
    cache = _load_cache(gf)
    known = dict(cache)
    steps = _steps(gf)
    # New commits are diffed first and their rows checked together (one pass of the contract's
    # fast form); only when that pass is unsure is each commit checked on its own, in order,
    # since a commit found invalid changes the base of the ones after it.
    versions, fresh, last_valid = _walk(gf, steps, cache, check=False)
    if fresh and not rows_surely_valid([v.diff.new_rows for v in fresh]):
        cache = dict(known)
        versions, fresh, last_valid = _walk(gf, steps, cache, check=True)
    if fresh:
        for version in fresh:
            _keep_ids_only(version.diff)
        _save_cache(gf, cache)
    if uncommitted and (work := _working_version(gf, last_valid)) is not None:
        versions.append(work)
    note = "shallow clone: the history starts at its oldest fetched commit" if gf.shallow else ""
    return History(versions, note)


def _keep_ids_only(diff: RowDiff) -> None:
    """Keep the ids added, not their rows: a first version adds every row of the file, and the
    cache is read whole on every start (``diff_versions`` gives the rows). Removed rows are
    few and kept: nothing later holds them (``changed_since`` lists them)."""
    diff.added = dict.fromkeys(diff.added, {})
    diff.new_rows = {}


def _steps(gf: GitFile) -> list[tuple]:
    """(commit, blob id) for each first-parent commit that changed the file, oldest first (the
    blobs themselves are read only for the commits not in the cache)."""
    steps, last_seen = [], None
    for commit in gf.first_parent_line():
        blob_id = gf.blob_id_at(commit)
        if blob_id is None or blob_id == last_seen:
            continue
        last_seen = blob_id
        steps.append((commit, blob_id))
    return steps


def _walk(gf: GitFile, steps: list[tuple], cache: dict, check: bool) -> tuple[list, list, tuple]:
    """(every version, those worked out now, (the last valid blob's id, its header)); each
    commit diffed against the last valid one before it."""
    versions, fresh, last_valid, header = [], [], None, ()
    read: dict = {}  # the blob last read: the next commit's base (libgit2 keeps no blobs)

    def blob(blob_id):
        if blob_id not in read:
            read.clear()
            read[blob_id] = gf.repo[blob_id]
        return read[blob_id]

    for commit, blob_id in steps:
        key = f"{commit.id}:{last_valid or ''}"
        if key not in cache:
            base = blob(last_valid) if last_valid else None
            cache[key] = _version(gf, commit, base, blob(blob_id), check, header)
            fresh.append(cache[key])
        versions.append(cache[key])
        if not cache[key].invalid:
            last_valid, header = blob_id, cache[key].diff.header
    return versions, fresh, (last_valid, header)


def _version(gf: GitFile, commit, base, blob, check: bool = True, header: tuple[str, ...] = ()) -> Version:
    date, message = commit_date(commit), summary(commit)
    try:
        diff = diff_versions(gf.repo, base, blob, check=check, header=header)
        return Version(str(commit.id), date, message, diff)
    except InvalidVersion as exc:
        return Version(str(commit.id), date, message, RowDiff(), invalid=f"skipped, breaks the contract: {exc}")


def _working_version(gf: GitFile, last_valid: tuple) -> Version | None:
    base_id, header = last_valid
    data = gf.working_bytes()
    if base_id is not None and pygit2.hash(data) == base_id:  # (hashing costs less than reading the blob)
        return None
    try:
        diff = diff_versions(gf.repo, gf.repo[base_id] if base_id else None, data, header=header)
    except InvalidVersion as exc:
        return Version(WORKING, "", "uncommitted changes", RowDiff(), invalid=f"skipped: {exc}")
    return Version(WORKING, "", "uncommitted changes", diff) if diff else None


def event_history(path: str | os.PathLike, event_id: str) -> list[EventVersion]:
    """Every version of one event, oldest first, following its id back through id changes."""
    versions = file_history(path).versions
    names, out = {event_id}, []
    for version in reversed(versions):
        diff = version.diff
        for name in list(names):
            if name in diff.added:
                out.append(_event_version(version, "added", {}))
            elif name in diff.removed:
                out.append(_event_version(version, "removed", {}))
            elif name in diff.changed:
                changes = diff.changed[name]
                out.append(_event_version(version, "changed", changes))
                if "id" in changes:
                    names.add(changes["id"][0])
    return out[::-1]


def _event_version(version: Version, change: str, changes: dict) -> EventVersion:
    return EventVersion(version.short, version.date, version.message, change, changes)


def has_cached_history(path: str | os.PathLike) -> bool:
    """Whether a history of ``path`` was worked out and cached before (then only the commits
    made since cost anything); raises HistoryUnavailable outside a git repository."""
    return _cache_file(GitFile.open(path)).exists()


def _cache_file(gf: GitFile) -> Path:
    key = hashlib.sha1(f"{gf.repo.path}\0{gf.rel}".encode()).hexdigest()[:16]
    return cache_dir() / f"history-{key}.pickle"


def _load_cache(gf: GitFile) -> dict[str, Version]:
    try:
        with open(_cache_file(gf), "rb") as handle:
            stored = pickle.load(handle)
        return stored["versions"] if stored.get("format") == CACHE_FORMAT else {}
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError):
        return {}


def _save_cache(gf: GitFile, cache: dict[str, Version]) -> None:
    target = _cache_file(gf)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            pickle.dump({"format": CACHE_FORMAT, "versions": cache}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its time
