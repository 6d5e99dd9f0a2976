"""`tracker export --format md`: the filtered events as a Markdown brief with numbered notes."""

from __future__ import annotations

import base64

from cli_helpers import run

from tracker.export import export_view
from tracker.export.brief import escape
from tracker.query import EventFilter
from tracker.storage import load_events


def brief(path, f: EventFilter | None = None, title: str | None = None) -> list[str]:
    result = export_view(load_events(path), f or EventFilter(), "md", csv_path=path, title=title)
    assert result.media_type == "text/markdown"
    return result.content.decode("utf-8").split("\n")


def test_events_by_year_with_dates_at_their_precision_and_numbered_notes(small_csv):
    text = brief(small_csv, EventFilter(since="2022"))
    assert text[0] == "# Sanctions events"
    assert text[2].startswith("_Filters: dates: 2022 to … · 3 of 5 events · data: small.csv @ sha256:")
    assert text[4:] == [
        "## 2022",
        "",
        "- **5 Sep 2022 – 6 Sep 2022** · **US says Russia buys shells** · denied · source 1  ",
        "  Arms transfer  ",
        "  Pyongyang denies, flatly  ",
        "  Actors: USA, RUS, PRK · UN resolutions: 1718, 2270",
        "",
        "- **Nov 2022** · **Rockets for Wagner** · denied · source 2  ",
        "  Arms transfer  ",
        "  Actors: USA, PRK, RUS, Wagner · UN resolutions: 1718",
        "",
        "## 2024",
        "",
        "- **Mar 2024** · **Oil above the cap** · alleged · source 3  ",
        "  Energy  ",
        "  Actors: USA, RUS, PRK · UN resolutions: 2397",
        "",
        "## Sources",
        "",
        "1. <https://a.org/b>",
        "2. <https://a.org/c>",
        "3. MarineLink: <https://a.org/d>",
        "",
    ]


def test_a_url_cited_twice_keeps_its_number(small_csv):
    text = small_csv.read_text(encoding="utf-8")
    small_csv.write_text(
        text.replace("1718,,https://a.org/c", "1718,A | Wire,https://a.org/b | https://a.org/e"), encoding="utf-8"
    )
    lines = brief(small_csv, EventFilter(since="2022", until="2022"))
    assert "- **Nov 2022** · **Rockets for Wagner** · denied · sources 1, 2  " in lines
    assert lines[-3:] == ["1. <https://a.org/b>", "2. Wire: <https://a.org/e>", ""]


def test_markup_in_the_text_stays_text():
    assert escape("*Bold* [link](x) #1 <b>") == r"\*Bold\* \[link\](x) \#1 \<b\>"
    assert escape("two\nlines") == "two lines"


def test_no_events_still_makes_a_brief(small_csv):
    text = brief(small_csv, EventFilter(search="nothing like this"), title="Empty [test]")
    assert text[0] == r"# Empty \[test\]"
    assert "No events match these filters." in text and "## Sources" not in text


def test_the_cli_writes_a_brief_from_the_suffix(small_csv, tmp_path):
    out = tmp_path / "brief.md"
    result = run("export", str(small_csv), "--category", "energy", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{out}: Markdown brief, 1 of 5 events (categories: energy)")
    assert out.read_text(encoding="utf-8").startswith("# Sanctions events\n")
    bad = run("export", str(small_csv), "--format", "markdown", "-o", str(tmp_path / "b.md"))
    assert bad.exit_code == 2 and not (tmp_path / "b.md").exists()


def test_the_dashboard_downloads_the_brief_of_its_view(events_csv):
    from dashboard.export_controls import export_download
    from tracker.storage import EventSource

    data, status = export_download(EventSource(events_csv).snapshot(), "?category=transport", "events.md")
    assert (data["filename"], status) == (
        "brief_transport_2013-2024.md",
        "Downloaded brief_transport_2013-2024.md (3 events)",
    )
    assert (
        base64.b64decode(data["content"]).decode().startswith("# Sanctions events\n\n_Filters: categories: transport ·")
    )
