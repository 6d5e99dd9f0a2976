"""Live events for a long-running server: re-read the CSV when it changes, survive bad edits."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..contract import ValidationError
from ..errors import TrackerError
from . import cache
from .load import load_events


@dataclass(frozen=True)
class Snapshot:
    """What a request sees: the last good frame, and why the file on disk is refused (if it is)."""

    path: Path
    frame: pd.DataFrame
    modified: datetime | None  # when the file on disk last changed (UTC)
    errors: tuple[str, ...] = field(default=())
    version: tuple[int, int] = (0, 0)  # (size, mtime_ns) of the file it answers for

    @property
    def name(self) -> str:
        return self.path.name


class EventSource:
    """The events of one CSV file, re-read whenever its size or mtime changes.

    The first read must succeed (it raises ``ValidationError``/``TrackerError`` otherwise). Later,
    an invalid or missing file keeps the last good frame and reports the problems in
    ``Snapshot.errors``. Each process holds its own snapshot, so any number of workers can serve
    the app; the last good frame is the newest one the on-disk cache accepted (when newer than the
    process's own), so all workers fall back to the same version even if some never read it.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._snapshot: Snapshot | None = None
        self._first_error: Exception | None = None
        self._read_since_ns = 0  # when the read that gave the current frame started
        self.snapshot()
        if self._snapshot is None:
            raise self._first_error or TrackerError(f"{self.path}: could not be read")

    def snapshot(self) -> Snapshot:
        """The current snapshot, re-reading the file first if it changed on disk."""
        stamp = self._stat()
        if stamp is not None and stamp == self._stamp and self._snapshot is not None:
            return self._snapshot
        with self._lock:
            if stamp != self._stamp or self._snapshot is None:
                self._reload(stamp)
            return self._snapshot  # type: ignore[return-value]

    def frame(self) -> pd.DataFrame:
        """The current (last good) events."""
        return self.snapshot().frame

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    def _reload(self, stamp: tuple[int, int] | None) -> None:
        modified = _utc(stamp[1]) if stamp else None
        started = time.time_ns()
        try:
            frame = load_events(self.path)
        except ValidationError as exc:
            self._refuse(exc, exc.lines(), stamp, modified)
            return
        except TrackerError as exc:
            self._refuse(exc, [str(exc)], stamp, modified)
            return
        self._stamp, self._read_since_ns = stamp, started
        self._snapshot = Snapshot(self.path, frame, modified, (), stamp or (0, 0))

    def _refuse(self, exc: Exception, lines: list[str], stamp, modified) -> None:
        self._first_error = exc
        self._stamp = stamp
        if self._snapshot is None:
            return
        frame, checked = self._snapshot.frame, time.time_ns()
        shared = cache.last_accepted(self.path, self._read_since_ns)  # another process's, newer
        if shared is not None:
            frame, self._read_since_ns = shared, checked
        self._snapshot = Snapshot(self.path, frame, modified, tuple(lines), stamp or (0, 0))


def _utc(mtime_ns: int) -> datetime:
    return datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC)
