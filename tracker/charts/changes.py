"""Changes on the timeline: a ring around each event that is new, edited or changed status since
a chosen date, and a line of its hover text saying what changed (what changed comes from
tracker.history; this only draws it)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .style import CHANGE_STYLES
from .timeline import is_bar, on_lane_axes

RING_SIZE = 21  # wider than an event's mark (11), so the ring shows around it


def change_kind(changes: Mapping[str, tuple[str, str]] | None) -> str:
    """ "added" (no earlier version), "status" (its status changed) or "edited"."""
    if changes is None:
        return "added"
    return "status" if "status" in changes else "edited"


def changed_fields(changes: Mapping[str, tuple[str, str]]) -> list[str]:
    """The fields an edit changed, in the file's order (an id change is told apart)."""
    return [name for name in changes if name not in ("id", "status")]


def change_text(changes: Mapping[str, tuple[str, str]] | None) -> str:
    """What changed of one event, in words: "new", "status alleged → confirmed", "edited title"."""
    if changes is None:
        return "new"
    parts = [f"status {changes['status'][0]} → {changes['status'][1]}"] if "status" in changes else []
    if fields := changed_fields(changes):
        parts.append("edited " + ", ".join(fields))
    if "id" in changes:
        parts.append(f"id was {changes['id'][0]}")
    return "; ".join(parts)


def change_note(since: str, changes: Mapping[str, tuple[str, str]] | None) -> str:
    """One event's change in a line: "Since 2024-05-01: status alleged → confirmed"."""
    return f"Since {since}: {change_text(changes)}"


@dataclass(frozen=True)
class ChangeMarks:
    """What the timeline shows of a "changed since": each changed event's kind (its ring) and a
    line of its hover text saying what changed."""

    kinds: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, added: Iterable[str], changed: Mapping[str, Mapping[str, tuple[str, str]]], since: str):
        """The marks of the events ``added`` and ``changed`` (id: field: (old, new)) since ``since``."""
        whats = {i: None for i in added} | dict(changed)
        return cls(  # (the since is from the URL: plotly renders hover text as HTML)
            {i: change_kind(c) for i, c in whats.items()},
            {i: f"<i>{html.escape(change_note(since, c))}</i>" for i, c in whats.items()},
        )


def change_marks(rows: pd.DataFrame, kinds: Mapping[str, str]) -> list[dict]:
    """One trace of rings per kind of change among ``rows`` (chart rows), each in the legend.
    A span's ring sits at its middle. The rings take no hover or click: the event's mark does."""
    if rows.empty or not kinds:
        return []
    kind = rows["id"].map(kinds).to_numpy()
    x = _ring_x(rows)
    traces = []
    for name, style in CHANGE_STYLES.items():
        chosen = kind == name
        if not chosen.any():
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"changed: {style['label']}",
                "legendgroup": f"change-{name}",  # (one group per kind: the legend stays one line)
                "meta": {"kind": "changes", "change": name},
                "x": x[chosen].tolist(),
                "y": rows["category"].astype(str).to_numpy()[chosen].tolist(),
                "customdata": rows["id"].to_numpy()[chosen].tolist(),
                "hoverinfo": "skip",
                "marker": {
                    "symbol": style["symbol"],
                    "size": RING_SIZE,
                    "color": style["color"],
                    "line": {"width": 2.5, "color": style["color"]},
                },
            }
        )
    return on_lane_axes(traces)


def _ring_x(rows: pd.DataFrame) -> np.ndarray:
    middle = rows["start"] + (rows["end"] - rows["start"]) / 2
    return np.where(is_bar(rows), middle.dt.strftime("%Y-%m-%d").to_numpy(), rows["date"].to_numpy())


def changed_ids_of(spec: dict) -> dict[str, str]:
    """The ringed event ids of a timeline figure, with their kind of change."""
    return {
        i: t["meta"]["change"]
        for t in spec["data"]
        if (t.get("meta") or {}).get("kind") == "changes"
        for i in t["customdata"]
    }
