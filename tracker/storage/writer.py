"""Writing the events file. Every writer tells the same story (``change_events``): take the
lock, re-read and validate the file, decide the change against what is there, and write the new
version atomically (a temp file beside it, fsync, rename); a refusal at any step writes nothing.

A change takes rows out, puts new rows in at their sorted places (by date, then id) and rewrites
rows where they stand; every other record keeps its bytes, so the diff is the changed lines. ``add_event`` (``append.py``)
tells the same story with two layers over it: the cache's word instead of a full re-read, and an
in-place append for a row that goes at the end.
"""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from ..contract import schema, valid_raw
from ..contract.csvtext import header_of
from ..contract.dates import padded_date
from ..errors import TrackerError
from . import cache as frame_cache
from . import filebytes
from .filebytes import FileBytes, read_events_bytes
from .filewrite import (
    FileRange,
    append_in_place,
    check_unchanged,
    fits_one_page,
    install,
    write_temp,
)
from .placement import LineStart, insert_order, record_offsets, record_starts, record_text
from .rows import csv_block, csv_line, insert_index, rows_frame

# What deciding on cache data not yet checked may raise: believed only once the claim holds.
PLANNING_ERRORS = (TrackerError, LookupError, ValueError, TypeError)
T = TypeVar("T")
LOCK_TIMEOUT_S = float(os.environ.get("TRACKER_LOCK_TIMEOUT", 30))
MANY_PIECES = 1000  # above this many places to change, a new file is put together in memory


@dataclass(frozen=True)
class Change:
    """What a writer does: take out the rows at ``remove`` (positions in the file's rows) and put
    the ``insert`` rows (complete, checked: dicts, or a frame of the contract's columns for many)
    in at their sorted places, and write each ``replace`` row in place of the row at its position
    (one whose date and id, its sort key, are unchanged)."""

    remove: tuple[int, ...] = ()
    insert: tuple[dict[str, str], ...] | pd.DataFrame = ()
    replace: dict[int, dict[str, str]] = field(default_factory=dict)  # rewritten where they stand
    notes: dict = field(default_factory=dict)  # what the writer wants to report back

    @property
    def writes(self) -> bool:
        """Whether the change takes out, puts in or rewrites any row."""
        return bool(len(self.remove) or len(self.insert) or self.replace)


# The columns of the cache's rows every writer decides on (add, import, edit, remove): the checks,
# the sort place and the values that must stay unique; ``record`` reads the rest from the bytes.
WRITER_COLUMNS = list(
    dict.fromkeys(["id", "date", "title", "start_day", "_line", *(f.name for f in schema.fields() if f.unique)])
)
# A writer's decision: ``decide(rows, record)`` -> the change (it raises to refuse); ``record(i)``
# is row ``i`` whole, every column as the file's text, whatever columns ``rows`` holds.
Decide = Callable[[pd.DataFrame, Callable[[int], dict[str, str]]], Change]


def change_events(path: str | os.PathLike, decide: Decide, columns: list[str] | None = None) -> Change:
    """Lock ``path``, re-read and validate it, ask ``decide(rows, record)`` for the change (it
    raises to refuse), and write the new file atomically. Returns the change made.

    With ``columns`` (all that ``decide`` reads of the rows; ``record`` reads any row's text
    from the file's bytes), the cache's claim on these bytes stands in for the validation when
    it has one: the change is written only once the claim holds, else ``decide`` is asked again
    of the re-read rows."""
    path = Path(path)
    with locked(path), opened(path) as source:
        if columns is not None:
            change = _change_from_cache(path, source, decide, columns)
            if change is not None:
                return change
        data = whole(path, source)
        existing = valid_raw(path, data)
        change = decide(existing, lambda position: row_text(existing, position))
        if change.writes:
            write_pieces(path, source, spliced(path, source, data, existing, change))
    return change


def _change_from_cache(path: Path, source: FileBytes, decide: Decide, columns: list[str]) -> Change | None:
    """The change decided on the cache's rows and written once its claim holds; None, with
    nothing written, when the cache has no claim on these bytes or one that does not hold. A
    few changed rows are found through the cache's index of the file's lines: the file is not
    read whole."""
    with claimed(path, source, columns) as claim:
        if claim is None:
            return None

        def plan() -> tuple[Change, list | None]:
            change = decide(claim.frame, lambda position: claimed_record(claim, source, position))
            if not change.writes:
                return change, None
            data = source if few(change) else whole(path, source)
            return change, spliced(path, source, data, claim.frame, change, partial(claim.line_start, source))

        planned = planned_on(claim, plan)
        if planned is None or not claim.holds():
            return None
        change, pieces = planned
        if pieces is not None:
            write_pieces(path, source, pieces)
        return change


@contextmanager
def claimed(path: Path, source: FileBytes, columns: list[str]) -> Iterator[frame_cache.Claim | None]:
    """The cache's claim on the open file's bytes (None when it has none), with only ``columns``
    of its rows; its hashing threads read the file, so they finish before it is closed."""
    claim = frame_cache.claim(path, source, columns) if len(source) <= filebytes.MAX_FILE_BYTES else None
    try:
        yield claim
    finally:
        if claim is not None:
            claim.holds()


def planned_on(claim: frame_cache.Claim, plan: Callable[[], T]) -> T | None:
    """``plan()``, made on the claim's rows before its hashes are checked: its refusal (a
    TrackerError) stands only once the claim holds; None when the claim does not (the rows were
    not the file's), or when planning failed otherwise: the full re-read then decides."""
    try:
        return plan()
    except PLANNING_ERRORS as exc:
        if isinstance(exc, TrackerError) and claim.holds():
            raise
        return None


def row_text(rows: pd.DataFrame, position: int) -> dict[str, str]:
    """Row ``position`` of a validated text frame by column (extra columns of the file too)."""
    return {c: str(v) for c, v in rows.iloc[position].items() if c != "_line"}


def claimed_record(claim: frame_cache.Claim, data, position: int) -> dict[str, str]:
    """Row ``position`` of the claim's rows, read whole from the file's bytes (the cache holds
    typed values: a number's text may differ from the file's)."""
    lines = claim.frame["_line"]
    start = claim.line_start(data, int(lines.iat[position]))
    end = claim.line_start(data, int(lines.iat[position + 1])) if position + 1 < len(lines) else len(data)
    return record_text(data, start, end, header_of(head_line(data)))


def write_pieces(path: Path, source: FileBytes, pieces: list) -> None:
    """Write the new file: appended in place when it is the open file plus a few bytes inside
    its last page (``filewrite.append_in_place``), else by an atomic replace."""
    if pieces and isinstance(pieces[0], FileRange) and (pieces[0].offset, pieces[0].length) == (0, len(source)):
        tail = pieces[1:]
        if all(isinstance(p, bytes) for p in tail) and fits_one_page(len(source), sum(map(len, tail))):
            if append_in_place(path, source.fd, len(source), b"".join(tail)):
                return
    replace_file(path, source, pieces)


def lock_for(path: Path) -> FileLock:
    """The lock every writer of ``path`` takes (a ``.lock`` file beside it)."""
    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock (and clear temp files killed writers left); a clear error when
    another writer holds it for longer than ``TRACKER_LOCK_TIMEOUT`` seconds."""
    lock = lock_for(path)
    try:
        lock.acquire()
    except Timeout:
        raise TrackerError(
            f"{path}: another writer has held {path}.lock for over {LOCK_TIMEOUT_S:g} s",
            "a live process is writing it; try again when it is done (a crashed writer's lock "
            "is freed by the OS; raise TRACKER_LOCK_TIMEOUT to wait longer)",
        ) from None
    try:
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            stale.unlink(missing_ok=True)  # (safe: we hold the lock)
        yield
    finally:
        lock.release()


@contextmanager
def opened(path: Path) -> Iterator[FileBytes]:
    """The events file, open: its bytes are read where needed, never copied whole up front."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        read_events_bytes(path)  # raises the loader's message: a missing file, a folder, no permission
        raise
    try:
        yield FileBytes(handle.fileno())
    finally:
        # After a replace this drops the old version's last link, and freeing its blocks takes a
        # while on a large file: a background thread waits for that, not the caller.
        threading.Thread(target=handle.close, daemon=True).start()


def whole(path: Path, source: FileBytes) -> bytes:
    """All the bytes of the open file (what a full validation reads)."""
    if len(source) > filebytes.MAX_FILE_BYTES:
        read_events_bytes(path)  # raises the loader's "over the limit" error
        raise TrackerError(f"{path}: changed while it was being read", "run the command again")
    return source[0 : len(source)]


def head_line(data) -> bytes:
    """The first line of ``data`` with its newline (all of it when it has none)."""
    head = b""
    while len(head) < len(data):
        head += bytes(data[len(head) : len(head) + 65536])
        end = head.find(b"\n")
        if end >= 0:
            return head[: end + 1]
    return head


def newline_of(head: bytes) -> bytes:
    return b"\r\n" if head.endswith(b"\r\n") else b"\n"


def replace_file(path: Path, source: FileBytes, content: list) -> None:
    """Write ``content`` to a temp file beside ``path``, fsync it, and put it in ``path``'s place,
    unless ``path`` is no longer the file open as ``source`` (another program wrote it)."""
    tmp = write_temp(path, content)
    try:
        check_unchanged(path, source.fd, len(source))
    except TrackerError:
        tmp.unlink(missing_ok=True)
        raise
    install(tmp, path)


FEW_CHANGES = 16  # up to this many rows changed, each is placed on its own (no keys for the whole file)


def few(change: Change) -> bool:
    """Whether ``change`` places each changed row on its own (not by sorting the whole file)."""
    return len(change.insert) + len(change.remove) + len(change.replace) <= FEW_CHANGES


def spliced(
    path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change, line_start: LineStart = None
) -> list:
    """The new file as pieces: the kept records' bytes (copied by the kernel, one range per run of
    records that stay together) with the new rows' lines at their sorted places and the replaced
    rows' where they stand. Its work grows with the number of changed rows, not with the size of
    the file (a few changed rows are found through ``line_start``, the cache's index of the
    file's lines, when given)."""
    if few(change):
        return _spliced_few(path, source, data, existing, change, line_start)
    if change.replace:  # (a replaced row keeps its sort key: taken out and put in, it lands in place)
        rows = [*rows_frame(change.insert).to_dict(orient="records"), *change.replace.values()]
        change = Change(remove=(*change.remove, *change.replace), insert=tuple(rows))
    return _spliced_many(path, source, data, existing, change)


def _spliced_few(
    path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change, line_start: LineStart
) -> list:
    """A few changed rows: each new row placed by ``insert_index``, the old bytes between the
    changed places copied as single ranges."""
    head = head_line(data)
    header, newline = header_of(head), newline_of(head)
    removed = {int(r) for r in change.remove}
    kept = np.ones(len(existing), dtype=bool)
    kept[list(removed)] = False
    places: dict[int, list[dict[str, str]]] = {}
    for row in sorted(
        rows_frame(change.insert).to_dict(orient="records"), key=lambda r: (padded_date(r["date"]), r["id"])
    ):
        places.setdefault(insert_index(existing, row, kept), []).append(row)
    changed = removed | set(places) | set(change.replace)
    wanted = {0, *changed, *(at + 1 for at in removed | set(change.replace))}
    starts = record_offsets(data, existing["_line"].to_numpy(), wanted, line_start)  # (len(data): the end)
    pieces = _Pieces(source.fd)
    pieces.copy(0, len(head) if not len(existing) else starts[0])
    copied = 0  # the next record not yet copied
    for at in sorted(changed):
        pieces.copy(starts[copied], starts[at])
        for row in [*places.get(at, []), *([change.replace[at]] if at in change.replace else [])]:
            pieces.write(_newline_if_open(data, pieces.end, newline) + csv_line(path, row, header, newline))
        if at < len(existing):
            pieces.write(_newline_if_open(data, pieces.end, newline))
        copied = at + 1 if at in removed or at in change.replace else at
    pieces.copy(starts[copied], len(data))
    return pieces.items


def _spliced_many(path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change) -> list:
    """Many changed rows (an import): all placed by one search of sort keys, their lines made
    column by column; past ``MANY_PIECES`` places, the new file is put together in memory."""
    head = head_line(data)
    header, newline = header_of(head), newline_of(head)
    starts = record_starts(data, existing["_line"].to_numpy())
    ends = np.append(starts[1:], len(data))
    kept = np.setdiff1d(np.arange(len(existing)), np.asarray(change.remove, dtype=np.int64))
    new = rows_frame(change.insert)
    order, positions = insert_order(existing.iloc[kept], new)
    block, line_at = csv_block(path, new, header, newline, order)
    runs = np.flatnonzero(np.diff(kept) != 1) + 1  # where the kept records stop being adjacent
    breaks = np.union1d(np.union1d(positions, runs), [len(kept)]).astype(np.int64)
    if len(breaks) > MANY_PIECES:
        return _merged(data, head, starts, kept, positions, (block, line_at), newline)
    pieces = _Pieces(source.fd)
    pieces.copy(0, len(head) if not len(existing) else int(starts[0]))
    firsts = np.searchsorted(positions, breaks, side="left").tolist()
    lasts = np.searchsorted(positions, breaks, side="right").tolist()
    line_at = line_at.tolist()
    done = 0
    for at, first, last in zip(breaks.tolist(), firsts, lasts, strict=True):
        if at > done:  # the kept records done..at-1 are adjacent in the old file: one range
            pieces.write(_newline_if_open(data, pieces.end, newline))
            pieces.copy(int(starts[kept[done]]), int(ends[kept[at - 1]]))
            done = at
        if last > first:
            pieces.write(_newline_if_open(data, pieces.end, newline) + bytes(block[line_at[first] : line_at[last]]))
    return pieces.items


def _merged(
    data: bytes, head: bytes, starts: np.ndarray, kept: np.ndarray, positions: np.ndarray, lines, newline: bytes
) -> list[memoryview]:
    """The new file as slices of the old bytes and the new lines, for many changes (a kernel copy
    per piece would cost more; ``write_all`` hands them to the kernel in batches): every kept
    record and every new line (``lines``: their bytes back to back, and where each
    starts) at its place in the new order, runs that stay together joined as one slice."""
    block, line_at = lines
    body = data if not len(starts) or data.endswith(b"\n") else data + newline
    ends = np.append(starts[1:], len(body))
    first, last = np.empty((2, len(kept) + len(positions)), dtype=np.int64)
    kept_slots = np.arange(len(kept)) + np.searchsorted(positions, np.arange(len(kept)), side="right")
    new_slots = positions + np.arange(len(positions))
    first[kept_slots], last[kept_slots] = starts[kept], ends[kept]
    base = len(body) + 1  # new lines' coordinates: after the old bytes, with a gap no run spans
    first[new_slots], last[new_slots] = base + line_at[:-1], base + line_at[1:]
    runs = np.flatnonzero(np.r_[True, first[1:] != last[:-1]])  # a slice goes on where the last one stopped
    run_first, run_last = first[runs], np.append(last[runs[1:] - 1], last[-1]) if len(runs) else last[:0]
    old, new = memoryview(body), memoryview(block)
    parts = [
        old[a:b] if a < base else new[a - base : b - base]
        for a, b in zip(run_first.tolist(), run_last.tolist(), strict=True)
    ]
    prefix = head if not len(starts) else data[: int(starts[0])]
    return [prefix, *parts]


class _Pieces:
    """The new file as a list of pieces: runs of the old file's bytes (as one ``FileRange``
    each, however many records they hold) and new bytes."""

    def __init__(self, fd: int):
        self.fd, self.items, self.end = fd, [], 0  # end: where the last copied range stopped (0: wrote)

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        last = self.items[-1] if self.items else None
        if isinstance(last, FileRange) and last.offset + last.length == start:
            last.length += end - start
        else:
            self.items.append(FileRange(self.fd, start, end - start))
        self.end = end

    def write(self, data: bytes) -> None:
        if data:
            self.items.append(data)
            self.end = 0


def _newline_if_open(data: bytes, end: int, newline: bytes) -> bytes:
    """A newline to put after old bytes that end at ``end`` without one (the file's last line)."""
    return newline if end > 0 and data[end - 1 : end] != b"\n" else b""
