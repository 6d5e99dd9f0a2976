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


def render_rows(frame: pd.DataFrame, fmt: str) -> str:
    """``frame`` as ``table``, ``csv`` or ``json`` text."""
    if fmt == "csv":
        return public_frame(frame).to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        return json.dumps(records(frame), ensure_ascii=False, indent=2) + "\n"
    return _table(frame)


def _table(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    for row in frame.itertuples(index=False):
        title = row.title if len(row.title) <= 70 else row.title[:69] + "…"
        buf.write(f"{row.date:<10}  {row.category!s:<13}  {row.status!s:<9}  {title}\n")
    buf.write(f"{len(frame)} event{'s' if len(frame) != 1 else ''}\n")
    return buf.getvalue()
