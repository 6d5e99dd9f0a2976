"""Append events to events.csv safely: a lock, a re-read that the cache can vouch for, a splice
of the new line at its sorted place, fsync and an atomic replace."""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from . import schema
from .errors import TrackerError
from .validate import InvalidRowError, Problem, padded_dates, problems_in, read_bytes, valid_raw

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

    Takes the lock, re-reads and validates the file, refuses an invalid or duplicate row, writes a
    temporary file in the same folder, fsyncs it and atomically replaces the original. On any
    error nothing is written.
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


def _add_locked(path: Path, row: dict[str, str]) -> str:
    data = read_bytes(path)
    existing = _valid_existing(path, data)
    row = {c: str(row.get(c) or "").strip() for c in schema.COLUMNS}
    row["id"] = row["id"] or make_id(row, _TakenIds(existing["id"]))
    _check_new_row(path, row, existing)
    first_line = data[: data.find(b"\n")] if b"\n" in data else data
    header = next(csv.reader([first_line.decode("utf-8-sig").rstrip("\r")]))
    newline = b"\r\n" if b"\r\n" in data[: data.find(b"\n") + 1] else b"\n"
    line = _csv_line([row.get(c, "") for c in header], newline)
    offset = _insert_offset(data, existing, row)
    if offset == len(data) and not data.endswith(b"\n"):
        line = newline + line
    atomic_write(path, _spliced(path, data, offset, line))
    return row["id"]


def _spliced(path: Path, data: bytes, offset: int, line: bytes) -> list:
    """The new file as chunks: ``data`` with ``line`` inserted at ``offset``. The unchanged parts
    are copied by the kernel from the file itself (``FileRange``) when it still holds ``data``."""
    whole = memoryview(data)
    try:
        src = open(path, "rb")  # noqa: SIM115 (closed by atomic_write's caller below)
    except OSError:
        return [whole[:offset], line, whole[offset:]]
    if os.fstat(src.fileno()).st_size != len(data) or src.read(4096) != bytes(whole[:4096]):
        src.close()
        return [whole[:offset], line, whole[offset:]]
    return [FileRange(src, 0, offset), line, FileRange(src, offset, len(data) - offset)]


class FileRange:
    """A byte range of an open file, copied into another file by the kernel."""

    def __init__(self, src, offset: int, length: int):
        self.src, self.offset, self.length = src, offset, length

    def copy_to(self, handle) -> None:
        """Append this range to ``handle`` (copy_file_range, else a plain read and write)."""
        handle.flush()
        done = 0
        try:
            while done < self.length:
                n = os.copy_file_range(self.src.fileno(), handle.fileno(), self.length - done,
                                       self.offset + done)  # fmt: skip
                if n == 0:
                    break
                done += n
        except OSError:  # e.g. another file system: fall back to copying through memory
            pass
        if done < self.length:
            self.src.seek(self.offset + done)
            handle.write(self.src.read(self.length - done))
        handle.seek(0, os.SEEK_END)


class _TakenIds:
    """``id in taken`` over a column of ids, without building a set of a million strings."""

    def __init__(self, ids: pd.Series):
        self.ids = ids

    def __contains__(self, candidate: str) -> bool:
        return bool((self.ids == candidate).any())


def _valid_existing(path: Path, data: bytes) -> pd.DataFrame:
    """The rows of ``data``, known valid: from the loader's cache when it holds a frame it
    validated for exactly these bytes (no second parse), else parsed and validated now."""
    from . import cache as frame_cache

    cached = frame_cache.cached(path, data)
    return cached if cached is not None else valid_raw(path, data)


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
    same_id = existing["id"] == row["id"]
    same_day_title = existing["date"] == row["date"]
    if same_day_title.any():  # casefold runs per row in Python: only on the same day's titles
        same_title = existing.loc[same_day_title, "title"].str.casefold() == row["title"].casefold()
        same_day_title = same_day_title & same_title.reindex(existing.index, fill_value=False)
    for mask, column, what in ((same_id, "id", "the same id"), (same_day_title, "title", "the same date and title")):
        if mask.any():
            line = int(existing.loc[mask, "_line"].iloc[0])
            raise TrackerError(
                f"{path}:{line}: {column}: an event with {what} is already there ({existing.loc[mask, 'id'].iloc[0]})",
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


def _insert_offset(data: bytes, existing: pd.DataFrame, row: dict[str, str]) -> int:
    """Byte offset of the first record that sorts after ``row`` (end of file if none)."""
    new_date = padded_dates(pd.Series([row["date"]])).iloc[0]
    if "start_day" in existing:  # a typed frame: its first days as integers, no string work
        dates = existing["start_day"]
        new_date = int(np.datetime64(new_date, "D").astype(np.int64))
    else:
        dates = padded_dates(existing["date"])
    later = ((dates > new_date) | ((dates == new_date) & (existing["id"] > row["id"]))).to_numpy()
    if not later.any():
        return len(data)
    lines = existing["_line"].to_numpy()
    return _line_start(data, int(lines[later.argmax()]), int(lines[-1]) + 1)


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


def atomic_write(path: Path, content: bytes | list) -> None:
    """Write ``content`` (bytes, or a list of byte chunks written in order, so a large file
    need not be copied into one buffer first) to a temp file beside ``path``, fsync it, then
    replace ``path``."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in content if isinstance(content, list) else [content]:
                if isinstance(chunk, FileRange):
                    chunk.copy_to(handle)
                else:
                    handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        for chunk in content if isinstance(content, list) else []:
            if isinstance(chunk, FileRange):
                chunk.src.close()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
