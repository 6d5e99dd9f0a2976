"""One filter for every view: the dashboard, ``tracker list`` and every export."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .contract import DateParseError, parse_date, schema
from .contract.dates import day_after, first_day
from .errors import TrackerError

LIST_FIELDS = ("categories", "statuses", "actors", "resolutions", "precisions")


@dataclass(frozen=True)
class EventFilter:
    """What to show. ``None`` means no restriction; an empty tuple matches nothing."""

    categories: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    actors: tuple[str, ...] | None = None
    resolutions: tuple[str, ...] | None = None
    precisions: tuple[str, ...] | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None
    changed_since: str | None = None  # a date YYYY-MM-DD or a git revision
    # the ids ``changed_since`` keeps, worked out from the file's history (history.resolve_changed)
    changed_ids: frozenset[str] | None = field(default=None, compare=False, repr=False)
    # and what changed of each of them: its fields' (old, new), or None for an event that is new
    changes: Mapping[str, Mapping[str, tuple[str, str]] | None] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("since", "until", "search", "changed_since"):
            if getattr(self, name) == "":
                object.__setattr__(self, name, None)

    def describe(self) -> str:
        """The filter in words, for captions and file names' readers."""
        parts = []
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}: {', '.join(value) or 'none'}")
        if self.since or self.until:
            parts.append(f"dates: {self.since or '…'} to {self.until or '…'}")
        if self.search:
            parts.append(f'search: "{self.search}"')
        if self.changed_since:
            parts.append(f"changed since {self.changed_since}")
        return "; ".join(parts) or "no filters"


def parse_bound(text: str | None) -> str | None:
    """A since/until bound as ISO at its precision (free-form text accepted)."""
    return parse_date(text) if text else None


def _bound_days(iso: str, *, upper: bool) -> int:
    """Integer days since 1970 of a bound's first day, or the day after its last for ``upper``."""
    return int((day_after(iso) if upper else first_day(iso)).astype(np.int64))


def filter_events(frame: pd.DataFrame, f: EventFilter) -> pd.DataFrame:
    """The rows of ``frame`` that ``f`` keeps, in their original order.

    Dates select by overlap: an event is kept when any part of its extent falls between
    ``since`` (from its first day) and ``until`` (through its last day).
    """
    return frame[filter_mask(frame, f)]


def filter_mask(frame: pd.DataFrame, f: EventFilter) -> np.ndarray:
    """Boolean mask of the rows ``f`` keeps."""
    mask = np.ones(len(frame), dtype=bool)
    if f.categories is not None:
        mask &= is_in(frame["category"], f.categories)
    if f.statuses is not None:
        mask &= is_in(frame["status"], f.statuses)
    if f.precisions is not None:
        mask &= is_in(frame["precision"], f.precisions)
    if f.actors is not None:
        mask &= _any_listed(frame["actors"], f.actors, mask)
    if f.resolutions is not None:
        mask &= _any_listed(frame["un_resolutions"], f.resolutions, mask)
    if f.since:
        mask &= frame["end_day"].to_numpy() > _bound_days(f.since, upper=False)
    if f.until:
        mask &= frame["start_day"].to_numpy() < _bound_days(f.until, upper=True)
    if f.search:
        mask &= _search(frame, f.search, mask)
    if f.changed_since:
        if f.changed_ids is None:
            raise TrackerError(
                f"the filter 'changed since {f.changed_since}' needs the file's git history",
                "resolve it first (tracker.history.resolve_changed)",
            )
        mask &= is_in(frame["id"], f.changed_ids)
    return mask


def is_in(col: pd.Series, values: Collection[str]) -> np.ndarray:
    """Mask of the rows whose value is one of ``values``; a categorical column is looked up by
    its integer codes (one table lookup per row, no string compared), a column of Arrow strings
    by Arrow's own hash lookup (pandas' isin first makes an Arrow scalar of each value)."""
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        chunks = pa.array(col.array)  # (the column's own Arrow data, through __arrow_array__: no copy)
        wanted = pa.array([v for v in values if isinstance(v, str)], type=chunks.type)
        return pc.is_in(chunks, value_set=wanted).to_numpy(zero_copy_only=False)
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return col.isin(values).to_numpy()
    wanted = np.zeros(len(col.cat.categories) + 1, dtype=bool)  # the last slot: missing (code -1)
    wanted[:-1] = col.cat.categories.isin(values)
    return wanted[col.cat.codes.to_numpy()]


def _any_listed(col: pd.Series, wanted: tuple[str, ...], mask: np.ndarray) -> np.ndarray:
    out = np.zeros(len(col), dtype=bool)
    if not wanted or not mask.any():
        return out
    sub = ";" + col[mask] + ";"
    hit = np.zeros(len(sub), dtype=bool)
    for item in wanted:
        hit |= sub.str.contains(";" + item + ";", case=False, regex=False).to_numpy(dtype=bool)
    out[mask] = hit
    return out


def _search(frame: pd.DataFrame, text: str, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(len(frame), dtype=bool)
    if not mask.any():
        return out
    hit = np.zeros(int(mask.sum()), dtype=bool)
    for column in ("title", "description", "location"):
        values = frame[column] if mask.all() else frame[column][mask]
        hit |= values.str.contains(text, case=False, regex=False).to_numpy(dtype=bool)
    out[mask] = hit
    return out


# ---------------------------------------------------------------- URL query string

_QS_NAMES = {
    "categories": "category",
    "statuses": "status",
    "actors": "actor",
    "resolutions": "resolution",
    "precisions": "precision",
}


def to_query(f: EventFilter) -> str:
    """``f`` as a URL query string (without ``?``); an empty filter gives ``""``."""
    pairs: list[tuple[str, str]] = []
    for name in LIST_FIELDS:
        value = getattr(f, name)
        if value is not None:
            pairs.append((_QS_NAMES[name], ",".join(value) if value else "-"))
    for name in ("since", "until", "search", "changed_since"):
        value = getattr(f, name)
        if value:
            pairs.append((name if name != "search" else "q", value))
    return urlencode(pairs)


def from_query(query: str) -> EventFilter:
    """The filter a URL query string describes; unknown or malformed parts are ignored."""
    qs = parse_qs(query.lstrip("?"), keep_blank_values=True)
    allowed = {
        "categories": schema.CATEGORIES,
        "statuses": schema.STATUSES,
        "precisions": schema.PRECISIONS,
    }
    values: dict = {}
    for name in LIST_FIELDS:
        raw = qs.get(_QS_NAMES[name])
        if raw is None:
            continue
        items = tuple(v for v in raw[-1].split(",") if v and v != "-")
        if name in allowed:
            items = tuple(v for v in items if v in allowed[name])
        values[name] = items
    for name, key in (("since", "since"), ("until", "until"), ("search", "q"), ("changed_since", "changed_since")):
        raw = qs.get(key)
        if raw and raw[-1].strip():
            values[name] = raw[-1].strip()
    for name in ("since", "until"):
        if name in values:
            try:
                values[name] = parse_date(values[name])
            except DateParseError:
                del values[name]
    return EventFilter(**values)


__all__ = [
    "EventFilter",
    "filter_events",
    "filter_mask",
    "from_query",
    "is_in",
    "parse_bound",
    "replace",
    "to_query",
]
