"""Export files: a name that says what the file holds, and an atomic write of it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from ..errors import TrackerError
from ..query import LIST_FIELDS, EventFilter
from ..storage.filewrite import atomic_write

DATA_FORMATS = ("csv", "json", "timelinejs", "md", "docx")
FILE_PREFIX = {"timeline": "events", "counts": "event-counts", "map": "event-map"}
SUFFIX = {"timelinejs": "json"}  # a format whose files end otherwise than in its name


def check_output(path: str | Path) -> Path:
    """``path`` if an export can be written there, else a TrackerError saying why."""
    path = Path(path)
    if path.is_dir():
        raise TrackerError(f"cannot write {path}: it is a folder", "give a file name with -o")
    if not path.parent.is_dir():
        raise TrackerError(
            f"cannot write {path}: folder {path.parent} does not exist",
            "create it first or choose another -o path",
        )
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise TrackerError(f"cannot write {path}: permission denied", "choose a writable -o path")
    return path


def write_export(path: str | Path, content: bytes) -> None:
    """Write an export atomically: the whole file or, on any error, nothing."""
    path = check_output(path)
    try:
        atomic_write(path, content)
    except OSError as exc:
        raise TrackerError(f"cannot write {path}: {exc.strerror}", "choose a writable -o path") from None


def export_filename(f: EventFilter, frame: pd.DataFrame, chart: str, fmt: str) -> str:
    """A file name saying what it holds, e.g. ``events_military-arms_transfer_2022-2024.png``."""
    prefix = (
        {"timelinejs": "timelinejs", "md": "brief", "docx": "brief"}.get(fmt, "events")
        if fmt in DATA_FORMATS
        else FILE_PREFIX.get(chart, chart)
    )
    parts = [prefix, *_filter_parts(f), _year_span(frame)]
    stem = "_".join(_slug(p) for p in parts if p)
    return f"{stem[:150].rstrip('_-.')}.{SUFFIX.get(fmt, fmt)}"


def _filter_parts(f: EventFilter) -> list[str]:
    parts = []
    for name in LIST_FIELDS:
        value = getattr(f, name)
        if value is not None:
            label = "res-" if name == "resolutions" else ""
            parts.append(label + ("-".join(value) if value else f"no-{name}"))
    if f.search:
        parts.append("q-" + f.search)
    return parts


def _year_span(frame: pd.DataFrame) -> str:
    """First and last year the events cover, e.g. ``2022-2024``; ``none`` when empty."""
    if not len(frame):
        return "none"
    first = int(frame["start"].min().year)
    last = int((frame["end"].max() - pd.Timedelta(days=1)).year)
    return str(first) if first == last else f"{first}-{last}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()
