"""Events as data: plain CSV of the contract's columns (safe to open in a spreadsheet) and JSON
with the export's provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from ..contract import schema
from .provenance import ExportMeta
from .rows import public_frame, records

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = tuple(f.name for f in schema.fields() if f.type == "string")


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


def events_json(frame: pd.DataFrame, meta: ExportMeta, changes: Mapping | None = None) -> bytes:
    """``{"meta": {...}, "events": [rows]}`` as UTF-8 JSON; for a "changed since" view (``changes``:
    the filter's, by id), also ``"changes": {"added": [ids], "changed": [{"id": ..., "changes":
    {FIELD: [OLD, NEW]}}]}`` of the events shown, as ``tracker diff --format json`` gives them."""
    doc: dict = {"meta": meta.as_dict(), "events": records(frame)}
    if changes is not None:
        shown = sorted(set(frame["id"]) & set(changes))
        doc["changes"] = {
            "added": [i for i in shown if changes[i] is None],
            "changed": [{"id": i, "changes": {k: list(v) for k, v in changes[i].items()}} for i in shown if changes[i]],
        }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
