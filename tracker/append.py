"""Append events to events.csv safely: a lock, a re-read that the cache can vouch for, the new
line at its sorted place, fsync.

A line that sorts last (most new events do) and lies inside one page of the file is appended in
place (``filewrite.append_in_place`` says why that is safe); any other is spliced into a temp
file, fsynced, that atomically replaces the original.

With a warm cache the file is never read whole: the cache's claim (the rows it holds for these
bytes) plans the insert while the file's hashes are checked in background threads, the kernel
copies the unchanged bytes into the temp file, and the file changes only once the claim holds
(else everything is redone from a full validation). The cache then vouches for the new file too.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from . import cache as frame_cache
from . import schema, validate
from .checks import padded_dates
from .errors import TrackerError
from .filebytes import FileBytes
from .filewrite import (
    FileRange,
    append_in_place,
    check_unchanged,
    fits_one_page,
    install,
    write_temp,
)
from .store import typed
from .validate import InvalidRowError, Problem, problems_in, read_bytes, valid_raw

LOCK_TIMEOUT_S = float(os.environ.get("TRACKER_LOCK_TIMEOUT", 30))


def lock_for(path: Path) -> FileLock:
    """The lock every writer of ``path`` takes (a ``.lock`` file beside it)."""
    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)


def slugify(text: str) -> str:
    """Lowercase ascii words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)


def make_id(row: dict[str, str], taken: set[str]) -> str:
    """A new id: the date, then the first words of the title, made unique."""
    base = slugify(row.get("date", "") + " " + " ".join(row.get("title", "").split()[:6]))[:80].strip("-")
    base = base or "event"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_event(path: str | os.PathLike, row: dict[str, str]) -> str:
    """Insert ``row`` at its sorted place (by date, then id); return its id.

    Takes the lock, re-reads and validates the file, refuses an invalid or duplicate row, then
    appends the line in place when it goes at the end within one page, else writes a temporary
    file in the same folder, fsyncs it and atomically replaces the original. On any error
    nothing is written.
    """
    path = Path(path)
    try:
        with lock_for(path):
            _remove_stale_temps(path)
            return _add_locked(path, row)
    except Timeout:
        raise TrackerError(
            f"{path}: another writer has held {path}.lock for over {LOCK_TIMEOUT_S:g} s",
            "a live process is writing it; try again when it is done (a crashed writer's lock "
            "is freed by the OS; raise TRACKER_LOCK_TIMEOUT to wait longer)",
        ) from None


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files that killed writers left beside ``path`` (safe: we hold its lock)."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


# The columns of the cached frame an add reads: the checks, the sort place and unique values.
CACHED_COLUMNS = list(dict.fromkeys(["id", "date", "title", "start_day", "_line",
                                     *(f.name for f in schema.fields() if f.unique)]))  # fmt: skip


@dataclass
class _Insert:
    """What an add writes: ``prefix + record`` at byte ``offset``, making ``row`` row number ``at``."""

    row: dict[str, str]
    head: bytes  # the header line
    record: bytes
    prefix: bytes
    offset: int
    at: int


def _add_locked(path: Path, row: dict[str, str]) -> str:
    with _opened(path) as source:
        claim = frame_cache.claim(path, source, CACHED_COLUMNS) if len(source) <= validate.MAX_FILE_BYTES else None
        try:
            return _add_from(path, source, row, claim)
        finally:
            if claim is not None:
                claim.holds()  # its hashing threads read the file: let them finish before it closes


def _add_from(path: Path, source: FileBytes, row: dict[str, str], claim: frame_cache.Claim | None) -> str:
    """Plan the insert from the cache's claim while its hashes are checked (else from a full
    validation), and write it only once the claim holds."""
    if claim is not None:
        try:
            insert = _plan(path, source, row, claim.frame, claim)
        except Exception:  # worked out from cache data not yet checked: believe it only if it holds
            if claim.holds():
                raise
            return _add_from(path, source, row, None)
    else:
        data = _whole(path, source)
        insert = _plan(path, data, row, valid_raw(path, data), None)
    if not _write(path, source, insert, claim):  # the cache was wrong about these bytes
        return _add_from(path, source, row, None)
    return insert.row["id"]


def _write(path: Path, source: FileBytes, insert: _Insert, claim: frame_cache.Claim | None) -> bool:
    """Put the new line in the file: appended in place when it goes at the end inside one page,
    else by a rewrite. False, with nothing written, when the claim does not hold."""
    line = insert.prefix + insert.record
    if insert.offset == len(source) and fits_one_page(insert.offset, len(line)):
        # the cache's word for the new file is prepared while the hashes are checked
        save = _cache_update(path, claim, source, insert) if claim is not None else None
        if claim is not None and not claim.holds():
            return False
        if append_in_place(path, source.fd, insert.offset, line):
            if save is not None:
                save()
            return True
    return _rewrite(path, source, insert, claim)


def _rewrite(path: Path, source: FileBytes, insert: _Insert, claim: frame_cache.Claim | None) -> bool:
    """Write the new file beside the old one and replace it, only once the claim holds."""
    # the new file is written and fsynced in a thread while the cache's word for it is prepared
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write_temp, path, _spliced(source, insert.offset, insert.prefix + insert.record))
        try:
            save = _cache_update(path, claim, source, insert) if claim is not None else None
            tmp = writing.result()
        except BaseException:
            _discard(writing)
            raise
    if claim is not None and not claim.holds():
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
    except BaseException:
        pass  # it failed, and deleted its temp file itself


def _plan(path: Path, data, row: dict[str, str], existing: pd.DataFrame, claim: frame_cache.Claim | None) -> _Insert:
    """Check ``row`` against the file's rows and find its place; raises on an invalid or duplicate row."""
    row = {c: str(row.get(c) or "").strip() for c in schema.COLUMNS}
    row["id"] = row["id"] or make_id(row, _TakenIds(existing["id"]))
    _check_new_row(path, row, existing)
    head = _head(data)
    header = next(csv.reader([head.rstrip(b"\n").decode("utf-8-sig").rstrip("\r")]))
    newline = b"\r\n" if head.endswith(b"\r\n") else b"\n"
    record = _csv_line([row.get(c, "") for c in header], newline)
    at = _insert_index(existing, row)
    offset = _record_start(data, existing, at, claim)
    prefix = newline if offset == len(data) and data[-1:] != b"\n" else b""
    return _Insert(row, head, record, prefix, offset, at)


@contextmanager
def _opened(path: Path) -> Iterator[FileBytes]:
    """The events file, open: its bytes are read where needed, never copied whole up front."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        read_bytes(path)  # raises the loader's message: a missing file, a folder, no permission
        raise
    try:
        yield FileBytes(handle.fileno())
    finally:
        # After the replace this drops the old version's last link, and freeing its blocks takes a
        # while (0.2 s for 300 MB on ext4): a background thread waits for that, not the caller.
        threading.Thread(target=handle.close, daemon=True).start()


def _whole(path: Path, source: FileBytes) -> bytes:
    """All the bytes of the open file (what the full validation reads)."""
    if len(source) > validate.MAX_FILE_BYTES:
        read_bytes(path)  # raises the loader's "over the limit" error
        raise TrackerError(f"{path}: changed while it was being read", "run the command again")
    return source[0 : len(source)]


def _head(data) -> bytes:
    """The first line of ``data`` with its newline (all of it when it has none)."""
    head = b""
    while len(head) < len(data):
        head += data[len(head) : len(head) + 65536]
        end = head.find(b"\n")
        if end >= 0:
            return head[: end + 1]
    return head


def _spliced(source: FileBytes, offset: int, line: bytes) -> list:
    """The new file as chunks: the open file's bytes with ``line`` inserted at ``offset``; the
    unchanged parts are copied by the kernel (``FileRange``)."""
    return [FileRange(source.fd, 0, offset), line, FileRange(source.fd, offset, len(source) - offset)]


class _TakenIds:
    """``id in taken`` over a column of ids, without building a set of a million strings."""

    def __init__(self, ids: pd.Series):
        self.ids = ids

    def __contains__(self, candidate: str) -> bool:
        return bool((self.ids == candidate).any())


def _cache_update(path: Path, claim: frame_cache.Claim, source, insert: _Insert) -> Callable[[], None] | None:
    """The call that makes the cache vouch for the new file (once it is in place), or None."""
    row = _cache_row(path, claim, insert)
    return None if row is None else claim.after_insert(source, insert.offset, insert.prefix + insert.record, row, insert.at)


def _cache_row(path: Path, claim: frame_cache.Claim, insert: _Insert) -> pd.DataFrame | None:
    """The new row as the cache would hold it for the new file: exactly as the validator parses
    and accepts its line (under the file's own header) and the loader types it, at its physical
    line; None when that is not the row meant (then the next reader parses the file afresh)."""
    row, newline = insert.row, insert.record[len(insert.record.rstrip(b"\r\n")) :]
    for f in schema.fields():  # the validator's one rule across rows: unique values
        if f.unique and f.name != "id" and row[f.name] and (claim.frame[f.name] == row[f.name]).any():
            return None
    head = insert.head if insert.head.endswith(b"\n") else insert.head + newline
    try:
        raw = validate.read_raw(path, head + insert.record)  # (its values passed problems_in above)
        if len(raw) != 1 or any(raw.at[0, c] != row.get(c, "") for c in raw.columns if c != "_line"):
            return None
        if insert.at < len(claim.frame):  # it takes the place of the record that sorts after it
            raw["_line"] = int(claim.frame["_line"].iloc[insert.at])
        else:  # it starts after the last newline (and the one put before it, if any)
            raw["_line"] = sum(s[2] for s in claim.key["segments"]) + 1 + insert.prefix.count(b"\n")
        return typed(raw)
    except Exception:  # (ValidationError, or cache data that do not hold): nothing to remember
        return None


def _check_new_row(path: Path, row: dict[str, str], existing: pd.DataFrame) -> None:
    unencodable = [c for c, v in row.items() if not v.isascii() and _has_surrogates(v)]
    if unencodable:  # e.g. invalid UTF-8 bytes on the command line
        hint = "the text came as bytes that are not UTF-8; pass UTF-8 text"
        raise InvalidRowError([Problem(0, f"--{c.replace('_', '-')}", "is not valid UTF-8 text", hint) for c in unencodable])
    one = pd.DataFrame([row], columns=list(schema.COLUMNS), dtype=str)
    one["_line"] = 0
    problems, total = problems_in(one)
    if problems:
        fixed = [Problem(0, f"--{p.column.replace('_', '-')}", p.message, p.hint) for p in problems]
        raise InvalidRowError(fixed, total)
    if "start_day" in existing:  # a typed frame: only the rows that start on the same day
        same = existing["start_day"].to_numpy() == _first_day(row["date"])
    else:
        same = np.ones(len(existing), dtype=bool)
    same[same] = np.asarray(existing["date"][same] == row["date"], dtype=bool)
    same[same] = np.asarray(existing["title"][same].str.casefold() == row["title"].casefold(), dtype=bool)
    same_day_title = np.flatnonzero(same)  # (casefold runs per row in Python: on that day only)
    same_id = np.flatnonzero(np.asarray(existing["id"] == row["id"], dtype=bool))
    for hits, column, what in ((same_id, "id", "the same id"), (same_day_title, "title", "the same date and title")):
        if len(hits):
            line, other = int(existing["_line"].iloc[hits[0]]), existing["id"].iloc[hits[0]]
            raise TrackerError(
                f"{path}:{line}: {column}: an event with {what} is already there ({other})",
                "nothing was written; use --id to give a different id, or skip the duplicate",
            )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_line(values: list[str], newline: bytes) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline.decode()).writerow(values)
    return buf.getvalue().encode("utf-8")


def _insert_index(existing: pd.DataFrame, row: dict[str, str]) -> int:
    """Row number of the first record that sorts after ``row`` (by date, then id); the count if none."""
    if "start_day" in existing:  # a typed frame: its first days as integers, no string work
        dates, new_date = existing["start_day"].to_numpy(), _first_day(row["date"])
    else:
        dates, new_date = padded_dates(existing["date"]), padded_dates(pd.Series([row["date"]])).iloc[0]
    later = np.array(dates > new_date, dtype=bool)
    same_day = np.asarray(dates == new_date, dtype=bool)
    if same_day.any():  # ids compared on that day only
        later[same_day] = np.asarray(existing["id"][same_day] > row["id"], dtype=bool)
    return int(later.argmax()) if later.any() else len(existing)


def _first_day(date: str) -> int:
    """Days since 1970 of the first day of a valid ISO ``date`` (any precision)."""
    return int(np.datetime64(padded_dates(pd.Series([date])).iloc[0], "D").astype(np.int64))


def _record_start(data, existing: pd.DataFrame, at: int, claim: frame_cache.Claim | None) -> int:
    """Byte offset where record number ``at`` starts (the end of the file after the last)."""
    if at == len(existing):
        return len(data)
    line = int(existing["_line"].iloc[at])
    if claim is not None:  # the cache counted the newlines of each segment
        return claim.line_start(data, line)
    return _line_start(data, line, int(existing["_line"].iloc[-1]) + 1)


def _line_start(data: bytes, line: int, n_lines: int) -> int:
    """Byte offset where physical ``line`` (1-based) starts: a guess from the mean length of the
    about ``n_lines`` lines, then a walk of a few lines (C-speed ``count``/``find``)."""
    guess = len(data) * (line - 1) // max(1, n_lines)
    at = data.rfind(b"\n", 0, guess) + 1  # start of the line holding the guess
    current = data.count(b"\n", 0, at) + 1
    while current < line:
        at, current = data.index(b"\n", at) + 1, current + 1
    while current > line:
        at, current = data.rfind(b"\n", 0, at - 1) + 1, current - 1
    return at
