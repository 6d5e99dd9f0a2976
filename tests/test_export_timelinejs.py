"""`tracker export --format timelinejs`: the filtered view in TimelineJS's JSON format.

The structure below is TimelineJS's documented JSON format (website/docs/json-format.njk in
NUKnightLab/TimelineJS3): a top-level object with ``events`` (required, a list of slides),
``title`` (a slide), ``eras`` and ``scale``; slides with ``start_date`` (required except for the
title slide), ``end_date``, ``text``, ``media``, ``group``, ``display_date``, ``background``,
``autolink`` and ``unique_id`` (unique among slides); date objects with ``year`` (required, a
number), ``month`` (a number 1-12), ``day``, ``hour``, ``minute``, ``second``, ``millisecond``
(numbers), ``display_date`` and ``format``; text objects with ``headline`` and ``text``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cli_helpers import run

from tracker.export import export_filename, export_view
from tracker.query import EventFilter, filter_events
from tracker.storage import EventSource, load_events

TOP = {"events", "title", "eras", "scale"}
SLIDE = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink", "unique_id"}
DATE_NUMBERS = {"year", "month", "day", "hour", "minute", "second", "millisecond"}
DATE = DATE_NUMBERS | {"display_date", "format"}
TEXT = {"headline", "text"}


def check_date(date: dict) -> None:
    assert set(date) <= DATE and "year" in date
    for key in set(date) & DATE_NUMBERS:
        assert type(date[key]) is int, (key, date)
    assert 1 <= date.get("month", 1) <= 12


def check_slide(slide: dict, title: bool = False) -> None:
    assert set(slide) <= SLIDE, set(slide) - SLIDE
    if not title:
        check_date(slide["start_date"])
    if "end_date" in slide:
        check_date(slide["end_date"])
    assert set(slide["text"]) <= TEXT and all(isinstance(v, str) for v in slide["text"].values())
    if "media" in slide:
        assert isinstance(slide["media"]["url"], str)
    if "group" in slide:
        assert isinstance(slide["group"], str)


def check_timelinejs(doc: dict) -> None:
    """Hold ``doc`` to TimelineJS's documented JSON structure."""
    assert set(doc) <= TOP and isinstance(doc["events"], list)
    if "title" in doc:
        check_slide(doc["title"], title=True)
    for slide in doc["events"]:
        check_slide(slide)
    ids = [slide["unique_id"] for slide in doc["events"] if "unique_id" in slide]
    assert len(ids) == len(set(ids))


def test_the_story_follows_timelinejs_json_format(events_csv: Path, tmp_path: Path):
    out = tmp_path / "story.json"
    result = run("export", str(events_csv), "--format", "timelinejs", "-o", str(out), "--since", "2022")
    assert result.exit_code == 0, result.output
    frame = load_events(events_csv)
    shown = filter_events(frame, EventFilter(since="2022"))
    assert result.stdout == f"{out}: TimelineJS story, {len(shown)} of 46 events (dates: 2022 to …)\n"
    doc = json.loads(out.read_text(encoding="utf-8"))
    check_timelinejs(doc)
    assert [slide["unique_id"] for slide in doc["events"]] == shown["id"].tolist()
    assert doc["title"]["text"]["headline"] == "Sanctions events"
    caption = export_view(frame, EventFilter(since="2022"), "json", csv_path=events_csv).meta.caption()
    assert doc["title"]["text"]["text"] == f"<p>{caption}</p>".replace("'", "&#x27;")


def test_dates_keep_their_precision_and_categories_are_groups(events_csv: Path, tmp_path: Path):
    frame = load_events(events_csv)
    doc = json.loads(export_view(frame, EventFilter(), "timelinejs", csv_path=events_csv).content)
    slides = {slide["unique_id"]: slide for slide in doc["events"]}
    year = slides["2013-khasan-rajin-rail-freight"]
    assert year["start_date"] == {"year": 2013} and "end_date" not in year
    assert year["group"] == "Transport"
    month = slides["2022-11-dprk-rockets-missiles-wagner"]
    assert month["start_date"] == {"year": 2022, "month": 11} and month["group"] == "Arms transfer"
    span = slides["2022-09-05-us-intel-russia-buys-dprk-shells"]
    assert span["start_date"] == {"year": 2022, "month": 9, "day": 5}
    assert span["end_date"] == {"year": 2022, "month": 9, "day": 6}
    assert (
        span["text"]["headline"]
        == "US intelligence says Russia is buying millions of DPRK artillery shells and rockets"
    )
    assert span["text"]["text"].endswith(
        "<p>Claim status: denied</p><p>Sources: "
        '<a href="https://www.japantimes.co.jp/news/2022/09/06/world/russia-north-korean-artillery-us-intelligence/">'
        'The Japan Times</a> · <a href="https://www.axios.com/2022/09/06/russia-north-korea-rockets-artillery-ukraine">'
        "Axios</a></p>"
    )
    assert len(doc["events"]) == 46


def test_text_is_escaped_and_archived_copies_are_linked(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(
        "id,date,end_date,title,description,category,status,actors,location,lat,lon,un_resolutions,source_name,"
        "source_url,archive_urls\n"
        'x-1,2020-05,,<script>alert(1)</script> & co,"Line one\nLine <b>two</b>",energy,alleged,,,,,,'
        '"A ""quoted"" name | B",https://example.org/a?x=1&y=2 | https://example.org/b,'
        "https://web.archive.org/web/2020/https://example.org/a | -\n",
        encoding="utf-8",
    )
    doc = json.loads(export_view(load_events(path), EventFilter(), "timelinejs", csv_path=path).content)
    check_timelinejs(doc)
    (slide,) = doc["events"]
    assert slide["text"] == {
        "headline": "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
        "text": "<p>Line one</p><p>Line &lt;b&gt;two&lt;/b&gt;</p><p>Claim status: alleged</p><p>Sources: "
        '<a href="https://example.org/a?x=1&amp;y=2">A &quot;quoted&quot; name</a> '
        '(<a href="https://web.archive.org/web/2020/https://example.org/a">archived</a>) · '
        '<a href="https://example.org/b">B</a></p>',
    }


def test_the_file_name_says_it_is_a_timelinejs_story(events_csv: Path):
    f = EventFilter(categories=("transport",))
    shown = filter_events(load_events(events_csv), f)
    assert export_filename(f, shown, "timeline", "timelinejs") == "timelinejs_transport_2013-2024.json"


def test_the_dashboard_downloads_the_filtered_story(events_csv: Path):
    from dashboard.export_controls import export_download

    data, status = export_download(EventSource(events_csv).snapshot(), "?category=transport", "events.timelinejs")
    assert data["filename"] == "timelinejs_transport_2013-2024.json"
    assert data["type"] == "application/json"
    doc = json.loads(base64.b64decode(data["content"]) if data.get("base64") else data["content"])
    check_timelinejs(doc)
    assert [slide["group"] for slide in doc["events"]] == ["Transport"] * 3
    assert status == "Downloaded timelinejs_transport_2013-2024.json (3 events)"
