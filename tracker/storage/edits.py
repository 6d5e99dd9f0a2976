"""Changing and removing events: ``edit_event``, ``set_archived_copies`` and ``remove_events``.

Each tells the writers' one story (``writer.change_events``): lock, re-read and validate the
file (or take the cache's word on its bytes, as an add does), decide against what is there,
write atomically; a refusal writes nothing. An edited row is rewritten in its own place unless
its sort key (date, then id) changed: then it moves to its new sorted place. Every other record
keeps its bytes, so the diff is the changed line(s).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import InvalidRowError, Problem, schema
from ..errors import TrackerError
from .rows import duplicate_of, first_day, option_problems
from .splice import Change
from .writer import WRITER_COLUMNS, change_events

SEPARATOR = schema.SOURCE_SEPARATOR
# The option of ``tracker edit`` that sets each column whose option is not named after it.
EDIT_OPTIONS = {"id": "--new-id", "source_url": "--add-source", "archive_urls": "--archive-url"}
MAX_COMPARED = 20_000  # ids difflib compares an unknown id with (more take seconds)
SHORT_VALUES = ("date", "end_date", "category", "status", "actors", "location", "lat", "lon", "un_resolutions", "id")


@dataclass(frozen=True)
class NewSource:
    """A source to add: its URL, its name and an archived copy ("" for none)."""

    url: str
    name: str = ""
    archive: str = ""


@dataclass(frozen=True)
class Edit:
    """What to change in one event: ``values`` by column ("" clears one), sources to take out
    (by URL) and to add (after the others), and archived copies of sources it has (by URL; ""
    or "-" takes one out)."""

    values: dict[str, str] = field(default_factory=dict)
    add_sources: tuple[NewSource, ...] = ()
    remove_sources: tuple[str, ...] = ()
    archives: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Edited:
    """An event before and after an edit (equal when the edit changed nothing)."""

    old: dict[str, str]
    new: dict[str, str]

    @property
    def changed(self) -> list[str]:
        """The columns whose values differ."""
        return [c for c in self.new if self.new[c] != self.old.get(c, "")]

    def summary(self) -> str:
        """One line saying what changed, e.g. ``Edit ID: status reported → confirmed; add source URL``."""
        if not self.changed:
            return f"{self.old['id']}: nothing to change (it already has these values)"
        return f"Edit {self.old['id']}: " + "; ".join(_changes(self.old, self.new))


def edit_event(path: str | os.PathLike, event_id: str, edit: Edit) -> Edited:
    """Apply ``edit`` to the event ``event_id`` of ``path``: the new row is checked against the
    contract (problems named by ``tracker edit``'s options: InvalidRowError) and the other rows
    (unique id; no other event with its date and title). Raises TrackerError, writing nothing,
    for an unknown id (with close matches), an invalid file, a clash or a bad value."""
    path = Path(path)

    def decide(existing: pd.DataFrame, record) -> Change:
        position = position_of(path, existing, event_id)
        old = record(position)
        new = edited_row(old, edit)
        edited = Edited(old, new)
        if not edited.changed:
            return Change(notes={"edited": edited})
        _refuse_clash(path, new, existing, position)
        if sort_key(new) == sort_key(old):
            return Change(replace={position: new}, notes={"edited": edited})
        return Change(remove=(position,), insert=(new,), notes={"edited": edited})

    return change_events(path, decide, WRITER_COLUMNS).notes["edited"]


def set_archived_copies(path: str | os.PathLike, copies: dict[str, dict[str, str]]) -> list[Edited]:
    """Give events archived copies of their sources in one atomic write: ``copies`` maps an
    event id to {source URL: archived copy}. Each row stays in its place (its sort key does
    not change). Raises TrackerError, writing nothing, for an unknown id or a copy refused."""
    path, wanted = Path(path), list(copies)

    def decide(existing: pd.DataFrame, record) -> Change:
        replace, edited = {}, []
        for event_id, position in zip(wanted, positions_of(path, existing, wanted), strict=True):
            old = record(position)
            try:
                new = edited_row(old, Edit(archives=tuple(copies[event_id].items())))
            except InvalidRowError as exc:
                problem = exc.problems[0]
                hint = f"{problem.hint}; nothing was written" if problem.hint else "nothing was written"
                raise TrackerError(f"{path}: {event_id}: {problem.message}", hint) from None
            replace[position] = new
            edited.append(Edited(old, new))
        return Change(replace=replace, notes={"edited": edited})

    return change_events(path, decide, WRITER_COLUMNS).notes["edited"]


def remove_event(path: str | os.PathLike, event_id: str) -> dict[str, str]:
    """Take the event ``event_id`` out of ``path``; return its row (see ``remove_events``)."""
    return remove_events(path, [event_id])[0]


def remove_events(path: str | os.PathLike, event_ids: list[str]) -> list[dict[str, str]]:
    """Take the events ``event_ids`` out of ``path`` in one atomic write; return their rows, in
    the order given (an id given twice counts once). Raises TrackerError, writing nothing, when
    any id is unknown (with close matches) or the file is invalid."""
    path, wanted = Path(path), list(dict.fromkeys(event_ids))

    def decide(existing: pd.DataFrame, record) -> Change:
        positions = positions_of(path, existing, wanted)
        return Change(remove=tuple(sorted(positions)), notes={"removed": [record(p) for p in positions]})

    return change_events(path, decide, WRITER_COLUMNS).notes["removed"]


class UnknownEventError(TrackerError):
    """No event has the id asked for; ``suggestions`` holds the closest ids."""

    def __init__(self, path: Path, event_id: str, suggestions: list[str]):
        self.suggestions = suggestions
        if suggestions:
            hint = "did you mean " + _or_list(suggestions) + "?"
        else:
            hint = "check the id: `tracker list --search WORDS` shows the ids of matching events"
        super().__init__(f"{path}: no event has the id {event_id!r}", hint)


def positions_of(path: Path, existing: pd.DataFrame, event_ids: list[str]) -> list[int]:
    """The row number of each event of ``event_ids``; UnknownEventError for the first unknown."""
    found = existing["id"].isin(event_ids).to_numpy(dtype=bool)  # (one pass, however many ids)
    first = {}
    for position, event_id in zip(np.flatnonzero(found).tolist(), existing["id"][found], strict=True):
        first.setdefault(event_id, position)
    return [first[i] if i in first else position_of(path, existing, i) for i in event_ids]


def position_of(path: Path, existing: pd.DataFrame, event_id: str) -> int:
    """The row number of the event ``event_id``; UnknownEventError (with close matches) if none."""
    hits = np.flatnonzero(np.asarray(existing["id"] == event_id, dtype=bool))
    if len(hits):
        return int(hits[0])
    raise UnknownEventError(path, event_id, close_ids(event_id, existing["id"]))


def close_ids(event_id: str, ids: pd.Series, n: int = 3) -> list[str]:
    """Up to ``n`` ids like ``event_id``, closest first (difflib's similarity ratio). difflib
    compares one id at a time, so a large file's ids are first narrowed to those sharing the
    year, then the month, then the day an id starts with."""
    pool = ids
    for prefix in (4, 7, 10):  # YYYY, YYYY-MM, YYYY-MM-DD
        if len(pool) <= MAX_COMPARED:
            break
        pool = pool[pool.str.startswith(event_id[:prefix])]
    return difflib.get_close_matches(event_id, pool.iloc[:MAX_COMPARED].tolist(), n=n, cutoff=0.6)


def sort_key(row: dict[str, str]) -> tuple[int, str]:
    """Where a row sorts in the file: its first day, then its id."""
    return first_day(row["date"]), row["id"]


def edited_row(old: dict[str, str], edit: Edit) -> dict[str, str]:
    """``old`` with ``edit`` applied; InvalidRowError (problems named by option) when the result
    breaks the contract."""
    new = dict(old)
    new.update({column: str(value).strip() for column, value in edit.values.items()})
    sources = _Sources.of(new)
    problems = [p for url in edit.remove_sources if (p := sources.remove(url.strip()))]
    for source in edit.add_sources:
        problems += sources.add(old, source)
    for url, archive in edit.archives:
        problems += sources.set_archive(old, url.strip(), archive.strip())
    if problems:
        raise InvalidRowError(problems)
    new.update(sources.columns())
    problems = [_renamed(p, EDIT_OPTIONS) for p in option_problems(new)]
    if problems:
        raise InvalidRowError(problems)
    return new


def _refuse_clash(path: Path, row: dict[str, str], existing: pd.DataFrame, position: int) -> None:
    """Refuse a row that another event shares its id with, or its date and title."""
    hit = duplicate_of(row, existing, skip=position)
    if hit is None:
        return
    line, other, column, what = hit
    hint = "give another --new-id" if column == "id" else "change the date or the title, or remove one of the two"
    raise TrackerError(
        f"{path}:{line}: {column}: an event with {what} is already there ({other})", f"nothing was written; {hint}"
    )


@dataclass
class _Sources:
    """An event's sources as parallel lists: URLs, names (none or one per URL) and archived
    copies (none or one per URL, "-" where a source has none)."""

    urls: list[str]
    names: list[str]
    archives: list[str]

    @classmethod
    def of(cls, row: dict[str, str]) -> _Sources:
        return cls(*(_split(row.get(c, "")) for c in ("source_url", "source_name", "archive_urls")))

    def columns(self) -> dict[str, str]:
        archives = self.archives if any(a != schema.NO_ARCHIVE for a in self.archives) else []
        return {
            "source_url": SEPARATOR.join(self.urls),
            "source_name": SEPARATOR.join(self.names),
            "archive_urls": SEPARATOR.join(archives),
        }

    def archive_of(self) -> dict[str, str]:
        """Each source URL's archived copy ("-" for none)."""
        return dict(zip(self.urls, self.archives or [schema.NO_ARCHIVE] * len(self.urls), strict=False))

    def remove(self, url: str) -> Problem | None:
        if url not in self.urls:
            return self._not_a_source("--remove-source", url)
        at = self.urls.index(url)
        for values in (self.urls, self.names, self.archives):
            if values:
                del values[at]
        return None

    def add(self, old: dict[str, str], source: NewSource) -> list[Problem]:
        url, name, archive = source.url.strip(), source.name.strip(), source.archive.strip() or schema.NO_ARCHIVE
        problems = _value_problems(old, "source_url", url, "--add-source")
        if archive != schema.NO_ARCHIVE:
            problems += _value_problems(old, "archive_urls", archive, "--archive-url")
        if url in self.urls:
            problems.append(Problem(0, "--add-source", f"{url!r} is already a source of this event", "give a new URL"))
        if self.urls and not self.names and name:
            hint = "leave --source-name out: source_name names every source or none"
            problems.append(Problem(0, "--source-name", "the event's other sources have no names", hint))
        elif self.names and not name:
            hint = "give --source-name NAME for each --add-source, in the same order"
            problems.append(Problem(0, "--source-name", "the event's sources are named: name the new one too", hint))
        if problems:
            return problems
        if self.archives or archive != schema.NO_ARCHIVE:
            self.archives = (self.archives or [schema.NO_ARCHIVE] * len(self.urls)) + [archive]
        self.urls.append(url)
        if name:
            self.names.append(name)
        return []

    def set_archive(self, old: dict[str, str], url: str, archive: str) -> list[Problem]:
        if url not in self.urls:
            return [self._not_a_source("--archive-for", url)]
        archive = archive or schema.NO_ARCHIVE
        if archive != schema.NO_ARCHIVE:
            problems = _value_problems(old, "archive_urls", archive, "--archive-for")
            if problems:
                return problems
        self.archives = self.archives or [schema.NO_ARCHIVE] * len(self.urls)
        self.archives[self.urls.index(url)] = archive
        return []

    def _not_a_source(self, option: str, url: str) -> Problem:
        return Problem(0, option, f"{url!r} is not a source of this event", "its sources: " + ", ".join(self.urls))


def _value_problems(valid_row: dict[str, str], column: str, value: str, option: str) -> list[Problem]:
    """The contract's problems with ``value`` as the one value of ``column`` (a source's URL or
    its archived copy), named by ``option``."""
    row = dict(valid_row, source_url=valid_row["source_url"].split(SEPARATOR)[0], source_name="", archive_urls="")
    row[column] = value
    own = "--" + column.replace("_", "-")
    return [_renamed(p, {column: option}) for p in option_problems(row) if p.column == own]


def _renamed(problem: Problem, options: dict[str, str]) -> Problem:
    """``problem`` named by the option that sets its column (``options``: column -> option)."""
    by_flag = {"--" + column.replace("_", "-"): option for column, option in options.items()}
    return Problem(problem.line, by_flag.get(problem.column, problem.column), problem.message, problem.hint)


def _split(value: str) -> list[str]:
    return value.split(SEPARATOR) if value else []


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Each change in words: short values old → new, sources added and taken out, archived
    copies set, and the names of the free-text columns that changed."""
    said = []
    for column in [c for c in new if new[c] != old.get(c, "")]:
        if column in ("source_url", "archive_urls"):
            continue
        if column == "source_name" and new["source_url"] != old["source_url"]:
            continue  # (follows the sources added or taken out)
        if column in SHORT_VALUES:
            said.append(f"{column} {old.get(column) or '(empty)'} → {new[column] or '(empty)'}")
        else:
            said.append(column)
    before, after = _Sources.of(old), _Sources.of(new)
    said += [f"remove source {u}" for u in before.urls if u not in after.urls]
    said += [f"add source {u}" for u in after.urls if u not in before.urls]
    was, now = before.archive_of(), after.archive_of()
    said += [f"archive of {u} → {now[u]}" for u in after.urls if u in was and was[u] != now[u]]
    return said
