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
from functools import partial
from pathlib import Path
from typing import TypeVar

import pandas as pd
from filelock import FileLock, Timeout

from ..contract import schema, valid_raw
from ..contract.csvtext import header_of
from ..errors import TrackerError
from . import cache as frame_cache
from . import cacheword, filebytes
from .filebytes import FileBytes, read_events_bytes
from .filewrite import FileRange, append_in_place, check_unchanged, fits_one_page, install, write_temp
from .placement import record_text
from .splice import Change, few, head_line, spliced

# What deciding on cache data not yet checked may raise: believed only once the claim holds.
PLANNING_ERRORS = (TrackerError, LookupError, ValueError, TypeError)
T = TypeVar("T")
LOCK_TIMEOUT_S = float(os.environ.get("TRACKER_LOCK_TIMEOUT", 30))


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
        if planned is None:
            return None
        change, pieces = planned
        save = cacheword.after_change(path, source, claim, change, pieces) if pieces is not None else None
        if not claim.holds():
            return None
        if pieces is not None:
            write_pieces(path, source, pieces)
            if save is not None:
                save()  # the cache vouches for the new file: the next writer need not validate it
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
