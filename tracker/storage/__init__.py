"""Reading and writing events files: the bytes, the typed frame (and its cache), the writers
(every one locks, re-reads, validates and writes atomically) and live snapshots for servers."""

from .append import add_event
from .load import check_events, default_csv, load_events
from .source import EventSource, Snapshot
from .splice import Change
from .writer import WRITER_COLUMNS, change_events

__all__ = [
    "WRITER_COLUMNS",
    "Change",
    "EventSource",
    "Snapshot",
    "add_event",
    "change_events",
    "check_events",
    "default_csv",
    "load_events",
]
