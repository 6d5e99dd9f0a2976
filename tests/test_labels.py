"""Labels beside the timeline's marks: placement without collisions, on screen and in exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cli_helpers import run
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import views, zoom
from tracker.charts.labels import (
    CHAR_PX,
    EXPORT_LIMIT,
    GAP_PX,
    SCREEN_LIMIT,
    label_annotations,
    label_text,
    place_labels,
)
from tracker.export import chart_figure, export_meta
from tracker.query import EventFilter, filter_events
from tracker.storage import EventSource, load_events

WINDOW = (np.datetime64("2024-01-01"), np.datetime64("2024-12-31"))  # 365 days
WIDTH = 730  # two pixels a day


def rows(*events: tuple[str, str, str]) -> pd.DataFrame:
    """Chart rows from (id, day, category); titles are "Title of <id>"."""
    frame = pd.DataFrame(events, columns=["id", "date", "category"])
    frame["title"] = "Title of " + frame["id"]
    frame["short_title"] = ""
    frame["start"] = pd.to_datetime(frame["date"])
    return frame


def test_close_events_take_the_rows_above_and_below_then_the_rest_are_counted():
    placed, left_out = place_labels(
        rows(("a", "2024-02-01", "military"), ("b", "2024-02-03", "military"), ("c", "2024-02-05", "military")),
        WINDOW,
        WIDTH,
    )
    assert [(p.event_id, p.row) for p in placed] == [("a", 0), ("b", 1)]
    assert left_out == {"military": 1}
    far = place_labels(rows(("a", "2024-02-01", "energy"), ("b", "2024-08-01", "energy")), WINDOW, WIDTH)
    assert [(p.event_id, p.row) for p in far[0]] == [("a", 0), ("b", 0)] and far[1] == {}


def test_lanes_do_not_compete_and_only_the_window_is_labelled():
    placed, left_out = place_labels(
        rows(("a", "2024-02-01", "military"), ("b", "2024-02-01", "energy"), ("c", "2023-06-01", "energy")),
        WINDOW,
        WIDTH,
    )
    assert sorted((p.event_id, p.lane, p.row) for p in placed) == [("a", "military", 0), ("b", "energy", 0)]
    assert left_out == {}


def test_a_label_that_would_run_off_the_right_edge_goes_left_of_its_mark():
    (late,), _ = place_labels(rows(("z", "2024-12-20", "military")), WINDOW, WIDTH)
    assert late.left
    (annotation,) = label_annotations([late], {})
    assert (annotation["xanchor"], annotation["xshift"]) == ("right", -GAP_PX)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 364), min_size=1, max_size=40))
def test_no_two_labels_of_a_lane_row_overlap(days):
    events = [(f"e{i}", str(np.datetime64("2024-01-01") + d), "military") for i, d in enumerate(days)]
    placed, left_out = place_labels(rows(*events), WINDOW, WIDTH)
    assert len(placed) + sum(left_out.values()) == len(days)
    spans: dict[int, list[tuple[float, float]]] = {}
    for p in placed:
        x = (np.datetime64(p.x) - WINDOW[0]).astype(int) * WIDTH / 365
        width = len(p.text) * CHAR_PX
        start = x - GAP_PX - width if p.left else x + GAP_PX
        assert 0 <= start and start + width <= WIDTH + GAP_PX
        spans.setdefault(p.row, []).append((start, start + width))
    for boxes in spans.values():
        boxes.sort()
        assert all(a[1] + GAP_PX <= b[0] for a, b in zip(boxes, boxes[1:], strict=False))


def test_the_label_is_the_short_title_else_the_title_cut_at_a_word():
    assert label_text("A very long title about the Panel of Experts' last renewal") == "A very long title about the…"
    assert label_text("A very long title about the Panel", short_title="Panel renewed") == "Panel renewed"
    assert label_text("Short") == "Short"


def test_label_text_is_escaped_for_plotly():
    frame = rows(("x", "2024-03-01", "military"))
    frame["title"] = "<b>Bold</b> & co"
    placed, _ = place_labels(frame, WINDOW, WIDTH)
    assert label_annotations(placed, {"energy": 2})[0]["text"] == "&lt;b&gt;Bold&lt;/b&gt; &amp; co"
    more = label_annotations([], {"energy": 2})[0]
    assert (more["name"], more["text"]) == ("more:energy", "+2")


def label_ids(spec: dict) -> list[str]:
    return sorted(a["name"][6:] for a in spec["layout"].get("annotations", []) if a["name"].startswith("label:"))


def test_the_dashboard_labels_a_view_of_few_events(events_csv):
    snap = EventSource(events_csv).snapshot()
    military = filter_events(snap.frame, EventFilter(categories=("military",)))
    shown = views.render_view(snap, "?category=military").timeline
    assert 0 < len(label_ids(shown)) <= len(military)
    assert set(label_ids(shown)) <= set(military["id"])
    assert len(snap.frame) > SCREEN_LIMIT or label_ids(views.render_view(snap, "").timeline)


def test_zooming_in_labels_more_and_zooming_out_past_the_limit_labels_none(tmp_path):
    from synthetic import events

    csv = tmp_path / "events.csv"
    events(400, seed=5).to_csv(csv, index=False)
    frame = load_events(csv)
    everything = zoom.zoomed_timeline(frame, EventFilter(), {"xaxis.autorange": True})
    assert label_ids(everything) == [], "400 events: too many to label"
    lo = frame["start"].min()
    window = (str(lo.date()), str((lo + pd.Timedelta(days=200)).date()))
    inside = frame[(frame["start"] >= window[0]) & (frame["start"] <= window[1])]
    assert 0 < len(inside) <= SCREEN_LIMIT
    zoomed = zoom.zoomed_timeline(frame, EventFilter(), {"xaxis.range[0]": window[0], "xaxis.range[1]": window[1]})
    assert label_ids(zoomed) and set(label_ids(zoomed)) <= set(inside["id"])
    assert zoomed["layout"]["xaxis"]["range"] == list(window)


@pytest.mark.parametrize(
    ("labels", "categories", "labelled"),
    [
        ("auto", ("military",), True),
        ("auto", None, False),
        ("all", None, True),
        ("none", ("military",), False),
    ],
)
def test_exports_label_up_to_the_limit_unless_told(events_csv, labels, categories, labelled):
    frame = load_events(events_csv)
    shown = filter_events(frame, EventFilter(categories=categories))
    assert (len(shown) <= EXPORT_LIMIT) == (categories is not None)
    fig = chart_figure("timeline", shown, export_meta(shown, EventFilter(), events_csv), labels=labels)
    names = [a.name for a in fig.layout.annotations if (a.name or "").startswith("label:")]
    assert bool(names) == labelled
    assert set(n[6:] for n in names) <= set(shown["id"])


def test_the_cli_refuses_an_unknown_labels_setting(events_csv, tmp_path):
    result = run("export", str(events_csv), "--labels", "some", "-o", str(tmp_path / "t.svg"))
    assert result.exit_code == 2
    assert "Invalid value for '--labels'" in result.output
    assert not (tmp_path / "t.svg").exists()
