"""Rows as text: a terminal table, plain CSV or JSON (the columns of the contract)."""

from __future__ import annotations

import io
import json

import pandas as pd

from ..contract import schema


def public_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Just the contract's columns, as the strings a CSV holds."""
    out = frame[list(schema.COLUMNS)].copy()
    for column in ("category", "status"):
        out[column] = out[column].astype(str)
    for column in ("lat", "lon"):
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    return out


def records(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The rows as dicts of the contract's columns."""
    return public_frame(frame).to_dict(orient="records")


def render_rows(frame: pd.DataFrame, fmt: str, width: int | None = None) -> str:
    """``frame`` as ``table``, ``csv`` or ``json`` text (a table's titles cut to fit ``width``
    characters a line, when given: a terminal's)."""
    if fmt == "csv":
        return public_frame(frame).to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        return json.dumps(records(frame), ensure_ascii=False, indent=2) + "\n"
    return _table(frame, width)


TITLE_CHARS = 70  # a table row's title, cut with "…" beyond this (or less, to fit a terminal)
MIN_TITLE_CHARS = 20


def _table(frame: pd.DataFrame, width: int | None = None) -> str:
    """One line per event: date, category, status, id (what edit, remove and history take, in
    full) and title; then the count."""
    buf = io.StringIO()
    id_width = int(frame["id"].str.len().max()) if len(frame) else 0
    widths = (10, 13, 9, id_width)  # (the date, category and status columns fit their longest values)
    room = TITLE_CHARS
    if width:
        room = min(TITLE_CHARS, max(MIN_TITLE_CHARS, width - sum(widths) - 2 * len(widths)))
    for *columns, title in frame[["date", "category", "status", "id", "title"]].astype(str).itertuples(index=False):
        title = title if len(title) <= room else title[: room - 1] + "…"
        buf.write("  ".join(f"{value:<{w}}" for value, w in zip(columns, widths, strict=True)) + f"  {title}\n")
    buf.write(f"{len(frame)} event{'s' if len(frame) != 1 else ''}\n")
    return buf.getvalue()
