"""Exports of exactly the filtered view: charts as PNG/SVG/PDF/HTML, events as CSV/JSON or as a
TimelineJS story (its JSON format).

Every export goes through :func:`export_view`, which filters with the one ``filter_events``
and draws with the one set of chart builders in :mod:`tracker.charts`, so the dashboard,
``tracker export`` and the screen cannot disagree. Static images come from kaleido
(:mod:`tracker.export.image`, which keeps one Chromium warm per process).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import TrackerError
from ..query import EventFilter, filter_events
from .brief import change_notes, events_markdown
from .data import events_csv, events_json
from .docx import events_docx
from .figure import (
    CHARTS,
    DEFAULT_IMAGE_WIDTH,
    DEFAULT_TITLES,
    ImageSize,
    chart_figure,
    chart_html,
    for_print,
)
from .files import DATA_FORMATS, check_output, export_filename, write_export
from .image import IMAGE_FORMATS, render_image
from .provenance import ExportMeta, data_version, export_meta
from .timelinejs import events_timelinejs

FORMATS = (*IMAGE_FORMATS, "html", *DATA_FORMATS)
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
    "timelinejs": "application/json",
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class ExportResult:
    """An export's bytes, a file name saying what it holds, its media type and provenance."""

    content: bytes
    filename: str
    media_type: str
    meta: ExportMeta


def export_view(
    frame: pd.DataFrame,
    f: EventFilter,
    fmt: str,
    *,
    csv_path: str | Path,
    chart: str = "timeline",
    title: str | None = None,
    size: ImageSize | None = None,
    labels: str = "auto",
) -> ExportResult:
    """Filter the full ``frame`` with ``f`` (the one filter) and export it as ``fmt`` (a timeline
    chart with its events labelled as ``labels`` says: auto, all or none)."""
    if fmt not in FORMATS:
        raise TrackerError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if chart not in CHARTS:
        raise TrackerError(f"unknown chart {chart!r}", f"use one of {', '.join(CHARTS)}")
    shown = filter_events(frame, f)
    meta = export_meta(shown, f, csv_path, total=len(frame))
    name = export_filename(f, shown, chart, fmt)
    return ExportResult(_content(shown, meta, fmt, chart, title, size, labels, f), name, MEDIA_TYPES[fmt], meta)


def export_bytes(frame: pd.DataFrame, f: EventFilter, fmt: str, **options) -> bytes:
    """Just the bytes of :func:`export_view`."""
    return export_view(frame, f, fmt, **options).content


def _content(
    shown: pd.DataFrame,
    meta: ExportMeta,
    fmt: str,
    chart: str,
    title: str | None,
    size: ImageSize | None,
    labels: str = "auto",
    f: EventFilter | None = None,
) -> bytes:
    f = f or EventFilter()
    if fmt == "csv":
        return events_csv(shown)
    if fmt == "json":
        return events_json(shown, meta, f.changes)
    if fmt == "timelinejs":
        return events_timelinejs(shown, meta, title)
    if fmt == "md":
        return events_markdown(shown, meta, title, change_notes(f))
    if fmt == "docx":
        return events_docx(shown, meta, title, change_notes(f))
    size = size or ImageSize()
    fig = chart_figure(chart, shown, meta, title=title, size=size, labels=labels)
    if fmt == "html":
        return chart_html(fig, title or DEFAULT_TITLES[chart])
    width = size.width or DEFAULT_IMAGE_WIDTH
    return render_image(for_print(fig), fmt, width=width, height=fig.layout.height, scale=size.scale)


__all__ = [
    "CHARTS",
    "FORMATS",
    "ExportMeta",
    "ExportResult",
    "ImageSize",
    "check_output",
    "data_version",
    "export_bytes",
    "export_filename",
    "export_meta",
    "export_view",
    "write_export",
]
