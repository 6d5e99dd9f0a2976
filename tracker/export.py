"""Exports of exactly the filtered view: charts as PNG/SVG/PDF/HTML, events as CSV/JSON.

Every export goes through :func:`export_view`, which filters with the one ``filter_events``
and draws with the one set of figure builders in :mod:`tracker.figures`, so the dashboard,
``tracker export`` and the screen cannot disagree. Static images come from kaleido
(see :mod:`tracker.export_image`, which keeps one Chromium warm per process).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import figures, map_figure, schema
from .errors import TrackerError
from .export_image import IMAGE_FORMATS, geo_assets_script, render_image
from .filewrite import atomic_write
from .query import LIST_FIELDS, EventFilter, filter_events, to_query
from .render import public_frame, records

CHARTS = ("timeline", "counts", "map")
DATA_FORMATS = ("csv", "json")
FORMATS = (*IMAGE_FORMATS, "html", *DATA_FORMATS)
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
               "html": "text/html", "csv": "text/csv", "json": "application/json"}  # fmt: skip
BUILDERS = {"timeline": figures.build_timeline_figure, "counts": figures.build_counts_figure,
            "map": map_figure.build_map_figure}  # fmt: skip
FILE_PREFIX = {"timeline": "events", "counts": "event-counts", "map": "event-map"}
DEFAULT_TITLES = {"timeline": "Sanctions events timeline", "counts": "Sanctions events per month",
                  "map": "Where sanctions events happened"}  # fmt: skip
CAPTION_ROOM = 70  # extra pixels at the top for title and caption
DEFAULT_IMAGE_WIDTH = 1200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = tuple(f.name for f in schema.fields() if f.type == "string")


@dataclass(frozen=True)
class ImageSize:
    """Layout size in CSS pixels; the image is ``width*scale`` by ``height*scale`` pixels.

    ``None`` picks a default: 1200 px wide images (HTML pages follow the window's width) and
    the chart's own height plus room for the caption.
    """

    width: int | None = None
    height: int | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class ExportMeta:
    """What an export holds: the caption of every chart and the ``meta`` of JSON exports."""

    filters: str
    events: int
    total_events: int
    data_file: str
    data_version: str
    generated: str
    query: str = ""

    def caption(self) -> str:
        """One line of plain text naming filters, count, data version and date."""
        noun = "event" if self.events == 1 else "events"
        filters = self.filters if len(self.filters) <= 140 else self.filters[:139] + "…"
        return (f"Filters: {filters} · {self.events} of {self.total_events} {noun} · "
                f"data: {self.data_file} @ {self.data_version} · generated {self.generated[:10]}")  # fmt: skip

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- provenance


def data_version(path: str | Path) -> str:
    """Short git commit of ``path`` when it is tracked and unchanged, else ``sha256:`` + 12 hex."""
    path = Path(path).resolve()
    commit = _git_commit(path)
    if commit:
        return commit
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"sha256:{digest[:12]}"


def _git_commit(path: Path) -> str | None:
    """The last commit touching ``path``, if git knows it and the file has no local changes."""

    def git(*args: str) -> str | None:
        try:
            # no optional locks: never write the index; no fsmonitor: run no configured command
            cmd = ["git", "--no-optional-locks", "-c", "core.fsmonitor=false", "-C", str(path.parent), *args]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("log", "-1", "--format=%h", "--", path.name)
    if not commit or git("status", "--porcelain", "--", path.name) != "":
        return None
    return commit


def export_meta(frame: pd.DataFrame, f: EventFilter, csv_path: str | Path, *,
                total: int | None = None, now: datetime | None = None) -> ExportMeta:  # fmt: skip
    """The provenance of an export of ``frame`` (already filtered by ``f``)."""
    now = now or datetime.now(UTC)
    return ExportMeta(
        filters=f.describe(), events=len(frame), total_events=len(frame) if total is None else total,
        data_file=Path(csv_path).name, data_version=data_version(csv_path),
        generated=now.replace(microsecond=0).isoformat().replace("+00:00", "Z"), query=to_query(f),
    )  # fmt: skip


# ---------------------------------------------------------------- data exports


def neutralise_formulas(public: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells a spreadsheet would run as a formula; numbers stay numbers."""
    out = public.copy()
    for column in TEXT_COLUMNS:
        if column in out:
            values = out[column].astype(str)
            risky = values.str.startswith(FORMULA_STARTS)
            out[column] = values.where(~risky, "'" + values)
    return out


def events_csv(frame: pd.DataFrame) -> bytes:
    """The rows as plain CSV of the contract's columns, safe to open in a spreadsheet."""
    text = neutralise_formulas(public_frame(frame)).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def events_json(frame: pd.DataFrame, meta: ExportMeta) -> bytes:
    """``{"meta": {...}, "events": [rows]}`` as UTF-8 JSON."""
    doc = {"meta": meta.as_dict(), "events": records(frame)}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------- chart exports


def chart_figure(chart: str, frame: pd.DataFrame, meta: ExportMeta, *,
                 title: str | None = None, size: ImageSize | None = None) -> go.Figure:  # fmt: skip
    """The dashboard's figure for ``chart`` with a title and the provenance caption."""
    if chart not in BUILDERS:
        raise TrackerError(f"unknown chart {chart!r}", f"use one of {', '.join(CHARTS)}")
    fig = BUILDERS[chart](frame)
    own = fig.layout.title.text  # the builder's title is already plotly-safe text
    stamp_caption(fig, meta, title=html.escape(title, quote=False) if title else own or DEFAULT_TITLES[chart])
    if size is not None:
        fig.update_layout(width=size.width, height=size.height or (fig.layout.height or 450) + CAPTION_ROOM)
    return fig


def for_print(fig: go.Figure) -> go.Figure:
    """Drop the interactive-only widgets (range slider and buttons) from a static image."""
    fig.update_xaxes(rangeslider_visible=False, rangeselector_visible=False)
    return fig


def stamp_caption(fig: go.Figure, meta: ExportMeta, *, title: str) -> go.Figure:
    """Set ``title`` (plotly text, already escaped) and the caption under it as a subtitle."""
    caption = html.escape(meta.caption(), quote=False)
    margin_top = (fig.layout.margin.t or 30) + CAPTION_ROOM
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "yref": "container", "y": 1,
               "yanchor": "top", "pad": {"t": 12},
               "subtitle": {"text": caption, "font": {"size": 11, "color": "#555"}}},
        margin={"t": margin_top},
    )  # fmt: skip
    return fig


def chart_html(fig: go.Figure, title: str) -> bytes:
    """A self-contained page: plotly.js and map outlines inlined, no network requests."""
    page = fig.to_html(include_plotlyjs=True, full_html=True,
                       config={"displaylogo": False, "responsive": True})  # fmt: skip
    head = f'<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>'
    if any(trace.type == "scattergeo" for trace in fig.data):
        head += f"\n<script>{geo_assets_script()}</script>"
    return page.replace("<head>", head, 1).encode("utf-8")


# ---------------------------------------------------------------- one entry point


@dataclass(frozen=True)
class ExportResult:
    """An export's bytes, a file name saying what it holds, its media type and provenance."""

    content: bytes
    filename: str
    media_type: str
    meta: ExportMeta


def export_view(frame: pd.DataFrame, f: EventFilter, fmt: str, *, csv_path: str | Path,
                chart: str = "timeline", title: str | None = None,
                size: ImageSize | None = None) -> ExportResult:  # fmt: skip
    """Filter the full ``frame`` with ``f`` (the one filter) and export it as ``fmt``."""
    if fmt not in FORMATS:
        raise TrackerError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if chart not in CHARTS:
        raise TrackerError(f"unknown chart {chart!r}", f"use one of {', '.join(CHARTS)}")
    shown = filter_events(frame, f)
    meta = export_meta(shown, f, csv_path, total=len(frame))
    name = export_filename(f, shown, chart, fmt)
    return ExportResult(_content(shown, meta, fmt, chart, title, size), name, MEDIA_TYPES[fmt], meta)


def export_bytes(frame: pd.DataFrame, f: EventFilter, fmt: str, **options) -> bytes:
    """Just the bytes of :func:`export_view`."""
    return export_view(frame, f, fmt, **options).content


def _content(shown: pd.DataFrame, meta: ExportMeta, fmt: str, chart: str, title: str | None,
             size: ImageSize | None) -> bytes:  # fmt: skip
    if fmt == "csv":
        return events_csv(shown)
    if fmt == "json":
        return events_json(shown, meta)
    size = size or ImageSize()
    fig = chart_figure(chart, shown, meta, title=title, size=size)
    if fmt == "html":
        return chart_html(fig, title or DEFAULT_TITLES[chart])
    width = size.width or DEFAULT_IMAGE_WIDTH
    return render_image(for_print(fig), fmt, width=width, height=fig.layout.height, scale=size.scale)


def check_output(path: str | Path) -> Path:
    """``path`` if an export can be written there, else a TrackerError saying why."""
    path = Path(path)
    if path.is_dir():
        raise TrackerError(f"cannot write {path}: it is a folder", "give a file name with -o")
    if not path.parent.is_dir():
        raise TrackerError(f"cannot write {path}: folder {path.parent} does not exist",
                           "create it first or choose another -o path")  # fmt: skip
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


# ---------------------------------------------------------------- file names


def export_filename(f: EventFilter, frame: pd.DataFrame, chart: str, fmt: str) -> str:
    """A file name saying what it holds, e.g. ``events_military-arms_transfer_2022-2024.png``."""
    prefix = "events" if fmt in DATA_FORMATS else FILE_PREFIX.get(chart, chart)
    parts = [prefix, *_filter_parts(f), _year_span(frame)]
    stem = "_".join(_slug(p) for p in parts if p)
    return f"{stem[:150].rstrip('_-.')}.{fmt}"


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
