"""The events table (a block of rows at a time) and the details panel."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from dash import html
from dashboard_helpers import find, text_of

from dashboard import create_app, details, ids
from dashboard.grid import GRID_COLUMNS, MAX_BLOCK, grid_block
from tracker.charts.style import CATEGORY_LABELS
from tracker.links import DEAD, DOUBTFUL, OK, LinkResult
from tracker.query import EventFilter, filter_events, from_query

SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "events.csv"


# ---------------------------------------------------------------- the table, a block at a time


def test_grid_block_is_the_requested_block_sorted_as_asked(source):
    frame = source.frame()
    confirmed = frame[frame["status"] == "confirmed"]
    request = {
        "startRow": 5,
        "endRow": 15,
        "sortModel": [{"colId": "category", "sort": "asc"}, {"colId": "date", "sort": "desc"}],
    }
    block = grid_block(frame, from_query("?status=confirmed"), request)
    by_date_desc = sorted(confirmed.itertuples(), key=lambda r: r.date, reverse=True)
    expected = sorted(by_date_desc, key=lambda r: CATEGORY_LABELS[str(r.category)])[5:15]  # as shown
    assert [r["id"] for r in block["rowData"]] == [r.id for r in expected]
    assert [r["category"] for r in block["rowData"]] == [CATEGORY_LABELS[str(r.category)] for r in expected]
    assert block["rowCount"] == len(confirmed) == 33
    assert list(block["rowData"][0]) == ["id", *GRID_COLUMNS]
    assert all(isinstance(v, str) for row in block["rowData"] for v in row.values())


def test_the_table_shows_filters_and_sorts_category_labels_not_codes(source):
    frame = source.frame()
    request = {"startRow": 0, "endRow": 100, "filterModel": {"category": {"type": "startsWith", "filter": "un /"}}}
    block = grid_block(frame, from_query(""), request)
    assert block["rowCount"] == int((frame["category"] == "legal_un").sum()) > 0
    assert {r["category"] for r in block["rowData"]} == {"UN / legal"}
    codes = grid_block(
        frame, from_query(""), {**request, "filterModel": {"category": {"type": "equals", "filter": "legal_un"}}}
    )
    assert codes["rowCount"] == 0, "the code is not what the table shows"


def test_grid_block_applies_column_filters_on_the_filtered_rows(source):
    frame = source.frame()
    request = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "title", "sort": "desc"}],
        "filterModel": {
            "actors": {"filterType": "text", "type": "contains", "filter": "prk"},
            "location": {
                "filterType": "text",
                "operator": "OR",
                "conditions": [
                    {"filterType": "text", "type": "startsWith", "filter": "PYONGYANG"},
                    {"filterType": "text", "type": "endsWith", "filter": "seoul"},
                ],
            },
        },
    }
    block = grid_block(frame, from_query("?since=2022"), request)
    kept = filter_events(frame, EventFilter(since="2022"))
    place = kept["location"].str.lower()
    kept = kept[kept["actors"].str.contains("PRK") & (place.str.startswith("pyongyang") | place.str.endswith("seoul"))]
    assert [r["id"] for r in block["rowData"]] == list(kept.sort_values("title", ascending=False)["id"])
    assert block["rowCount"] == len(kept) == 9


def test_grid_block_never_sends_more_than_a_block(source):
    frame = pd.concat([source.frame()] * 12, ignore_index=True)  # 552 rows
    assert len(grid_block(frame, EventFilter(), {"startRow": 0, "endRow": 10_000})["rowData"]) == MAX_BLOCK
    tail = grid_block(frame, EventFilter(), {"startRow": 540, "endRow": 640})
    assert len(tail["rowData"]) == 12 and tail["rowCount"] == 552
    junk = grid_block(frame, EventFilter(), {"startRow": "x", "endRow": None, "sortModel": "?", "filterModel": 3})
    assert len(junk["rowData"]) == 100 and junk["rowCount"] == 552


# ---------------------------------------------------------------- details


def test_details_show_everything_with_safe_links(source):
    frame = source.frame()
    children = details.details_children(frame, "2013-khasan-rajin-rail-freight")
    text = text_of(children)
    assert "Khasan-Tumangang rail link" in text and "2013 (year precision)" in text
    assert "Khasan (RUS) - Tumangang (PRK) rail bridge" in text and "RUS, PRK" in text
    links = [a for c in children for a in find(c, html.A)]
    assert [(a.href, a.target, a.rel) for a in links] == [
        ("https://interfax.com/newsroom/top-stories/84561/", "_blank", "noopener noreferrer")
    ]
    assert text_of(links[0]) == "Interfax"


def test_details_link_each_archived_copy_beside_its_source(source):
    frame = source.frame()
    at = frame.index[frame["id"] == "2024-03-28-russia-vetoes-panel-of-experts"][0]
    urls = frame.at[at, "source_urls"]
    frame.loc[at, "archive_urls"] = f"- | https://web.archive.org/web/2024/{urls[1]}"
    items = find(html.Div(details.details_children(frame, frame.at[at, "id"])), html.Li)
    assert [text_of(li) for li in items] == [
        frame.at[at, "source_names"][0],
        frame.at[at, "source_names"][1] + " (archived)",
    ]
    archived = find(items[1], html.A)[1]
    assert (archived.href, archived.target, archived.rel) == (
        f"https://web.archive.org/web/2024/{urls[1]}",
        "_blank",
        "noopener noreferrer",
    )
    assert find(items[0], html.A)[0].href == urls[0] and len(find(items[0], html.A)) == 1


def test_details_say_what_the_last_link_check_found_of_a_dead_or_doubtful_source(source):
    frame = source.frame()
    at = frame.index[frame["id"] == "2024-03-28-russia-vetoes-panel-of-experts"][0]
    urls, names = frame.at[at, "source_urls"], frame.at[at, "source_names"]
    checked = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC).timestamp()
    links = {
        urls[0]: LinkResult(urls[0], DEAD, 404, "404 Not Found", checked),
        urls[1]: LinkResult(urls[1], OK, 200, "200 OK", checked),
    }
    items = find(html.Div(details.details_children(frame, frame.at[at, "id"], links=links)), html.Li)
    assert [text_of(li) for li in items] == [f"{names[0]} · dead link: 404 Not Found (checked 3 Dec 2026)", names[1]]
    assert find(items[0], html.Span)[0].className == "link-dead"
    slow = LinkResult(urls[1], DOUBTFUL, None, "no answer within 10 s", checked)
    assert (
        text_of(html.Span(details.link_state(slow))) == " · doubtful link: no answer within 10 s (checked 3 Dec 2026)"
    )


def test_an_archived_copy_that_is_not_http_is_shown_as_text():
    assert details.archived_link("javascript:alert(1)") == [" (", "archived (javascript:alert(1))", ")"]
    assert details.archived_link("") == []


def test_details_of_a_span_and_of_nothing(source):
    frame = source.frame()
    span_id = frame.loc[frame["date"] == "2023-12-30", "id"].iloc[0]
    assert "30 Dec 2023 – 2 Jan 2024 (day precision)" in text_of(details.details_children(frame, span_id))
    assert text_of(details.details_children(frame, None)) == details.DETAILS_HINT
    assert text_of(details.details_children(frame, "gone")) == details.DETAILS_HINT


def test_only_http_links_are_links():
    assert isinstance(details.source_link("x", "https://a.example/"), html.A)
    assert details.source_link("x", "javascript:alert(1)") == "x (javascript:alert(1))"


def test_clicked_event_id_from_each_view():
    click = {"points": [{"customdata": "abc"}]}
    assert details.clicked_event_id(ids.TIMELINE, click, None, None) == "abc"
    assert details.clicked_event_id(ids.MAP, None, click, None) == "abc"
    assert details.clicked_event_id(ids.GRID, None, None, [{"id": "row-1"}]) == "row-1"
    assert details.clicked_event_id(ids.GRID, None, None, []) is None


# ---------------------------------------------------------------- the app over HTTP
def test_table_rows_callback_over_http(events_csv):
    """The table asks for a block; the answer follows the URL's filter and holds just that block."""
    client = create_app(events_csv).server.test_client()
    request = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "date", "sort": "asc"}],
        "filterModel": {},
    }
    body = {
        "output": f"{ids.GRID}.getRowsResponse",
        "outputs": {"id": ids.GRID, "property": "getRowsResponse"},
        "inputs": [{"id": ids.GRID, "property": "getRowsRequest", "value": request}],
        "state": [{"id": ids.URL, "property": "search", "value": "?category=transport&precision=year"}],
        "changedPropIds": [f"{ids.GRID}.getRowsRequest"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:500]
    answer = json.loads(response.data)["response"][ids.GRID]["getRowsResponse"]
    assert answer["rowCount"] == 1
    assert [(r["id"], r["date"]) for r in answer["rowData"]] == [("2013-khasan-rajin-rail-freight", "2013")]
