"""The page's view of the record's history (tracker.history): the "changed since" filter worked
out from git, the Changes panel, and each event's own history for the details panel.

Everything is keyed by the repository's HEAD and the working file's size and mtime, so a click
that only changes another filter reuses the history already worked out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from dash import dcc, html

from tracker.charts.changes import ChangeMarks, changed_fields
from tracker.charts.style import CHANGE_STYLES, format_date
from tracker.errors import TrackerError
from tracker.export.brief import escape
from tracker.history import (
    GitFile,
    RowDiff,
    changed_since,
    event_history,
    file_history,
    has_cached_history,
    keeping_changes,
)
from tracker.query import EventFilter, from_query

GROUPS = (("added", "Added"), ("status", "Status changed"), ("edited", "Edited"), ("removed", "Removed"))
PRESETS = ((7, "last 7 days"), (30, "last 30 days"))
TAG_PRESETS = 5  # the newest tags the control offers
UNCOMMITTED = "uncommitted"  # (a sort key: after every date)
NOT_COMMITTED = "in the working file, not committed yet"
MESSAGE_CHARS = 80
# A group lists its newest changes only: a page of thousands of list items takes the browser
# seconds to lay out, and the timeline rings and the grid lists every changed event anyway.
GROUP_ITEMS = 20
MORE = "… and {n} older: the grid lists every changed event; tracker diff lists removals too"
_LIST_MARKER = re.compile(r"^(\d+(?=[.)]\s))?([-+=.)])")  # (a leading "-", "+", "=" or "1. ")
SHALLOW_NOTE = "Shallow clone: the history starts at its oldest fetched commit (git fetch --unshallow)"


@dataclass(frozen=True)
class PageChanges:
    """The filter as the page applies it, what changed since its ``changed_since``, and a note
    (why history is unavailable or starts late; empty when all is well)."""

    filter: EventFilter
    diff: RowDiff | None = None
    note: str = ""

    def kinds(self) -> dict[str, str]:
        """Each changed event id of the new version: "added", "status" or "edited"."""
        marks = self.marks()
        return dict(marks.kinds) if marks else {}

    def marks(self) -> ChangeMarks | None:
        """What the timeline shows of the changes (None without a "changed since")."""
        return self._marks

    @cached_property
    def _marks(self) -> ChangeMarks | None:
        # (once per answer kept in the memo: every later click and zoom on the page reuses it)
        if self.diff is None:
            return None
        return ChangeMarks.of(self.diff.added, self.diff.changed, self.filter.changed_since or "")


class _Memo:
    """A small LRU of values keyed by the git state of the file and a key. One thread builds a
    value while the others asking for it wait (a first history can take a while)."""

    def __init__(self, size: int = 32):
        self.size, self._entries, self._lock = size, OrderedDict(), threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def peek(self, key: Hashable) -> Any:
        """The value under ``key`` when one is built, else None (nothing is built)."""
        with self._lock:
            return self._entries.get(key)

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            value = build()
            with self._lock:
                self._building.pop(key, None)
                self._entries[key] = value
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value


_memo = _Memo()


def git_state(path: Path) -> tuple:
    """What the history of ``path`` depends on: its repository's HEAD and the file's stat."""
    try:
        stat = path.stat()
        size, mtime = stat.st_size, stat.st_mtime_ns
    except OSError:
        size = mtime = 0
    try:
        head = GitFile.open(path).head_id
    except TrackerError:  # no repository: the history functions say so
        head = ""
    return str(path.resolve()), head, size, mtime


def page_changes(path: Path, f: EventFilter, frame: pd.DataFrame | None = None) -> PageChanges:
    """``f`` with its ``changed_since`` worked out from ``path``'s history (``frame``: the
    file's events, when the caller holds them); without it (and a note saying why) when there
    is no history to read or git cannot resolve the revision."""
    if not f.changed_since:
        return PageChanges(f)
    return _memo.get(("changes", f.changed_since, git_state(path)), lambda: _work_out(path, f, frame))


def _work_out(path: Path, f: EventFilter, frame: pd.DataFrame | None) -> PageChanges:
    try:  # composed from the file's history when the page has worked it out (the Changes panel does)
        diff = changed_since(path, f.changed_since, _memo.peek(("history", git_state(path))), frame)
        late = SHALLOW_NOTE if GitFile.open(path).shallow else ""
    except TrackerError as exc:
        return PageChanges(dataclasses.replace(f, changed_since=None), None, f"History unavailable: {exc}")
    return PageChanges(keeping_changes(f, diff), diff, late)


def page_filter(path: Path, f: EventFilter) -> EventFilter:
    """The filter the page applies for ``f`` (see ``page_changes``)."""
    return page_changes(path, f).filter if f.changed_since else f


def url_filter(path: Path, search: str | None) -> EventFilter:
    """The filter the page applies for the URL's ``search``."""
    return page_filter(path, from_query(search or ""))


def _history(path: Path):
    return _memo.get(("history", git_state(path)), lambda: file_history(path))


def warm_history(path: Path) -> threading.Thread:
    """Work out ``path``'s history in a background thread when its cache holds it (only new
    commits then cost anything), so that a first "changed since" is composed from it instead of
    reading a version from git; a first history ever is left to the Changes panel's first use."""

    def work() -> None:
        try:
            if has_cached_history(path):
                _history(Path(path))
        except TrackerError:
            pass  # no history to read: the page says so where it is asked for

    thread = threading.Thread(target=work, name="history-warm", daemon=True)
    thread.start()
    return thread


# ---------------------------------------------------------------- the Changes panel


def last_touched(path: Path, ids: set[str]) -> dict[str, tuple[str, str]]:
    """(date, commit message) of the newest version that touched each of ``ids``."""
    found: dict[str, tuple[str, str]] = {}
    for version in reversed(_history(path).versions):
        diff = version.diff
        for event_id in (set(diff.added) | set(diff.changed) | set(diff.removed)) & (ids - found.keys()):
            found[event_id] = (version.date or UNCOMMITTED, version.message)
        if len(found) == len(ids):
            break
    return found


def changes_panel(path: Path, f: EventFilter) -> tuple[list, bool, str]:
    """(the panel's children, whether it is hidden, the control's note) for ``f``."""
    if not f.changed_since:
        return [], True, _memo.get(("availability", git_state(path)), lambda: availability_note(path))
    changes = page_changes(path, f)
    if changes.diff is None:
        return [], True, changes.note
    diff = changes.diff
    kinds = changes.kinds() | {i: "removed" for i in diff.removed}
    when = last_touched(path, set(kinds)) if kinds else {}
    title = f"Changes since {f.changed_since}: {diff.summary()}"
    children: list = [html.H2(title)]
    for kind, heading in GROUPS:
        members = _newest_first([i for i, k in kinds.items() if k == kind], when)
        if members:
            rows = diff.removed if kind == "removed" else diff.new_rows
            shown = [_change_line(i, rows.get(i, {}), kind, diff, when.get(i)) for i in members[:GROUP_ITEMS]]
            children.append(_group(kind, f"{heading} ({len(members)})", shown, len(members) - GROUP_ITEMS))
    return children, False, changes.note


def _group(kind: str, heading: str, lines: list[str], more: int) -> html.Section:
    """One group of the panel: its heading and its changes as one Markdown list. (A Dash
    component per list item made every later answer slower: dash-renderer checks each component
    of the page for every output it applies.)"""
    style = CHANGE_STYLES.get(kind)
    parts: list = [html.H3(heading), dcc.Markdown("\n".join(lines), className="change-list")]
    if more > 0:
        parts.append(html.P(MORE.format(n=more), className="changes-more"))
    return html.Section(parts, className=f"changes-{kind}", style={"--kind": style["color"]} if style else None)


def _newest_first(ids: list[str], when: dict[str, tuple[str, str]]) -> list[str]:
    """``ids`` by their last change, newest (uncommitted) first, then by id."""

    def day(event_id: str) -> str:
        touched = when.get(event_id, ("", ""))[0]
        return "9999" if touched == UNCOMMITTED else touched  # (after every date)

    return sorted(sorted(ids), key=day, reverse=True)


def _change_line(event_id: str, row: dict, kind: str, diff: RowDiff, when) -> str:
    """One change as a Markdown list item: the event's title (struck through when removed) and
    date, what changed, and (in emphasis) the commit's date and message."""
    title = _literal(row.get("title") or event_id)
    line = f"- {'~~' + title + '~~' if kind == 'removed' else title}"
    if row.get("date"):
        line += f" ({format_date(row['date'])})"
    if kind == "status":
        old, new = diff.changed[event_id]["status"]
        line += f": {escape(old)} → {escape(new)}"
    elif kind == "edited":
        line += ": " + escape(", ".join(changed_fields(diff.changed[event_id])))
    if when and when[0] == UNCOMMITTED:
        line += f" *· {NOT_COMMITTED}*"
    elif when:
        message = escape(short_message(when[1]))
        line += f" *· {escape(when[0])}{' · ' + message if message else ''}*"  # (no empty emphasis)
    return line


def _literal(text: str) -> str:
    """``text`` as literal Markdown at the start of a list item (where "1. ", "- " or "---"
    would open a list or draw a rule)."""
    return _LIST_MARKER.sub(r"\1\\\2", escape(text))


def availability_note(path: Path) -> str:
    """Why the file's history is unavailable or starts late ("" when it is whole)."""
    try:
        gf = GitFile.open(path)
    except TrackerError as exc:
        return f"History unavailable: {exc}"
    if not gf.head_id:
        return "History unavailable: the repository has no commits yet"
    return SHALLOW_NOTE if gf.shallow else ""


def short_message(message: str, limit: int = MESSAGE_CHARS) -> str:
    """A commit's summary line cut at a word to ``limit`` characters (some run to a paragraph)."""
    if len(message) <= limit:
        return message
    return message[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def preset_dates(today: dt.date | None = None) -> list[tuple[str, str]]:
    """(date, label) for each preset of the control, counted back from ``today``."""
    today = today or dt.date.today()
    return [((today - dt.timedelta(days=days)).isoformat(), label) for days, label in PRESETS]


def presets(path: Path, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(value, label) of the control's presets: the last 7 and 30 days, then the repository's
    newest tags (a release of the data is what a reader most often compares with)."""
    try:
        tags = GitFile.open(path).tags(TAG_PRESETS)
    except TrackerError:
        tags = []  # (no repository: the control's note says why)
    return preset_dates(today) + [(name, f"tag of {date}") for name, date in tags]


# ---------------------------------------------------------------- one event's history


def history_line(path: Path, event_id: str) -> str:
    """E.g. "first recorded 2024-04-29 · status alleged → confirmed on 2024-05-02 (message)";
    empty when the file has no history to read."""
    try:
        versions = _memo.get(("event", event_id, git_state(path)), lambda: event_history(path, event_id))
    except TrackerError:
        return ""
    parts = []
    for version in versions:
        pending = "" if version.date else f" ({NOT_COMMITTED})"
        day = f" {version.date}" if version.date else pending
        on = f" on {version.date} ({short_message(version.message)})" if version.date else pending
        if version.change == "added":
            parts.append(f"{'recorded again' if parts else 'first recorded'}{day}")
        elif version.change == "removed":
            parts.append(f"removed{on}")
        elif "status" in version.changes:
            old, new = version.changes["status"]
            parts.append(f"status {old} → {new}{on}")
        else:
            parts.append(f"edited{day if version.date else ''}: {', '.join(version.changes)}{pending}")
    return " · ".join(parts)
