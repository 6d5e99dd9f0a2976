"""`tracker export --format docx`: the brief as a Word document, read back with python-docx."""

from __future__ import annotations

import base64
import io

import docx
from cli_helpers import run

from tracker.export import export_view
from tracker.query import EventFilter
from tracker.storage import load_events


def word(path, f: EventFilter | None = None, title: str | None = None) -> docx.document.Document:
    result = export_view(load_events(path), f or EventFilter(), "docx", csv_path=path, title=title)
    assert result.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert result.filename.startswith("brief_") and result.filename.endswith(".docx")
    return docx.Document(io.BytesIO(result.content))


def paragraphs(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def links(document) -> list[tuple[str, str]]:
    """(text, target) of each hyperlink, in document order."""
    return [(link.text, link.url) for p in document.paragraphs for link in p.hyperlinks]


def test_the_same_brief_as_markdown_with_word_headings_and_live_links(small_csv):
    document = word(small_csv, EventFilter(since="2022"))
    got = paragraphs(document)
    assert got[0] == ("Title", "Sanctions events")
    assert got[1][1].startswith("Filters: dates: 2022 to … · 3 of 5 events · data: small.csv @ sha256:")
    assert got[2:] == [
        ("Heading 1", "2022"),
        ("List Bullet", "5 Sep 2022 – 6 Sep 2022 · US says Russia buys shells · denied 1"),
        (
            "List Continue",
            "Arms transfer\nPyongyang denies, flatly\nActors: USA, RUS, PRK · UN resolutions: 1718, 2270",
        ),
        ("List Bullet", "Nov 2022 · Rockets for Wagner · denied 2"),
        ("List Continue", "Arms transfer\nActors: USA, PRK, RUS, Wagner · UN resolutions: 1718"),
        ("Heading 1", "2024"),
        ("List Bullet", "Mar 2024 · Oil above the cap · alleged 3"),
        ("List Continue", "Energy\nActors: USA, RUS, PRK · UN resolutions: 2397"),
        ("Heading 1", "Sources"),
        ("List Number", "https://a.org/b"),
        ("List Number", "https://a.org/c"),
        ("List Number", "MarineLink: https://a.org/d"),
    ]
    assert links(document) == [(u, u) for u in ("https://a.org/b", "https://a.org/c", "https://a.org/d")]
    note_numbers = [r for r in document.paragraphs[3].runs if r.font.superscript]
    assert [r.text for r in note_numbers] == ["1"]
    props = document.core_properties
    assert (props.title, props.author) == ("Sanctions events", "sanctions-tracker")
    assert props.subject == got[1][1]


def test_archived_copies_are_linked_beside_their_source(small_csv):
    text = small_csv.read_text(encoding="utf-8").splitlines()
    header = text[0] + ",archive_urls"
    archived = ",https://web.archive.org/web/2024/https://a.org/d"
    rows = [line + (archived if "a.org/d" in line else ",") for line in text[1:]]
    small_csv.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    document = word(small_csv, EventFilter(categories=("energy",)))
    assert links(document) == [
        ("https://a.org/d", "https://a.org/d"),
        ("archived", "https://web.archive.org/web/2024/https://a.org/d"),
    ]
    assert paragraphs(document)[-1] == ("List Number", "MarineLink: https://a.org/d (archived)")


def test_no_events_still_makes_a_document(small_csv):
    got = paragraphs(word(small_csv, EventFilter(search="nothing like this"), title="Empty <test>"))
    assert got[0] == ("Title", "Empty <test>")
    assert got[2:] == [("Normal", "No events match these filters.")]


def test_the_cli_writes_a_word_brief_from_the_suffix(small_csv, tmp_path):
    out = tmp_path / "brief.docx"
    result = run("export", str(small_csv), "--category", "energy", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{out}: Word brief, 1 of 5 events (categories: energy)")
    assert paragraphs(docx.Document(str(out)))[2:4] == [
        ("Heading 1", "2024"),
        ("List Bullet", "Mar 2024 · Oil above the cap · alleged 1"),
    ]


def test_the_dashboard_downloads_the_word_brief_of_its_view(events_csv):
    from dashboard.export_controls import export_download
    from tracker.storage import EventSource

    data, status = export_download(EventSource(events_csv).snapshot(), "?category=transport", "events.docx")
    assert status == "Downloaded brief_transport_2013-2024.docx (3 events)"
    document = docx.Document(io.BytesIO(base64.b64decode(data["content"])))
    assert len([p for p in document.paragraphs if p.style.name == "List Bullet"]) == 3


def test_a_view_too_large_for_word_is_refused_and_nothing_written(small_csv, tmp_path, monkeypatch):
    from tracker.export import docx as word_brief

    monkeypatch.setattr(word_brief, "DOCX_LIMIT", 2)
    out = tmp_path / "brief.docx"
    result = run("export", str(small_csv), "--since", "2022", "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert result.output.splitlines()[-1] == (
        "Error: a Word brief holds at most 2 events; this view has 3"
        " (narrow the filters, or write the brief as Markdown: --format md)"
    )
    assert run("export", str(small_csv), "--since", "2024", "-o", str(out)).exit_code == 0
