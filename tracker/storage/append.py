"""``add_event``: one new event at its sorted place, with the lock, a re-read and fsync.

The story is the one every writer tells (``writer.change_events``): lock, read, check, write.
Two layers make the usual add cheap at any size, each falling back to the story:

1. **The cache's word** (``_add_from_cache``): when the cache has a claim on these bytes, the
   add is planned from its rows while the file's hashes are checked in background threads, and
   the file changes only once the claim holds; the cache then vouches for the new file too.
2. **An in-place append** (``_write``): a line that sorts last and lies inside one page of the
   file is appended with one write (``filewrite.append_in_place`` says why that is as safe);
   any other goes into a temp file that atomically replaces the original.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contract.csvtext import header_of
from ..errors import TrackerError
from . import cache as frame_cache
from . import cacheword
from .filebytes import FileBytes
from .filewrite import (
    FileRange,
    append_in_place,
    check_unchanged,
    fits_one_page,
    install,
    write_temp,
)
from .rows import TakenIds, check_row, clean_row, csv_line, insert_index, make_id, refuse_duplicate
from .splice import Change, head_line, newline_of
from .writer import PLANNING_ERRORS, WRITER_COLUMNS, change_events, claimed, locked, opened, planned_on


def add_event(path: str | os.PathLike, row: dict[str, str]) -> str:
    """Insert ``row`` at its sorted place (by date, then id); return its id.

    Refuses an invalid file, an invalid row or a duplicate (same id, or same date and title),
    writing nothing; else appends the line in place when it goes at the end inside one page, or
    writes a temp file beside the original, fsyncs it and atomically replaces the original.
    """
    path, row = Path(path), clean_row(row)
    with locked(path), opened(path) as source:
        added = _add_from_cache(path, source, row)
        if added is not None:
            return added
    return _add(path, row)


def _add(path: Path, row: dict[str, str]) -> str:
    """The story: the new row checked against the whole re-read file, then written."""

    def decide(existing: pd.DataFrame, _record) -> Change:
        return Change(insert=(_checked(path, row, existing),))

    return change_events(path, decide).insert[0]["id"]


def _checked(path: Path, row: dict[str, str], existing: pd.DataFrame) -> dict[str, str]:
    """``row`` with its id, once it passes the contract and is no duplicate of ``existing``."""
    row = dict(row, id=row["id"] or make_id(row, TakenIds(existing["id"])))
    check_row(row)
    refuse_duplicate(path, row, existing)
    return row


# ---------------------------------------------------------------- layer 1: the cache's word


@dataclass
class _Insert:
    """What an add writes: ``prefix + record`` at byte ``offset``, making ``row`` row number ``at``."""

    row: dict[str, str]
    head: bytes  # the header line
    record: bytes
    prefix: bytes
    offset: int
    at: int


def _add_from_cache(path: Path, source: FileBytes, row: dict[str, str]) -> str | None:
    """The add planned from the cache's claim on these bytes, written once the claim holds;
    None (nothing written) when the cache has no claim, or a claim that does not hold."""
    with claimed(path, source, WRITER_COLUMNS) as claim:
        if claim is None:
            return None
        insert = planned_on(claim, lambda: _plan(path, source, row, claim))
        if insert is None:
            return None
        return insert.row["id"] if _write(path, source, insert, claim) else None


def _plan(path: Path, source: FileBytes, row: dict[str, str], claim: frame_cache.Claim) -> _Insert:
    """Check ``row`` against the claimed rows and find its place and its bytes."""
    existing = claim.frame
    row = _checked(path, row, existing)
    head = head_line(source)
    newline = newline_of(head)
    record = csv_line(path, row, header_of(head), newline)
    at = insert_index(existing, row)
    offset = len(source) if at == len(existing) else claim.line_start(source, int(existing["_line"].iloc[at]))
    prefix = newline if offset == len(source) and source[len(source) - 1 : len(source)] not in (b"\n", b"") else b""
    return _Insert(row, head, record, prefix, offset, at)


def _write(path: Path, source: FileBytes, insert: _Insert, claim: frame_cache.Claim) -> bool:
    """Put the new line in the file (layer 2: in place when it can); False, with nothing
    written, when the claim does not hold."""
    line = insert.prefix + insert.record
    if insert.offset == len(source) and fits_one_page(insert.offset, len(line)):
        save = _cache_update(path, claim, source, insert)  # prepared while the hashes are checked
        if not claim.holds():
            return False
        if append_in_place(path, source.fd, insert.offset, line):
            if save is not None:
                save()
            return True
    return _rewrite(path, source, insert, claim)


def _rewrite(path: Path, source: FileBytes, insert: _Insert, claim: frame_cache.Claim) -> bool:
    """Write the new file beside the old one and put it in place, only once the claim holds."""
    pieces = [FileRange(source.fd, 0, insert.offset), insert.prefix + insert.record]
    pieces.append(FileRange(source.fd, insert.offset, len(source) - insert.offset))
    with ThreadPoolExecutor(1) as pool:  # the new file is written while the cache's word is prepared
        writing = pool.submit(write_temp, path, pieces)
        try:
            save = _cache_update(path, claim, source, insert)
            tmp = writing.result()
        except BaseException:
            _discard(writing)
            raise
    if not claim.holds():
        tmp.unlink(missing_ok=True)
        return False
    try:
        check_unchanged(path, source.fd, len(source))
    except TrackerError:
        tmp.unlink(missing_ok=True)
        raise
    install(tmp, path)
    if save is not None:
        save()
    return True


def _discard(writing: Future) -> None:
    """Wait for a temp file being written, then delete it."""
    try:
        writing.result().unlink(missing_ok=True)
    except (OSError, TrackerError):
        pass  # it failed, and deleted its temp file itself


def _cache_update(path: Path, claim: frame_cache.Claim, source, insert: _Insert) -> Callable[[], None] | None:
    """The call that makes the cache vouch for the new file (once it is in place), or None."""
    row = _cache_row(path, claim, insert)
    if row is None:
        return None
    put = insert.prefix + insert.record
    return claim.after_change(source, [(insert.offset, 0, put)], [], [(insert.at, row, put.count(b"\n"))])


def _cache_row(path: Path, claim: frame_cache.Claim, insert: _Insert) -> pd.DataFrame | None:
    """The new row as the cache would hold it for the new file (``cacheword.typed_rows``), at
    its physical line; None when that is not the row meant (then the next reader parses the file
    afresh)."""
    if not cacheword.ONLY_IDS_UNIQUE:
        return None
    try:
        if insert.at < len(claim.frame):  # it takes the place of the record that sorts after it
            line = int(claim.frame["_line"].iloc[insert.at])
        else:  # it starts after the last newline (and the one put before it, if any)
            line = claim.end_line() + insert.prefix.count(b"\n")
        rows = cacheword.typed_rows(path, insert.head, [(insert.at, insert.row, insert.record, line)])
    except (*cacheword.UNSURE, *PLANNING_ERRORS):  # cache data that do not hold: nothing to remember
        return None
    return None if rows is None else rows[0][1]


__all__ = ["add_event"]
