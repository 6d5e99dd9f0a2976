"""A brief: the filtered events as a Markdown document for a pull request, a wiki or a report.

A title, the caption stamp (filters, count, data version, date), then the events in date order
under a heading per year: each with its date at its precision, title, claim status, category,
description, actors, UN resolutions and note numbers; then the numbered source notes, each
distinct URL once, numbered in order of first citation (with its archived copy when it has one).
Text from the events file is escaped so that it cannot change the document's markup.
"""

from __future__ import annotations

import re

import pandas as pd

from ..charts.style import CATEGORY_LABELS, format_extent
from ..contract import schema
from .provenance import ExportMeta

DEFAULT_TITLE = "Sanctions events"
NO_ARCHIVE = "-"
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")  # (what can start or end markup mid-line)


def escape(text: str) -> str:
    """``text`` as literal Markdown: its special characters backslashed, line breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def events_markdown(frame: pd.DataFrame, meta: ExportMeta, title: str | None = None) -> bytes:
    """The brief of ``frame``'s events as UTF-8 Markdown."""
    lines = [f"# {escape(title or DEFAULT_TITLE)}", "", f"_{escape(meta.caption())}_", ""]
    notes: dict[str, tuple[int, str, str]] = {}  # url -> (number, name, archived copy)
    if frame.empty:
        lines += ["No events match these filters.", ""]
    year = None
    for row in frame.itertuples(index=False):
        if row.date[:4] != year:
            year = row.date[:4]
            lines += [f"## {year}", ""]
        lines += [*_event(row, notes), ""]
    if notes:
        lines += ["## Sources", ""]
        for url, (number, name, archive) in sorted(notes.items(), key=lambda item: item[1][0]):
            kept = f" ([archived]({_link(archive)}))" if archive else ""
            lines.append(f"{number}. {escape(name) + ': ' if name else ''}<{_link(url)}>{kept}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def _event(row, notes: dict) -> list[str]:
    cited = [_cite(notes, url, name, archive) for url, name, archive in _sources(row)]
    head = f"**{escape(format_extent(row.date, row.end_date))}** · **{escape(row.title)}** · {row.status}"
    if cited:
        head += f" · source{'s' if len(cited) > 1 else ''} {', '.join(map(str, cited))}"
    lines = [f"- {head}", f"  {CATEGORY_LABELS[str(row.category)]}"]
    if row.description:
        lines.append(f"  {escape(row.description)}")
    facts = []
    if row.actors:
        facts.append("Actors: " + escape(", ".join(row.actors.split(schema.LIST_SEPARATOR))))
    if row.un_resolutions:
        facts.append("UN resolutions: " + escape(", ".join(row.un_resolutions.split(schema.LIST_SEPARATOR))))
    if facts:
        lines.append("  " + " · ".join(facts))
    return [line + "  " for line in lines[:-1]] + lines[-1:]  # (two spaces: a line break)


def _cite(notes: dict, url: str, name: str, archive: str) -> int:
    if url not in notes:
        notes[url] = (len(notes) + 1, name, archive)
    return notes[url][0]


def _sources(row) -> list[tuple[str, str, str]]:
    """(URL, name, archived copy) of each of the row's sources."""
    urls = [u for u in str(row.source_url).split(schema.SOURCE_SEPARATOR) if u]
    names = str(row.source_name).split(schema.SOURCE_SEPARATOR) if row.source_name else []
    archives = str(getattr(row, "archive_urls", "") or "").split(schema.SOURCE_SEPARATOR)
    return [
        (
            url,
            names[i] if i < len(names) else "",
            archives[i] if i < len(archives) and archives[i] != NO_ARCHIVE else "",
        )
        for i, url in enumerate(urls)
    ]


def _link(url: str) -> str:
    """A URL safe inside ``<...>`` and ``(...)``."""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("(", "%28").replace(")", "%29")
