"""Every version of the events file on the first-parent line, and every version of one event.

A commit's change is worked out once, from git's diff of its blob against the last valid one,
and cached under the commit's id: a rerun costs only the commits made since.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..storage.cache import cache_dir
from ..storage.filewrite import atomic_write
from . import twoway
from .gitfile import WORKING, Blobs, GitFile, commit_date, summary
from .rowdiff import InvalidVersion, Lines, RowDiff, diff_versions, rows_surely_valid
from .texts import Texts

CACHE_FORMAT = 6
NOTICE_FROM = 64  # new versions from which a caller's notice is told how many there are
Notice = Callable[[int], None]


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


def file_history(path: str | os.PathLike, *, uncommitted: bool = True, notice: Notice | None = None) -> History:
    """The file's versions, oldest first: each commit that changed it, then the working file
    when it differs from HEAD's version (``uncommitted``). ``notice`` is told how many versions
    there are to work out when they are many (a first history: seconds, not milliseconds)."""
    gf = GitFile.open(path)
    stored = _load_cache(gf)
    cache = dict(stored.versions)
    steps = _steps(gf, stored)
    texts = Texts(gf, _cache_file(gf).with_suffix(".version"))
    # New commits are diffed first and their rows checked together (one pass of the contract's
    # fast form); only when that pass is unsure is each commit checked on its own, in order,
    # since a commit found invalid changes the base of the ones after it.
    versions, fresh, last_valid = _walk(gf, steps, cache, texts, check=False, notice=notice)
    if fresh and not rows_surely_valid([v.diff.new_rows for v in fresh]):
        cache = dict(stored.versions)
        versions, fresh, last_valid = _walk(gf, steps, cache, texts, check=True)
    if fresh or steps != stored.steps:
        for version in fresh:
            _keep_ids_only(version.diff)
        _save_cache(gf, _Stored(cache, steps))
    if fresh and last_valid:
        texts.keep(last_valid)
    if uncommitted and (work := _working_version(texts, last_valid)) is not None:
        versions.append(work)
    note = "shallow clone: the history starts at its oldest fetched commit" if gf.shallow else ""
    return History(versions, note)


def _keep_ids_only(diff: RowDiff) -> None:
    """Keep the ids added, not their rows: a first version adds every row of the file, and the
    cache is read whole on every start (``diff_versions`` gives the rows). Removed rows are
    few and kept: nothing later holds them (``changed_since`` lists them)."""
    diff.added = dict.fromkeys(diff.added, {})
    diff.new_rows = {}


def _steps(gf: GitFile, stored: _Stored) -> list[tuple[str, str]]:
    """(commit id, blob id) for each first-parent commit that changed the file, oldest first:
    the cached steps and those of the commits made since (the whole line when the cached head
    is no longer on it). Blobs are not read here, only tree entries."""
    new = []
    if stored.steps and not gf.shallow:  # (a shallow clone's line may later reach further back)
        for commit in gf.walk_back():
            if str(commit.id) == stored.steps[-1][0]:
                break
            new.append(commit)
        else:
            return _steps(gf, _Stored({}, []))
    else:
        new = list(gf.walk_back())
    steps, last_seen = list(stored.steps), stored.steps[-1][1] if stored.steps else None
    for commit in reversed(new):
        blob_id = gf.blob_id_at(commit)
        if blob_id is None or str(blob_id) == last_seen:
            continue
        last_seen = str(blob_id)
        steps.append((str(commit.id), last_seen))
    return steps


def _walk(
    gf: GitFile, steps: list[tuple], cache: dict, texts: Texts, check: bool, notice: Notice | None = None
) -> tuple[list, list, str]:
    """(every version, those worked out now, the last valid version's blob id); each commit
    diffed against the last valid one before it.

    Unchecked, every new version is taken as valid, so each one's base is known before any is
    read, and they are worked out newest first: packs store older versions as deltas of newer
    ones, so each read then resolves one delta from the version read just before it (many of
    them in two processes, each half newest first: ``twoway``). Checked,
    a version found invalid changes the base of the next: they are worked out in order."""
    new_keys: set[str] = set()
    if not check:
        planned = _bases(steps, cache)
        if notice is not None and len(planned) >= NOTICE_FROM:
            notice(len(planned))
        cache.update(twoway.in_two(partial(_newest_first, gf, texts), list(planned.items()), partial(_sizes, gf)))
        new_keys.update(planned)
    with Blobs(gf, len(steps) - len(cache)) as blobs:
        reader = _Reader(gf, texts, blobs)
        versions, fresh, last_valid = [], [], ""
        for commit_id, blob_id in steps:
            key = f"{commit_id}:{last_valid}"
            if key not in cache:
                cache[key] = reader.work_out(commit_id, last_valid, blob_id, check)
                new_keys.add(key)
            if key in new_keys:
                fresh.append(cache[key])
            versions.append(cache[key])
            if not cache[key].invalid:
                last_valid = blob_id
    return versions, fresh, last_valid


def _newest_first(gf: GitFile, texts: Texts, planned: list[tuple[str, tuple[str, str, str]]]) -> dict:
    """The versions of ``planned`` ((key, (commit id, base blob id, blob id)), oldest first),
    worked out unchecked, newest first, by key."""
    with Blobs(gf, len(planned)) as blobs:
        reader = _Reader(gf, texts, blobs)
        return {key: reader.work_out(*ids, check=False) for key, ids in reversed(planned)}


def _sizes(gf: GitFile, planned: list[tuple[str, tuple[str, str, str]]]) -> list[int]:
    """Each planned version's size in bytes (what working it out costs), from its header alone."""
    sizes = []
    for _, (_, _, blob_id) in planned:
        try:
            sizes.append(gf.repo.odb.read_header(blob_id)[1])
        except (KeyError, ValueError):  # (not in the object database: read some other way)
            sizes.append(1)
    return sizes


class _Reader:
    """Versions as ``Lines``, the two last used kept: one of them is a side of the next diff."""

    def __init__(self, gf: GitFile, texts: Texts, blobs: Blobs):
        self.gf, self.texts, self.blobs, self.read = gf, texts, blobs, {}

    def version(self, blob_id: str) -> Lines:
        read = self.read
        if blob_id in read:
            read[blob_id] = read.pop(blob_id)  # (now the last used)
        else:
            if len(read) == 2:
                del read[next(iter(read))]
            near = self.texts.near(blob_id)
            read[blob_id] = Lines(self.blobs[blob_id] if near is None else near)
        return read[blob_id]

    def work_out(self, commit_id: str, base_id: str, blob_id: str, check: bool) -> Version:
        new = self.version(blob_id)
        return _version(self.gf.repo[commit_id], self.version(base_id) if base_id else None, new, check)


def _bases(steps: list[tuple], cache: dict) -> dict[str, tuple[str, str, str]]:
    """The versions ``cache`` lacks, by key: (commit id, base blob id, blob id), each new one
    taken as valid (the base of the next)."""
    todo, last_valid = {}, ""
    for commit_id, blob_id in steps:
        key = f"{commit_id}:{last_valid}"
        if key not in cache:
            todo[key] = (commit_id, last_valid, blob_id)
        if key not in cache or not cache[key].invalid:
            last_valid = blob_id
    return todo


def _version(commit, base: Lines | None, new: Lines, check: bool = True) -> Version:
    date, message = commit_date(commit), summary(commit)
    try:
        return Version(str(commit.id), date, message, diff_versions(base, new, check=check))
    except InvalidVersion as exc:
        return Version(str(commit.id), date, message, RowDiff(), invalid=f"skipped, breaks the contract: {exc}")


def _working_version(texts: Texts, base_id: str) -> Version | None:
    if base_id and texts.is_working(base_id):
        return None
    try:
        diff = diff_versions(texts.read(base_id) if base_id else None, texts.working)
    except InvalidVersion as exc:
        return Version(WORKING, "", "uncommitted changes", RowDiff(), invalid=f"skipped: {exc}")
    return Version(WORKING, "", "uncommitted changes", diff) if diff else None


def event_history(path: str | os.PathLike, event_id: str, notice: Notice | None = None) -> list[EventVersion]:
    """Every version of one event, oldest first, following its id back through id changes
    (``notice``: as for ``file_history``)."""
    versions = file_history(path, notice=notice).versions
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


@dataclass
class _Stored:
    """What the cache keeps: each commit's version, keyed by ``commit:base blob``, and the steps
    of the first-parent line it walked (``_steps``)."""

    versions: dict[str, Version]
    steps: list[tuple[str, str]]


def _load_cache(gf: GitFile) -> _Stored:
    try:
        with open(_cache_file(gf), "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("format") == CACHE_FORMAT:
            return _Stored({key: _unpacked(v) for key, v in stored["versions"].items()}, stored["steps"])
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError):
        pass
    return _Stored({}, [])


def _save_cache(gf: GitFile, stored: _Stored) -> None:
    target = _cache_file(gf)
    versions = {key: _packed(v) for key, v in stored.versions.items()}
    kept = {"format": CACHE_FORMAT, "versions": versions, "steps": stored.steps}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    except OSError:
        pass  # a cache that cannot be written only costs the next run its time


def _packed(v: Version) -> tuple:
    """A cached version as plain tuples and dicts (half the pickling time of the dataclasses)."""
    d = v.diff
    return (v.commit, v.date, v.message, v.invalid, tuple(d.added), d.removed, d.changed)


def _unpacked(packed: tuple) -> Version:
    commit, date, message, invalid, added, removed, changed = packed
    return Version(commit, date, message, RowDiff(dict.fromkeys(added, {}), removed, changed), invalid)
