"""Helpers shared by the dashboard's tests (views, live data)."""

from __future__ import annotations

import os
from pathlib import Path

from dashboard import views
from tracker.query import EventFilter

ALL_CONTROLS = views.controls_from_filter(EventFilter())


def text_of(component) -> str:
    """The visible text of a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return "".join(text_of(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def find(component, kind):
    """Every component of type ``kind`` in a tree."""
    found = [component] if isinstance(component, kind) else []
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            found += find(child, kind)
    elif children is not None and not isinstance(children, str):
        found += find(children, kind)
    return found


def append_row(path: Path, row: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(row)
    stat = path.stat()  # make sure the change is seen even within one mtime tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


NEW_ROW = (
    "2025-01-10-test-event,2025-01-10,,A test event in Rajin,Added while serving.,transport,"
    "reported,RUS;PRK,Rajin,42.24,130.29,,Example,https://example.org/a\n"
)
