"""The reading view (/read): the dashboard's filtered events as a document, and its briefs."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from dashboard import reading
from dashboard.app import create_app
from tracker.export import export_view
from tracker.links import LinkResult
from tracker.links.cache import save_results
from tracker.query import from_query
from tracker.storage import load_events


class Outline(HTMLParser):
    """The headings (tag, text), the time elements' datetime and the status badges of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.times: list[str] = []
        self.statuses: list[str] = []
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "time":
            self.times.append(attrs["datetime"])
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, ""))
        self._open.append("status" if "status" in (attrs.get("class") or "").split() else tag)

    def handle_endtag(self, tag):
        self._open.pop()

    def handle_data(self, data):
        if any(t in ("h1", "h2", "h3") for t in self._open) and self.headings:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, " ".join((text + " " + data).split()))
        if self._open and self._open[-1] == "status":
            self.statuses.append(data.strip())


@pytest.fixture
def client(small_csv):
    return create_app(small_csv).server.test_client()


def test_the_filtered_events_by_year_with_dates_statuses_and_sources(client, small_csv):
    response = client.get("/read?since=2022")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    outline = Outline(page)
    assert outline.headings == [
        ("h1", "Sanctions events"),
        ("h2", "2022"),
        ("h3", "5 Sep 2022 – 6 Sep 2022 US says Russia buys shells"),
        ("h3", "Nov 2022 Rockets for Wagner"),
        ("h2", "2024"),
        ("h3", "Mar 2024 Oil above the cap"),
        ("h2", "Sources"),
    ]
    assert outline.times == ["2022-09-05", "2022-11", "2024-03"]
    assert outline.statuses == ["✕ denied", "✕ denied", "◇ alleged"]
    assert "Filters: dates: 2022 to … · 3 of 5 events · data: small.csv @ sha256:" in page
    assert '<a href="https://a.org/d" rel="noopener noreferrer">MarineLink</a>' in page
    assert '<a href="https://a.org/b" rel="noopener noreferrer">a.org</a>' in page  # (no name: the host)
    assert (
        '<li id="n3">MarineLink: <a href="https://a.org/d" rel="noopener noreferrer">https://a.org/d</a></li>' in page
    )
    assert '<a href="/?since=2022">Back to the dashboard</a>' in page
    assert '<a href="/read/brief.docx?since=2022" download>Download the brief (Word)</a>' in page
    assert "Pyongyang denies, flatly" in page and "<dt>Actors</dt><dd>USA, RUS, PRK</dd>" in page


def test_text_from_the_file_stays_text(client, small_csv):
    text = small_csv.read_text(encoding="utf-8").replace("Oil above the cap", "Oil <b>above</b> & the cap")
    small_csv.write_text(text, encoding="utf-8")
    page = client.get("/read?category=energy").get_data(as_text=True)
    assert "Oil &lt;b&gt;above&lt;/b&gt; &amp; the cap" in page and "<b>" not in page


def test_no_events_and_a_long_list_say_so(client, monkeypatch):
    page = client.get("/read?q=nothing-like-this").get_data(as_text=True)
    assert '<p class="empty">No events match these filters.</p>' in page and "<h2" not in page
    monkeypatch.setattr(reading, "READ_LIMIT", 2)
    page = client.get("/read").get_data(as_text=True)
    assert "Showing the first 2 of 5 events: narrow the filters, or download the brief" in page
    assert len(re.findall("<article ", page)) == 2


def test_the_briefs_are_the_exports_of_the_same_filter(client, small_csv):
    response = client.get("/read/brief.md?category=energy,arms_transfer")
    expected = export_view(
        load_events(small_csv), from_query("category=energy,arms_transfer"), "md", csv_path=small_csv
    )
    assert response.get_data() == expected.content
    assert response.headers["Content-Disposition"] == f'attachment; filename="{expected.filename}"'
    word = client.get("/read/brief.docx?category=energy")
    assert word.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert word.data[:2] == b"PK"  # (a zip: the document's own tests read it back)
    assert client.get("/read/brief.pdf").status_code == 404


def test_a_brief_too_large_for_word_says_so(client, monkeypatch):
    from tracker.export import docx as word_brief

    monkeypatch.setattr(word_brief, "DOCX_LIMIT", 2)
    response = client.get("/read/brief.docx?since=2022")
    assert (response.status_code, response.mimetype) == (422, "text/plain")
    assert response.get_data(as_text=True) == (
        "a Word brief holds at most 2 events; this view has 3"
        " (narrow the filters, or write the brief as Markdown: --format md)\n"
    )


def test_the_dashboard_links_to_the_reading_view_of_its_filter(small_csv):
    app = create_app(small_csv)
    layout = app.layout()
    link = next(c for c in _walk(layout) if getattr(c, "id", None) == "read-link")
    assert (link.href, link.children) == ("/read", "Read these events")
    assert client_css(app).startswith(b"/* The reading view")


def client_css(app) -> bytes:
    response = app.server.test_client().get("/read/read.css")
    assert response.mimetype == "text/css"
    return response.get_data()


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_a_source_the_last_link_check_found_dead_says_so(client, private_cache):
    checked = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC).timestamp()
    save_results(
        [
            LinkResult("https://a.org/d", "dead", 410, "410 Gone", checked),
            LinkResult("https://a.org/b", "ok", 200, "200 OK", checked),
        ]
    )
    page = client.get("/read?since=2022").get_data(as_text=True)
    assert (
        '<li id="n3">MarineLink: <a href="https://a.org/d" rel="noopener noreferrer">https://a.org/d</a> '
        '<span class="link-dead">· dead link: 410 Gone (checked 3 Dec 2026)</span></li>'
    ) in page
    assert page.count('class="link-') == 1  # (a.org/b was found alive)
