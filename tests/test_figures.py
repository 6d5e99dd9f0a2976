"""The figure builders, checked on fig.data / fig.layout without a browser."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from tracker.charts import counts as counts_chart
from tracker.charts import map as map_figure
from tracker.charts import timeline as figures
from tracker.charts.counts import build_counts_figure
from tracker.charts.map import build_map_figure
from tracker.charts.style import (
    CATEGORY_COLORS,
    EMPTY_MESSAGE,
    STATUS_STYLES,
    format_date,
    format_extent,
    hover_text,
    lanes_of,
)
from tracker.charts.timeline import build_timeline_figure, event_ids, timeline_spec
from tracker.contract import schema
from tracker.contract.dates import padded_dates
from tracker.query import EventFilter, filter_events
from tracker.storage import load_events

MS_PER_DAY = 86_400_000


SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "events.csv"


@pytest.fixture(scope="module")
def frame():
    return load_events(SHIPPED_CSV)


def event_traces(fig):
    return [t for t in fig.data if (t.meta or {}).get("kind") == "events"]


def points(fig):
    """(trace, index, id) for every plotted event."""
    return [(t, i, cid) for t in event_traces(fig) for i, cid in enumerate(t.customdata)]


def test_every_event_is_plotted_once(frame):
    fig = build_timeline_figure(frame)
    ids = [cid for _, _, cid in points(fig)]
    assert sorted(ids) == sorted(frame["id"]) and len(ids) == 46


def test_one_lane_per_category_in_schema_order(frame):
    fig = build_timeline_figure(frame)
    by_id = frame.set_index("id")["category"].astype(str)
    for trace, i, cid in points(fig):
        assert trace.y[i] == by_id[cid]
    assert list(fig.layout.yaxis2.categoryarray) == list(schema.CATEGORIES)
    assert fig.layout.yaxis2.ticktext[-1] == "UN / legal"
    only_two = filter_events(frame, EventFilter(categories=("energy", "labor")))
    assert list(build_timeline_figure(only_two).layout.yaxis2.categoryarray) == ["energy", "labor"]


def test_a_lone_event_is_shown_in_a_month_wide_window_on_every_lane(frame):
    """plotly's autorange would show a lone event's day in hours, its lane and its neighbours."""
    lone = frame[frame["id"] == "2019-04-25-kim-putin-vladivostok-summit"]
    spec = timeline_spec(lone, list(schema.CATEGORIES))
    assert spec["layout"]["xaxis"]["range"] == ["2019-04-10", "2019-05-11"]
    assert spec["layout"]["xaxis"]["rangeslider"]["range"] == ["2019-04-10", "2019-05-11"]
    assert spec["layout"]["yaxis2"]["range"] == [8.5, -0.5]  # (nine lanes, the first on top)
    decades = timeline_spec(frame)["layout"]["xaxis"]["range"]
    assert decades[0] < "2006-10-14" and decades[1] > "2024-12-16"


def test_a_lone_month_is_a_bar_ticked_by_month_and_the_map_counts_one_event(frame):
    lone = frame[frame["id"] == "2019-04-25-kim-putin-vladivostok-summit"]
    spec = counts_chart.counts_spec(lone)
    xaxis = spec["layout"]["xaxis"]
    assert (xaxis["range"], xaxis["dtick"], xaxis["tickformat"]) == (["2019-03-01", "2019-06-01"], "M1", "%b<br>%Y")
    assert spec["data"][0]["width"] == 27 * MS_PER_DAY
    assert "range" not in counts_chart.counts_spec(frame)["layout"]["xaxis"]  # (years of months: plotly ticks them)
    assert "width" not in counts_chart.counts_spec(frame)["data"][0]
    assert map_figure.map_spec(lone)["layout"]["title"]["text"] == "Where (1 event with coordinates)"


def test_colours_follow_the_category_everywhere(frame):
    fig = build_timeline_figure(frame)
    for trace, i, _ in points(fig):
        assert trace.marker.line.color[i] == CATEGORY_COLORS[trace.y[i]]
    for trace in build_counts_figure(frame).data:
        assert trace.marker.color == CATEGORY_COLORS[trace.meta["category"]]
    for trace in build_map_figure(frame).data:
        if "category" in trace.meta:  # (its markers, or its legend entry)
            assert trace.marker.color == CATEGORY_COLORS[trace.meta["category"]]
    assert len(set(CATEGORY_COLORS.values())) == len(schema.CATEGORIES) == 9


def _bar_extent(fig, event_id):
    for trace, i, cid in points(fig):
        if cid == event_id:
            assert trace.type == "bar" and trace.orientation == "h"
            start = pd.Timestamp(trace.base[i])
            return start, start + pd.Timedelta(milliseconds=trace.x[i])
    raise AssertionError(f"{event_id} not plotted")


def test_year_precision_spans_the_whole_year(frame):
    fig = build_timeline_figure(frame)
    assert _bar_extent(fig, "2013-khasan-rajin-rail-freight") == (
        pd.Timestamp("2013-01-01"),
        pd.Timestamp("2014-01-01"),
    )


def test_month_precision_and_spans_are_bars_over_their_extent(frame):
    fig = build_timeline_figure(frame)
    month_id = frame.loc[frame["date"] == "2022-11", "id"].iloc[0]
    assert _bar_extent(fig, month_id) == (pd.Timestamp("2022-11-01"), pd.Timestamp("2022-12-01"))
    span = frame[(frame["date"] == "2023-12-30") & (frame["end_date"] == "2024-01-02")].iloc[0]
    assert _bar_extent(fig, span["id"]) == (pd.Timestamp("2023-12-30"), pd.Timestamp("2024-01-03"))


def test_day_events_are_markers_at_their_day(frame):
    fig = build_timeline_figure(frame)
    day = frame[(frame["precision"] == "day") & (frame["end_date"] == "")]
    markers = {cid: (t.x[i], t.mode) for t, i, cid in points(fig) if t.type == "scatter"}
    assert set(markers) == set(day["id"]) and len(markers) == 32
    assert markers["2006-10-14-unsc-res-1718-adopted"] == ("2006-10-14", "markers")


def test_status_marks_filled_hollow_and_denied(frame):
    fig = build_timeline_figure(frame)
    status = frame.set_index("id")["status"].astype(str)
    symbols = {"scatter": {}, "bar": {}}
    for trace, _, cid in points(fig):
        assert trace.meta["status"] == status[cid]
        symbols[trace.type][status[cid]] = trace.marker.symbol if trace.type == "scatter" else trace.marker
    assert symbols["scatter"]["confirmed"] == "circle"
    assert symbols["scatter"]["reported"] == "circle-open"
    assert symbols["scatter"]["denied"] == "x"
    assert STATUS_STYLES["alleged"]["symbol"] == "diamond-open"
    legend = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in legend][:4] == ["confirmed", "reported", "alleged", "denied"]
    assert [t.marker.symbol for t in legend[:4]] == ["circle", "circle-open", "diamond-open", "x"]


def test_hollow_and_denied_bars_differ_from_confirmed():
    rows = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "date": ["2020-01", "2020-02", "2020-03"],
            "end_date": [""] * 3,
            "title": ["A", "B", "C"],
            "category": ["energy"] * 3,
            "status": ["confirmed", "reported", "denied"],
            "actors": [""] * 3,
            "precision": ["month"] * 3,
            "start": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]),
            "end": pd.to_datetime(["2020-02-01", "2020-03-01", "2020-04-01"]),
            "start_day": [18262, 18293, 18322],
            "end_day": [18293, 18322, 18353],
        }
    )
    bars = {
        t.meta["status"]: t
        for t in build_timeline_figure(rows).data
        if t.type == "bar" and t.meta.get("kind") == "events"
    }
    assert bars["confirmed"].marker.color == ("#999933",)
    assert bars["reported"].marker.color == ("rgba(153,153,51,0.18)",)
    assert bars["denied"].marker.pattern.shape == "x"


def test_hover_shows_date_at_its_precision_and_escapes_html(frame):
    spec = timeline_spec(frame)
    hover = {
        cid: text
        for t in spec["data"]
        if t.get("meta", {}).get("kind") == "events"
        for cid, text in zip(t["customdata"], t["hovertext"], strict=True)
    }
    assert "<br>2013 · confirmed<br>Actors: RUS, PRK" in hover["2013-khasan-rajin-rail-freight"]
    month_id = frame.loc[frame["date"] == "2022-11", "id"].iloc[0]
    assert "<br>Nov 2022 · " in hover[month_id]
    span_id = frame.loc[frame["date"] == "2023-12-30", "id"].iloc[0]
    assert "<br>30 Dec 2023 – 2 Jan 2024 · " in hover[span_id]
    hostile = frame.iloc[:1].copy()
    hostile["title"] = "<img src=x onerror=alert(1)>"
    text = timeline_spec(hostile)["data"][0]["hovertext"][0]
    assert "<img" not in text and html.escape("<img src=x onerror=alert(1)>") in text


def test_every_mark_shows_its_own_rows_fields(frame):
    """Each point of each event trace carries its own row's date, lane, colour and hover text."""
    by_id = {row.id: row for row in frame.itertuples(index=False)}
    seen = 0
    for trace in timeline_spec(frame)["data"]:
        if (trace.get("meta") or {}).get("kind") != "events":
            continue
        for n, event_id in enumerate(trace["customdata"]):
            row = by_id[event_id]
            assert trace["y"][n] == row.category
            assert trace["hovertext"][n] == hover_text(row)
            assert trace["marker"]["line"]["color"][n] == CATEGORY_COLORS[row.category]
            assert trace["meta"]["status"] == row.status
            if trace["type"] == "scatter":
                assert trace["x"][n] == row.date
            else:
                assert trace["base"][n] == row.start.strftime("%Y-%m-%d")
            seen += 1
    assert seen == len(frame)


def test_format_date_at_each_precision():
    assert [format_date(d) for d in ("2013", "2022-11", "2024-01-02")] == [
        "2013",
        "Nov 2022",
        "2 Jan 2024",
    ]
    assert format_extent("2022-09-05", "2022-09-06") == "5 Sep 2022 – 6 Sep 2022"


def test_range_slider_and_selector_buttons(frame):
    xaxis = build_timeline_figure(frame).layout.xaxis
    assert xaxis.rangeslider.visible is True
    assert [b.label for b in xaxis.rangeselector.buttons] == ["1y", "3y", "all"]


def test_the_range_slider_keeps_its_height_whatever_the_lanes(frame):
    """plotly sizes the slider as a share of the height inside the margins and grows the bottom
    margin to hold it: a slider of constant pixels keeps that margin, so no redraw runs twice."""
    for categories in (("energy",), ("energy", "labor", "military"), schema.CATEGORIES):
        layout = timeline_spec(filter_events(frame, EventFilter(categories=categories)))["layout"]
        inside = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
        assert layout["xaxis"]["rangeslider"]["thickness"] * inside == pytest.approx(figures.SLIDER_PX)


@pytest.mark.parametrize("builder", [build_timeline_figure, build_counts_figure, build_map_figure])
def test_empty_frame_says_so_instead_of_empty_axes(frame, builder):
    fig = builder(frame.iloc[:0])
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] == [EMPTY_MESSAGE]
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_counts_per_month_stacked_by_category(frame):
    fig = build_counts_figure(frame)
    assert fig.layout.barmode == "stack"
    total = sum(sum(t.y) for t in fig.data)
    assert total == 46
    transport = next(t for t in fig.data if t.meta["category"] == "transport")
    assert dict(zip(transport.x, transport.y, strict=True))["2013-01-01"] == 1
    months = padded_dates(frame["date"]).str[:7]
    assert max(max(t.y) for t in fig.data) <= months.value_counts().max()


def test_map_plots_only_located_events_offline(frame):
    fig = build_map_figure(frame)
    located = frame[frame["lat"].notna()]
    assert sorted(event_ids(fig.to_plotly_json())) == sorted(located["id"])
    assert len(located) == 44
    assert {t.type for t in fig.data} == {"scattergeo"}
    assert "mapbox" not in fig.layout.to_plotly_json() and "map" not in fig.layout.to_plotly_json()


def test_monthly_counts_match_a_plain_groupby(frame):
    counts = counts_chart.monthly_counts(frame)
    months = padded_dates(frame["date"]).str[:7] + "-01"
    expected = frame.groupby([months, frame["category"].astype(str)], observed=True).size()
    assert dict(zip(zip(counts["month"], counts["category"], strict=True), counts["count"], strict=True)) == {
        key: int(n) for key, n in expected.items()
    }


def test_above_a_thousand_month_bars_the_counts_chart_has_a_bar_per_year(frame, tmp_path):
    """Up to MAX_COUNT_BARS (month, category) bars a bar per month; beyond, a bar per year
    (thousands of month slivers cost the browser ~0.4 s per redraw), each holding exactly its
    year's events."""
    from synthetic import events

    assert build_counts_figure(frame).layout.title.text == "Events per month (by start)"
    (tmp_path / "many.csv").write_text(events(20_000).to_csv(index=False), encoding="utf-8")
    many = load_events(tmp_path / "many.csv", cache=False)
    assert len(counts_chart.monthly_counts(many)) > counts_chart.MAX_COUNT_BARS
    fig = build_counts_figure(many)
    assert fig.layout.title.text == "Events per year (by start)" and {t.xperiod for t in fig.data} == {"M12"}
    years = many["start"].dt.year.astype(str) + "-01-01"
    expected = many.groupby([years, many["category"].astype(str)], observed=True).size()
    drawn = {(x, t.meta["category"]): y for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    assert drawn == {key: int(n) for key, n in expected.items()} and sum(drawn.values()) == 20_000


def test_map_counts_cells_beyond_the_point_limit(frame):
    """Above MAP_POINT_LIMIT located events the map counts them per cell: the counts add up."""
    copies = map_figure.MAP_POINT_LIMIT // 44 + 1
    many = pd.concat([frame] * copies, ignore_index=True)
    located = many[many["lat"].notna()]
    spec = map_figure.map_spec(many)
    cells = [t for t in spec["data"] if t["meta"]["kind"] == "cells"]
    assert event_ids(spec) == [] and len(cells) == len(set(located["category"].astype(str)))
    assert sum(sum(t["text"]) for t in cells) == len(located) == 44 * copies
    for trace in cells:
        category = trace["meta"]["category"]
        assert sum(trace["text"]) == (located["category"] == category).sum()
        assert trace["marker"]["color"] == CATEGORY_COLORS[category]
    assert f"{len(located)} events with coordinates, counted per 0.5° cell" in spec["layout"]["title"]["text"]
    go.Figure(spec)  # a valid plotly figure


def test_map_cells_are_bounded_and_hold_their_points():
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-90, 90, 200_000), rng.uniform(-180, 180, 200_000)
    codes = rng.integers(0, len(schema.CATEGORIES), 200_000)
    cells, size = map_figure.map_cells(lat, lon, codes)
    assert cells["count"].sum() == 200_000 and len(cells) <= map_figure.MAP_MAX_CELLS
    assert size == 20  # 9 categories x 162 cells of 20° (x 648 of 10° would be too many)
    finer = map_figure.MAP_CELL_DEGREES[map_figure.MAP_CELL_DEGREES.index(size) - 1]
    assert len(np.unique(np.c_[codes, np.floor(lat / finer), np.floor(lon / finer)], axis=0)) > map_figure.MAP_MAX_CELLS
    one, one_size = map_figure.map_cells(np.array([42.26, 42.49]), np.array([130.26, 130.49]), np.array([0, 0]))
    assert one_size == 0.5 and one.to_dict("records") == [
        {"category": schema.CATEGORIES[0], "lat": 42.25, "lon": 130.25, "count": 2}
    ]


def test_map_legends_give_categories_by_colour_and_statuses_by_shape_apart(frame):
    data = build_map_figure(frame).to_plotly_json()["data"]
    shown = [t for t in data if t.get("showlegend", True)]
    categories = [t for t in shown if t.get("legend", "legend") == "legend"]
    statuses = [t for t in shown if t.get("legend") == "legend2"]
    assert [t["name"] for t in statuses] == list(STATUS_STYLES)
    assert [t["marker"]["symbol"] for t in statuses] == [s["symbol"] for s in STATUS_STYLES.values()]
    assert {t["marker"]["color"] for t in statuses} == {"#555555"}
    assert {t["marker"]["symbol"] for t in categories} == {"square"}  # (one shape: no status in it)
    assert [t["meta"]["category"] for t in categories] == lanes_of(frame[frame["lat"].notna()])
    markers = [t for t in data if t["meta"]["kind"] == "events"]
    assert all(t["showlegend"] is False and t["legendgroup"] == t["meta"]["category"] for t in markers)
    layout = build_map_figure(frame).layout
    assert (layout.legend.title.text, layout.legend2.title.text) == ("Category:", "Claim status:")


@pytest.mark.parametrize("aspect", [1.0, 1.8, 4.6])
@pytest.mark.parametrize(
    "lon, lat",
    [([130.6, 130.64], [42.42, 42.43]), ([-74.0, 132.0], [38.0, 56.0]), ([30.0, 40.0], [-10.0, 60.0])],
)
def test_the_map_view_holds_the_events_and_has_its_frames_shape(lon, lat, aspect):
    view = map_figure.fitted_view(np.array(lon), np.array(lat), aspect)
    lons, lats = view["lonaxis"]["range"], view["lataxis"]["range"]
    assert lons[0] < min(lon) and max(lon) < lons[1] and lats[0] < min(lat) and max(lat) < lats[1]
    assert lons[1] - lons[0] >= map_figure.MIN_SPAN_DEGREES
    if lons != [-180, 180]:  # (else the whole world's width is still too narrow for the frame)
        assert map_figure._aspect(lons, lats) == pytest.approx(aspect, rel=0.01)
    else:
        assert aspect == 4.6 and map_figure._aspect(lons, lats) < aspect


def test_the_counts_ticks_are_whole_events_and_its_margin_fits_the_legend(frame):
    one = build_counts_figure(frame[frame["category"] == "transport"], width=1200)
    assert one.layout.yaxis.dtick == 1
    assert one.layout.margin.b == 30 + 8  # tick labels; one category: plotly draws no legend
    wide = build_counts_figure(frame, width=1200)
    assert wide.layout.margin.b == 30 + 8 + 21 + 6  # tick labels and one legend row, no more
    assert build_counts_figure(frame, width=600).layout.margin.b == 30 + 8 + 21 * 3 + 6  # (4 columns)


def test_change_marks_say_what_changed_in_words():
    from tracker.charts.changes import ChangeMarks

    marks = ChangeMarks.of(
        ["a"],
        {
            "b": {"status": ("alleged", "confirmed"), "title": ("Old", "New")},
            "c": {"description": ("x", "y"), "source_url": ("u", "v")},
            "d": {"id": ("d-old", "d")},
        },
        "<v1>",
    )
    assert marks.kinds == {"a": "added", "b": "status", "c": "edited", "d": "edited"}
    assert marks.notes == {
        "a": "<i>Since &lt;v1&gt;: new</i>",
        "b": "<i>Since &lt;v1&gt;: status alleged → confirmed; edited title</i>",
        "c": "<i>Since &lt;v1&gt;: edited description, source_url</i>",
        "d": "<i>Since &lt;v1&gt;: id was d-old</i>",
    }
