"""The filtered events in TimelineJS's JSON format (timeline.knightlab.com/docs/json-format.html),
so a journalist can publish a filtered story with TimelineJS.

- ``title``: a slide with the export's headline and its caption (filters, count, data version).
- ``events``: one slide per event: ``start_date`` (and ``end_date`` for a span) as date objects
  at the event's precision (``year``; ``year`` and ``month``; or ``year``, ``month`` and ``day``,
  as numbers), ``text`` with the headline and, as HTML, the description, the claim status and
  the sources as links (with their archived copies); the category's label as ``group``; the event's id as ``unique_id``.

Every text is HTML-escaped: TimelineJS shows headline and text as HTML.
"""

from __future__ import annotations

import json
from html import escape

import pandas as pd

from ..contract import schema
from .provenance import ExportMeta

DEFAULT_HEADLINE = "Sanctions events"


def events_timelinejs(frame: pd.DataFrame, meta: ExportMeta, title: str | None = None) -> bytes:
    """``{"title": slide, "events": [slides]}`` as UTF-8 JSON."""
    labels = {value: category.label for value, category in schema.categories().items()}
    doc = {
        "title": {"text": {"headline": escape(title or DEFAULT_HEADLINE), "text": f"<p>{escape(meta.caption())}</p>"}},
        "events": [_slide(row, labels) for row in frame.itertuples(index=False)],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def date_object(iso: str) -> dict[str, int]:
    """A TimelineJS date object at the precision of an ISO date: 2022 -> {"year": 2022}."""
    parts = [int(p) for p in iso.split("-")]
    return dict(zip(("year", "month", "day"), parts, strict=False))


def _slide(row, labels: dict[str, str]) -> dict:
    slide = {
        "unique_id": row.id,
        "start_date": date_object(row.date),
        "text": {"headline": escape(row.title), "text": _text(row)},
        "group": labels[str(row.category)],
    }
    if row.end_date:
        slide["end_date"] = date_object(row.end_date)
    return slide


def _text(row) -> str:
    """The description's paragraphs, the claim status and the sources as links, in HTML."""
    paragraphs = [f"<p>{escape(line)}</p>" for line in str(row.description).splitlines() if line.strip()]
    paragraphs.append(f"<p>Claim status: {escape(str(row.status))}</p>")
    sources = schema.archived_copies(row.source_url, getattr(row, "archive_urls", ""))
    names = row.source_name.split(schema.SOURCE_SEPARATOR) if row.source_name else [url for url, _ in sources]
    links = [_link(url, name) + _archived(copy) for (url, copy), name in zip(sources, names, strict=True)]
    paragraphs.append(f"<p>Source{'s' if len(links) > 1 else ''}: {' · '.join(links)}</p>")
    return "".join(paragraphs)


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url, quote=True)}">{escape(text)}</a>'


def _archived(copy: str) -> str:
    return f" ({_link(copy, 'archived')})" if copy else ""
