"""The dashboard's "changed since" view on real git repositories: the filter, the rings on the
timeline, the Changes panel, the details panel's history, and what shows without history."""

from __future__ import annotations

import shutil

import pytest
from cli_helpers import SMALL_IDS, SMALL_ROWS
from dash import dcc, html
from dashboard_helpers import find, text_of
from history_helpers import Repo, first_rows, replaced

from dashboard import changes, details, views, zoom
from dashboard.layout import build_layout
from tracker.charts.changes import changed_ids_of
from tracker.charts.style import CHANGE_STYLES
from tracker.query import EventFilter, from_query
from tracker.storage import EventSource

pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture
def repo(tmp_path) -> Repo:
    """Three events on 10 Jan; on 10 Feb one added, one edited; on 10 Mar a status change and a
    removal; then an uncommitted edit of the first event's location."""
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    repo.commit(rows, "Three events", "2024-01-10")
    rows = replaced(rows, 1, ",Khasan,", ",Khasan station,") + [SMALL_ROWS[3]]
    repo.commit(rows, "Add the Wagner rockets; Khasan station", "2024-02-10")
    rows = replaced(rows, 3, ",denied,", ",confirmed,")
    repo.commit([rows[0], rows[1], rows[3]], "Rockets confirmed; retract the shells", "2024-03-10")
    repo.write(replaced([rows[0], rows[1], rows[3]], 0, ",New York,", ",New York City,"))
    return repo


def snapshot(repo: Repo):
    return EventSource(repo.csv).snapshot()


def test_the_filter_keeps_the_events_changed_since_the_date_and_rings_them(repo):
    view = views.render_view(snapshot(repo), "?changed_since=2024-02-10")
    assert view.summary.startswith("2 of 3 events shown")
    assert changed_ids_of(view.timeline) == {SMALL_IDS[3]: "status", SMALL_IDS[0]: "edited"}
    early = views.render_view(snapshot(repo), "?changed_since=2024-01-31")
    assert changed_ids_of(early.timeline) == {SMALL_IDS[3]: "added", SMALL_IDS[0]: "edited", SMALL_IDS[1]: "edited"}
    rings = [t for t in early.timeline["data"] if t["meta"]["kind"] == "changes"]
    assert [(t["name"], t["marker"]["symbol"]) for t in rings] == [
        ("changed: new", "circle-open"),
        ("changed: edited", "square-open"),
    ]
    assert rings[0]["x"] == ["2022-11-16"], "a month-precision event's ring sits in the middle of its span"


def test_without_the_filter_nothing_is_ringed_and_no_panel_shows(repo):
    view = views.render_view(snapshot(repo), "")
    assert changed_ids_of(view.timeline) == {}
    assert changes.changes_panel(repo.csv, EventFilter()) == ([], True, "")


def group_lines(children: list, kind: str) -> list[str]:
    """The Markdown list lines of the panel's group of ``kind``."""
    (group,) = [c for c in children if isinstance(c, html.Section) and c.className == f"changes-{kind}"]
    (listed,) = [c for c in group.children if isinstance(c, dcc.Markdown)]
    return listed.children.split("\n")


def test_the_panel_groups_the_changes_with_their_commit(repo):
    children, hidden, note = changes.changes_panel(repo.csv, from_query("?changed_since=2024-01-31"))
    assert (hidden, note) == (False, "")
    headings = [text_of(c) for c in children if isinstance(c, html.H2)]
    headings += [
        text_of(p) for c in children if isinstance(c, html.Section) for p in c.children if isinstance(p, html.H3)
    ]
    assert headings == [
        "Changes since 2024-01-31: +1 event, 2 edits, 1 removed",
        "Added (1)",
        "Edited (2)",
        "Removed (1)",
    ]
    assert group_lines(children, "added") == [
        "- Rockets for Wagner (Nov 2022) *· 2024-03-10 · Rockets confirmed; retract the shells*"
    ]
    assert group_lines(children, "edited") == [
        "- Resolution 1718 adopted (14 Oct 2006): location *· in the working file, not committed yet*",
        "- Rail link opens to freight (2013): location *· 2024-02-10 · Add the Wagner rockets; Khasan station*",
    ]
    assert group_lines(children, "removed") == [  # (struck through)
        "- ~~US says Russia buys shells~~ (5 Sep 2022) *· 2024-03-10 · Rockets confirmed; retract the shells*"
    ]
    assert [c.style for c in children if isinstance(c, html.Section)] == [
        {"--kind": CHANGE_STYLES["added"]["color"]},
        {"--kind": CHANGE_STYLES["edited"]["color"]},
        None,  # (removed: the panel's own line colour)
    ]


def test_the_panel_lists_any_title_literally(repo):
    line = changes._change_line("x", {"title": "1. *Oil* [cap] ~~", "date": "2024"}, "added", None, None)
    assert line == "- 1\\. \\*Oil\\* \\[cap\\] \\~\\~ (2024)"
    assert changes._change_line("y", {"title": "- <b>x</b>"}, "removed", None, None) == "- ~~\\- \\<b\\>x\\</b\\>~~"
    no_message = changes._change_line("z", {"title": "T"}, "added", None, ("2024-03-10", " "))
    assert no_message == "- T *· 2024-03-10*"


def test_a_long_group_lists_its_newest_changes_and_counts_the_rest(repo, monkeypatch):
    monkeypatch.setattr(changes, "GROUP_ITEMS", 1)
    children, _, _ = changes.changes_panel(repo.csv, from_query("?changed_since=2024-01-31"))
    assert group_lines(children, "edited") == [
        "- Resolution 1718 adopted (14 Oct 2006): location *· in the working file, not committed yet*"
    ]
    (edited,) = [c for c in children if isinstance(c, html.Section) and c.className == "changes-edited"]
    assert [text_of(p) for p in edited.children if isinstance(p, html.P)] == [
        "… and 1 older: the grid lists every changed event; tracker diff lists removals too"
    ]
    assert "Edited (2)" == text_of(edited.children[0])


def test_a_status_change_shows_old_and_new(repo):
    children, _, _ = changes.changes_panel(repo.csv, from_query("?changed_since=2024-02-10"))
    assert group_lines(children, "status") == [
        "- Rockets for Wagner (Nov 2022): denied → confirmed *· 2024-03-10 · Rockets confirmed; retract the shells*"
    ]


def test_a_revision_works_as_well_as_a_date(repo):
    view = views.render_view(snapshot(repo), "?changed_since=HEAD")
    assert changed_ids_of(view.timeline) == {SMALL_IDS[0]: "edited"}


def test_the_details_panel_tells_the_event_history(repo):
    panel = details.details_children(snapshot(repo).frame, SMALL_IDS[3], repo.csv)
    assert text_of(panel[-1]) == (
        "History: first recorded 2024-02-10 · status denied → confirmed on 2024-03-10"
        " (Rockets confirmed; retract the shells)"
    )
    first = details.details_children(snapshot(repo).frame, SMALL_IDS[0], repo.csv)
    assert (
        text_of(first[-1])
        == "History: first recorded 2024-01-10 · edited: location (in the working file, not committed yet)"
    )


def test_an_uncommitted_status_change_and_addition_say_they_are_not_committed_yet(repo):
    rows = replaced(first_rows()[:1] + [SMALL_ROWS[3]], 1, ",denied,", ",alleged,")
    repo.write(rows + [SMALL_ROWS[4]])
    frame = snapshot(repo).frame
    status = details.details_children(frame, SMALL_IDS[3], repo.csv)
    assert text_of(status[-1]) == (
        "History: first recorded 2024-02-10 · status denied → confirmed on 2024-03-10"
        " (Rockets confirmed; retract the shells) · status confirmed → alleged"
        " (in the working file, not committed yet)"
    )
    added = details.details_children(frame, SMALL_IDS[4], repo.csv)
    assert text_of(added[-1]) == "History: first recorded (in the working file, not committed yet)"


def test_the_reading_view_of_changes_says_what_changed_of_each_event(repo):
    from dashboard.app import create_app

    page = create_app(repo.csv).server.test_client().get("/read?changed_since=2024-01-31").data.decode()
    assert '<p class="change">Since 2024-01-31: new</p>' in page
    assert '<p class="change">Since 2024-01-31: edited location</p>' in page
    assert page.count('<p class="change">') == 3  # (the rockets, Khasan and New York)
    everything = create_app(repo.csv).server.test_client().get("/read").data.decode()
    assert 'class="change"' not in everything
    brief = create_app(repo.csv).server.test_client().get("/read/brief.md?changed_since=2024-01-31").data.decode()
    assert "  _Since 2024-01-31: edited location_  " in brief.splitlines()


def test_the_table_says_what_changed_of_each_event_only_for_a_changed_since(repo):
    from dashboard.grid import grid_block

    frame = snapshot(repo).frame
    rows = grid_block(frame, changes.url_filter(repo.csv, "?changed_since=2024-01-31"), {})["rowData"]
    assert {r["id"]: r["change"] for r in rows} == {
        SMALL_IDS[0]: "edited location",
        SMALL_IDS[1]: "edited location",
        SMALL_IDS[3]: "new",
    }
    assert "change" not in grid_block(frame, changes.url_filter(repo.csv, ""), {})["rowData"][0]


def test_an_unknown_revision_drops_the_filter_and_says_why(repo):
    search = "?changed_since=no-such-tag"
    view = views.render_view(snapshot(repo), search)
    assert view.summary.startswith("3 of 3 events shown")
    children, hidden, note = changes.changes_panel(repo.csv, from_query(search))
    assert (children, hidden) == ([], True)
    assert note.startswith("History unavailable: ") and "git cannot resolve the revision 'no-such-tag'" in note


def test_outside_a_git_repository_everything_else_works(repo, tmp_path):
    plain = tmp_path / "plain" / "events.csv"
    plain.parent.mkdir()
    shutil.copyfile(repo.csv, plain)
    snap = EventSource(plain).snapshot()
    view = views.render_view(snap, "?changed_since=2024-01-01&category=transport")
    assert view.summary.startswith("1 of 3 events shown"), "the other filters still apply"
    _, hidden, note = changes.changes_panel(plain, from_query("?changed_since=2024-01-01"))
    assert hidden and note.startswith(f"History unavailable: {plain.resolve()}: not in a git repository")
    assert changes.changes_panel(plain, EventFilter())[2] == note, "said before the control is used"
    assert text_of(details.details_children(snap.frame, SMALL_IDS[0], plain)[-1]).startswith("id: ")


def test_a_new_commit_is_seen_without_a_restart(repo):
    f = from_query("?changed_since=HEAD")
    assert changes.page_changes(repo.csv, f).filter.changed_ids == {SMALL_IDS[0]}
    repo.git("commit", "-q", "-am", "New York City", date="2024-04-01")
    assert changes.page_changes(repo.csv, f).filter.changed_ids == frozenset()


def test_the_presets_count_back_from_today():
    import datetime as dt

    assert changes.preset_dates(dt.date(2025, 3, 3)) == [
        ("2025-02-24", "last 7 days"),
        ("2025-02-01", "last 30 days"),
    ]


def test_the_presets_offer_the_newest_tags_after_the_days(repo, tmp_path):
    import datetime as dt

    repo.git("tag", "v1", "HEAD~2")
    repo.git("tag", "-a", "-m", "The data as of February", "data-2024-02", "HEAD~1", date="2024-05-05")
    repo.git("tag", "a-tree", "HEAD^{tree}")  # (names no commit: left out)
    days = changes.preset_dates(dt.date(2025, 3, 3))
    assert changes.presets(repo.csv, dt.date(2025, 3, 3)) == [
        *days,
        ("data-2024-02", "tag of 2024-02-10"),
        ("v1", "tag of 2024-01-10"),
    ]
    elsewhere = tmp_path / "alone" / "events.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(repo.csv.read_bytes())
    assert changes.presets(elsewhere, dt.date(2025, 3, 3)) == days
    (datalist,) = find(build_layout(snapshot(repo)), html.Datalist)
    assert [(o.value, o.children) for o in datalist.children] == changes.presets(repo.csv)


def test_a_shallow_clone_says_its_history_starts_late(repo, tmp_path):
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    csv = clone / "events.csv"
    assert changes.changes_panel(csv, EventFilter()) == ([], True, changes.SHALLOW_NOTE)
    children, hidden, note = changes.changes_panel(csv, from_query("?changed_since=2024-01-01"))
    assert (hidden, note) == (False, changes.SHALLOW_NOTE)
    assert text_of(children[0]) == "Changes since 2024-01-01: +3 events", "from the oldest commit fetched"
    assert changes.changes_panel(repo.csv, EventFilter()) == ([], True, "")


def test_a_long_commit_summary_is_cut_at_a_word():
    assert changes.short_message("Fix the date") == "Fix the date"
    long = "Record: 19 events the record was missing, added with tracker add (each with two sources)"
    assert changes.short_message(long, 40) == "Record: 19 events the record was…"


def test_a_worker_warms_a_cached_history_and_changed_since_is_composed_from_it(repo, monkeypatch, tmp_path):
    """Warming works a history out only when the cache holds one; once it is ready, "changed
    since" reads no version from git, and answers as git's diff of the two versions does."""
    from tracker.history import changes as history_changes
    from tracker.history import file_history

    changes.warm_history(repo.csv).join()  # nothing cached yet: nothing worked out
    assert changes._memo.peek(("history", changes.git_state(repo.csv))) is None
    by_diff = changes.page_changes(repo.csv, from_query("?changed_since=2024-01-31")).diff

    file_history(repo.csv)  # (as the Changes panel's first use does)
    changes._memo = changes._Memo()  # a newly forked worker's
    changes.warm_history(repo.csv).join()
    assert changes._memo.peek(("history", changes.git_state(repo.csv))) is not None
    monkeypatch.setattr(history_changes, "_base_version", lambda *a: pytest.fail("a version was read from git"))
    composed = changes.page_changes(repo.csv, from_query("?changed_since=2024-02-01")).diff
    assert (set(composed.added), set(composed.removed), composed.changed) == (
        set(by_diff.added),
        set(by_diff.removed),
        by_diff.changed,
    )
    assert composed.summary() == "+1 event, 2 edits, 1 removed"

    plain = tmp_path / "plain" / "events.csv"
    plain.parent.mkdir()
    shutil.copyfile(repo.csv, plain)
    changes.warm_history(plain).join()  # outside git: nothing, and no error


def test_the_page_composes_changed_since_from_the_events_it_holds(repo, monkeypatch):
    """With the history worked out, the view reads neither a version from git nor the file again:
    the new rows' fields come from the snapshot the page already holds."""
    from tracker.history import changes as history_changes
    from tracker.history import file_history

    snap = snapshot(repo)
    file_history(repo.csv)  # (as the Changes panel's first use does)
    changes._memo = changes._Memo()
    changes.warm_history(repo.csv).join()
    monkeypatch.setattr(history_changes, "_base_version", lambda *a: pytest.fail("a version was read from git"))
    monkeypatch.setattr(history_changes, "load_events", lambda *a: pytest.fail("the file was read again"))
    view = views.render_view(snap, "?changed_since=2024-01-31")
    assert changed_ids_of(view.timeline) == {SMALL_IDS[3]: "added", SMALL_IDS[0]: "edited", SMALL_IDS[1]: "edited"}


def test_a_changed_events_hover_says_what_changed_since(repo):
    view = views.render_view(snapshot(repo), "?changed_since=2024-01-31")
    hover = {
        event_id: text.split("<br>")[-1]
        for trace in view.timeline["data"]
        if trace["meta"]["kind"] == "events"
        for event_id, text in zip(trace["customdata"], trace["hovertext"], strict=True)
    }
    assert hover == {
        SMALL_IDS[3]: "<i>Since 2024-01-31: new</i>",
        SMALL_IDS[0]: "<i>Since 2024-01-31: edited location</i>",
        SMALL_IDS[1]: "<i>Since 2024-01-31: edited location</i>",
    }
    plain = views.render_view(snapshot(repo), "")
    assert not any("Since" in text for t in plain.timeline["data"] for text in t.get("hovertext", []))
    page = changes.page_changes(repo.csv, from_query("?changed_since=2024-01-31"))
    window = {"xaxis.range[0]": "2010-01-01", "xaxis.range[1]": "2024-12-31"}
    zoomed = zoom.zoomed_timeline(snapshot(repo).frame, page.filter, window, page.marks())
    assert changed_ids_of(zoomed) == {SMALL_IDS[3]: "added", SMALL_IDS[0]: "edited", SMALL_IDS[1]: "edited"}
    assert sum("<i>Since 2024-01-31: " in text for t in zoomed["data"] for text in t.get("hovertext", [])) == 3
