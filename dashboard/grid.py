"""The events table, served a block of rows at a time (AG Grid's infinite row model).

The grid asks for rows ``[startRow, endRow)`` with its sort and column-filter models. The answer
is that block of the events the URL's filter keeps (``tracker.query.filter_mask``, the one
filter), narrowed by the grid's own column filters and sorted as asked, plus the total count.
Sorting uses a rank array per column, computed once per loaded frame, so a request at a million
events costs one integer sort of the filtered rows and never more than ``MAX_BLOCK`` rows of JSON.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracker.charts.changes import change_text
from tracker.charts.style import CATEGORY_LABELS
from tracker.query import EventFilter

from .memo import filter_masks, per_filter, per_frame

GRID_COLUMNS = (
    "date",
    "end_date",
    "title",
    "category",
    "status",
    "actors",
    "location",
    "un_resolutions",
)
CHANGE_COLUMN = "change"  # what changed of each row since a "changed since" (shown only with one)
BLOCK_SIZE = 100  # rows the grid asks for at a time (its cacheBlockSize)
MAX_BLOCK = 500  # never answer with more rows than this, whatever the request says

TEXT_TESTS = {
    "contains": lambda s, v: s.str.contains(v, regex=False),
    "notContains": lambda s, v: ~s.str.contains(v, regex=False),
    "equals": lambda s, v: s == v,
    "notEqual": lambda s, v: s != v,
    "startsWith": lambda s, v: s.str.startswith(v),
    "endsWith": lambda s, v: s.str.endswith(v),
    "blank": lambda s, v: s == "",
    "notBlank": lambda s, v: s != "",
}


def grid_block(frame: pd.DataFrame, f: EventFilter, request: dict | None) -> dict:
    """``{"rowData": [...], "rowCount": n}`` answering one ``getRowsRequest`` for filter ``f``."""
    request = request or {}
    positions = table_rows(frame, f, request.get("filterModel"), request.get("sortModel"))
    start = max(_int(request.get("startRow"), 0), 0)
    end = min(max(_int(request.get("endRow"), start + BLOCK_SIZE), start), start + MAX_BLOCK)
    return {"rowData": grid_records(frame, positions[start:end], f.changes), "rowCount": int(len(positions))}


def table_rows(frame: pd.DataFrame, f: EventFilter, filter_model, sort_model) -> np.ndarray:
    """Positions of the table's rows in order (cached, so scrolling on costs one slice)."""

    def build(fr: pd.DataFrame) -> np.ndarray:
        positions = np.flatnonzero(filter_masks(fr, f)[0]).astype(np.int32)  # < 2**31 rows
        positions = positions[column_filter_mask(fr, positions, filter_model)]
        return sorted_positions(fr, positions, sort_model)

    key = ("table", f, json.dumps([filter_model, sort_model], sort_keys=True, default=str))
    return per_filter.get(frame, key, build)


def grid_records(frame: pd.DataFrame, positions: np.ndarray, changes=None) -> list[dict]:
    """Table rows at ``positions``: the id (the grid's row id) plus the shown columns, as text;
    with ``changes`` (a "changed since" filter's), what changed of each ("status alleged →
    confirmed")."""
    rows = frame[["id", *GRID_COLUMNS]].take(positions)
    rows = rows.assign(category=shown_text(rows["category"], "category"))
    if changes is not None:
        rows[CHANGE_COLUMN] = [change_text(changes[i]) if i in changes else "" for i in rows["id"]]
    return rows.astype({"status": str}).to_dict(orient="records")


# ---------------------------------------------------------------- sorting


def sorted_positions(frame: pd.DataFrame, positions: np.ndarray, sort_model) -> np.ndarray:
    """``positions`` ordered by the grid's sort model (first item first); ties keep file order."""
    keys = []
    for item in reversed(_dicts(sort_model)):  # np.lexsort sorts by its last key first
        column = item.get("colId")
        if column in GRID_COLUMNS:
            rank = sort_ranks(frame, column)[positions]
            keys.append(-rank if item.get("sort") == "desc" else rank)
    if not keys:
        return positions
    return positions[np.lexsort(keys)]


def sort_ranks(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Each row's dense rank in ``column``'s text order (cached per frame)."""
    return per_frame(frame, ("grid-rank", column), lambda fr: _ranks(shown_text(fr[column], column)))


def _ranks(text: pd.Series) -> np.ndarray:
    ranks = pc.rank(pa.array(text, type=pa.large_string()), sort_keys="ascending", tiebreaker="dense")
    return ranks.to_numpy().astype(np.int32)


# ---------------------------------------------------------------- column filters


def column_filter_mask(frame: pd.DataFrame, positions: np.ndarray, filter_model) -> np.ndarray:
    """Which of ``positions`` pass the grid's column filters (text filters, case-insensitive)."""
    keep = np.ones(len(positions), dtype=bool)
    for column, model in (filter_model if isinstance(filter_model, dict) else {}).items():
        if column in GRID_COLUMNS and isinstance(model, dict) and keep.any():
            values = shown_text(frame[column].take(positions[keep]), column).str.casefold()
            keep[keep] = _model_mask(values, model)
    return keep


def _model_mask(values: pd.Series, model: dict) -> np.ndarray:
    """One column's filter model: a single condition or conditions joined by AND/OR."""
    conditions = _dicts(model.get("conditions")) or [model]
    masks = [_condition_mask(values, c) for c in conditions]
    combine = np.logical_or if model.get("operator") == "OR" else np.logical_and
    return combine.reduce(masks) if masks else np.ones(len(values), dtype=bool)


def _condition_mask(values: pd.Series, condition: dict) -> np.ndarray:
    test = TEXT_TESTS.get(condition.get("type"))
    needle = str(condition.get("filter") or "").casefold()
    if test is None or not (needle or condition.get("type") in ("blank", "notBlank")):
        return np.ones(len(values), dtype=bool)  # unknown or still empty: restricts nothing
    return np.asarray(test(values, needle), dtype=bool)


# ---------------------------------------------------------------- helpers


def shown_text(values: pd.Series, column: str) -> pd.Series:
    """A column as the table shows it, sorts it and filters it: plain strings, and each category
    by its label ("UN / legal", not legal_un)."""
    if column == "category":
        return values.astype(str).map(CATEGORY_LABELS).fillna("")
    return values.astype(str) if isinstance(values.dtype, pd.CategoricalDtype) else values


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default
