"""A brief: the filtered events as a document for a pull request, a wiki or a report.

``brief_of`` lays it out once, for every renderer (Markdown here, Word in ``docx``, the
dashboard's reading view): a title, the caption stamp (filters, count, data version, date), then
the events in date order under a heading per year, each with its date at its precision, title,
claim status, category, what changed of it (a "changed since" view: "Since 2024-05-01: status
alleged → confirmed"), description, actors, UN resolutions and note numbers; then the numbered
source notes, each distinct URL once, numbered in order of first citation (with its archived copy
when it has one). Markdown escapes text from the events file so it cannot change the markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd

from ..charts.changes import change_note
from ..charts.style import CATEGORY_LABELS, format_extent
from ..contract import schema
from ..query import EventFilter
from .provenance import ExportMeta

DEFAULT_TITLE = "Sanctions events"
NO_EVENTS = "No events match these filters."
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")  # (what can start or end markup mid-line)


@dataclass(frozen=True)
class Note:
    """A numbered source note: one distinct URL, the name first given for it, its archived copy."""

    number: int
    name: str
    url: str
    archive: str

    @property
    def label(self) -> str:
        """The source's name, else its host (e.g. ``www.un.org``)."""
        return self.name or urlsplit(self.url).hostname or self.url


@dataclass(frozen=True)
class BriefEvent:
    """One event as a brief shows it (``when``: its date or span at its precision)."""

    id: str
    date: str
    end_date: str
    when: str
    title: str
    status: str
    category: str
    description: str
    actors: list[str]
    resolutions: list[str]
    notes: list[int]
    change: str = ""  # what changed of it since a "changed since" date or revision, in words


@dataclass(frozen=True)
class Brief:
    """A brief's parts, in reading order: the events under their years, then the notes."""

    title: str
    caption: str
    years: list[tuple[str, list[BriefEvent]]]
    notes: list[Note]
    events: int


def brief_of(
    frame: pd.DataFrame, meta: ExportMeta, title: str | None = None, changes: Mapping[str, str] | None = None
) -> Brief:
    """The brief of ``frame``'s events (in its order: the filter's, by date); ``changes``: what
    changed of some of them, by id (``change_notes``)."""
    notes: dict[str, Note] = {}
    years: list[tuple[str, list[BriefEvent]]] = []
    for row in frame.itertuples(index=False):
        if not years or years[-1][0] != row.date[:4]:
            years.append((row.date[:4], []))
        years[-1][1].append(_event(row, notes, (changes or {}).get(str(row.id), "")))
    return Brief(title or DEFAULT_TITLE, meta.caption(), years, list(notes.values()), len(frame))


def change_notes(f: EventFilter) -> dict[str, str]:
    """What changed of each event ``f``'s "changed since" keeps, in words ("Since 2024-05-01: new",
    "Since HEAD: status alleged → confirmed"); empty without one."""
    if not f.changed_since or not f.changes:
        return {}
    return {i: change_note(f.changed_since, c) for i, c in f.changes.items()}


def _event(row, notes: dict[str, Note], change: str = "") -> BriefEvent:
    cited = []
    for url, name, archive in sources_of(row):
        if url not in notes:
            notes[url] = Note(len(notes) + 1, name, url, archive)
        cited.append(notes[url].number)
    return BriefEvent(
        str(row.id),
        str(row.date),
        str(row.end_date),
        format_extent(row.date, row.end_date),
        str(row.title),
        str(row.status),
        CATEGORY_LABELS[str(row.category)],
        str(row.description),
        _items(row.actors),
        _items(row.un_resolutions),
        cited,
        change,
    )


def _items(text: str) -> list[str]:
    return [item for item in str(text).split(schema.LIST_SEPARATOR) if item] if text else []


def sources_of(row) -> list[tuple[str, str, str]]:
    """(URL, name, archived copy) of each of a row's sources."""
    names = str(row.source_name).split(schema.SOURCE_SEPARATOR) if row.source_name else []
    copies = schema.archived_copies(row.source_url, getattr(row, "archive_urls", ""))
    return [(url, names[i] if i < len(names) else "", copy) for i, (url, copy) in enumerate(copies)]


def cited_as(numbers: list[int]) -> str:
    """E.g. "source 1" or "sources 1, 2"; empty for none."""
    if not numbers:
        return ""
    return f"source{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


# ---------------------------------------------------------------- Markdown


def escape(text: str) -> str:
    """``text`` as literal Markdown: its special characters backslashed, line breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def events_markdown(
    frame: pd.DataFrame, meta: ExportMeta, title: str | None = None, changes: Mapping[str, str] | None = None
) -> bytes:
    """The brief of ``frame``'s events as UTF-8 Markdown."""
    brief = brief_of(frame, meta, title, changes)
    lines = [f"# {escape(brief.title)}", "", f"_{escape(brief.caption)}_", ""]
    if not brief.events:
        lines += [NO_EVENTS, ""]
    for year, events in brief.years:
        lines += [f"## {year}", ""]
        for event in events:
            lines += [*_markdown_event(event), ""]
    if brief.notes:
        lines += ["## Sources", ""]
        for note in brief.notes:
            kept = f" ([archived]({_link(note.archive)}))" if note.archive else ""
            lines.append(f"{note.number}. {escape(note.name) + ': ' if note.name else ''}<{_link(note.url)}>{kept}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def _markdown_event(event: BriefEvent) -> list[str]:
    head = " · ".join(filter(None, [f"**{escape(event.when)}**", f"**{escape(event.title)}**", event.status]))
    if event.notes:
        head += " · " + cited_as(event.notes)
    lines = [f"- {head}", f"  {event.category}"]
    if event.change:
        lines.append(f"  _{escape(event.change)}_")
    if event.description:
        lines.append(f"  {escape(event.description)}")
    facts = []
    if event.actors:
        facts.append("Actors: " + escape(", ".join(event.actors)))
    if event.resolutions:
        facts.append("UN resolutions: " + escape(", ".join(event.resolutions)))
    if facts:
        lines.append("  " + " · ".join(facts))
    return [line + "  " for line in lines[:-1]] + lines[-1:]  # (two spaces: a line break)


def _link(url: str) -> str:
    """A URL safe inside ``<...>`` and ``(...)``."""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("(", "%28").replace(")", "%29")
