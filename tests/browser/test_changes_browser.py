"""The "changed since" view in a real browser, on a real git repository."""

from __future__ import annotations

import pytest
from cli_helpers import SMALL_IDS, SMALL_ROWS
from history_helpers import HEADER, Repo, first_rows, replaced
from playwright.sync_api import Page, expect
from probes import PAINTED, PLOTTED, POINT_XY
from test_accessibility_browser import serious

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("private_cache")]

OVERVIEW_GREY = "#b8bec6"  # (tracker.charts.density.overview_trace's fill)

RINGED = """() => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  if (!gd || !gd._fullData) return null;
  return gd._fullData.filter(t => t.meta && t.meta.kind === 'changes')
                     .map(t => t.meta.change + ':' + t.customdata.join(','));
}"""


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    repo.commit(rows, "Three events", "2024-01-10")
    rows = rows + [SMALL_ROWS[3]]
    repo.commit(rows, "Add the Wagner rockets", "2024-02-10")
    rows = replaced(rows, 3, ",denied,", ",confirmed,")
    repo.commit([rows[0], rows[1], rows[3]], "Rockets confirmed; retract the shells", "2024-03-10")
    return repo


def test_changed_since_in_the_url_rings_lists_and_explains(serve, page: Page, repo):
    server = serve(repo.csv)
    page.goto(server.url + "/?changed_since=2024-01-31")
    page.wait_for_function(f"() => ({PLOTTED})() === 1", timeout=30_000)
    expect(page.locator("#filter-changed-since")).to_have_value("2024-01-31")
    assert page.evaluate(RINGED) == [f"added:{SMALL_IDS[3]}"]
    page.locator("#timeline").scroll_into_view_if_needed()
    page.mouse.move(*page.evaluate(POINT_XY, SMALL_IDS[3]))  # (the ring's place: the middle of its bar)
    expect(page.locator("#timeline .hoverlayer .hovertext")).to_contain_text("Since 2024-01-31: new")

    panel = page.locator("#changes-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Changes since 2024-01-31: +1 event, 1 removed")
    expect(panel.locator(".changes-added li")).to_have_text(
        "Rockets for Wagner (Nov 2022) · 2024-03-10 · Rockets confirmed; retract the shells"
    )
    expect(panel.locator(".changes-removed del")).to_have_text("US says Russia buys shells")
    assert serious(page) == []  # (the panel's kinds and struck-through removals, audited too)

    # The table says what changed of each event, in a column shown only with a "changed since".
    change_header = page.locator('#grid .ag-header-cell[col-id="change"]')
    expect(change_header).to_be_visible()
    expect(page.locator('#grid .ag-row .ag-cell[col-id="change"]').first).to_have_text("new")

    # The event's own history in the details panel.
    page.locator("#grid .ag-row", has_text="Rockets for Wagner").first.click()
    expect(page.locator("#details .event-history")).to_have_text(
        "History: first recorded 2024-02-10 · status denied → confirmed on 2024-03-10"
        " (Rockets confirmed; retract the shells)"
    )

    # Typing a later date narrows the view; the URL follows; clearing it shows everything again.
    page.fill("#filter-changed-since", "2024-03-01")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?changed_since=2024-03-01")
    expect(panel.locator("h2")).to_have_text("Changes since 2024-03-01: 1 status change, 1 removed")
    assert page.evaluate(RINGED) == [f"status:{SMALL_IDS[3]}"]

    # Another filter leaves the list of changes as it is.
    page.locator('#filter-categories input[value="transport"]').click()
    page.wait_for_url("**/?category=*&changed_since=2024-03-01")
    expect(panel.locator("h2")).to_have_text("Changes since 2024-03-01: 1 status change, 1 removed")
    page.locator('#filter-categories input[value="transport"]').click()
    page.wait_for_url("**/?changed_since=2024-03-01")
    page.fill("#filter-changed-since", "")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({PLOTTED})() === 3", timeout=20_000)
    expect(panel).to_be_hidden()
    assert page.evaluate(RINGED) == []
    expect(change_header).to_have_count(0)


def test_every_mark_and_ring_is_painted_in_its_colour_after_each_redraw(serve, page: Page, repo):
    """What the patched plotly.js (scripts/plotly-patches/) draws: each mark in its category's
    colour and each ring in its kind's, on the first draw, on redraws and after a legend click,
    the range slider's overview in its own grey (the slider styles only its own traces)."""
    server = serve(repo.csv)
    page.goto(server.url + "/?changed_since=2024-01-31")
    page.wait_for_function(f"() => ({PLOTTED})() === 1", timeout=30_000)
    assert page.evaluate(PAINTED) == {"marks": 2, "wrong": [], "overview": OVERVIEW_GREY}  # (a bar, its ring)
    page.fill("#filter-changed-since", "")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({PLOTTED})() === 3", timeout=20_000)
    assert page.evaluate(PAINTED) == {"marks": 3, "wrong": [], "overview": OVERVIEW_GREY}
    page.locator('#filter-categories input[value="transport"]').click()
    page.wait_for_function(f"() => ({PLOTTED})() === 2", timeout=20_000)
    assert page.evaluate(PAINTED) == {"marks": 2, "wrong": [], "overview": OVERVIEW_GREY}
    confirmed = page.locator("#timeline .legend .traces", has_text="confirmed")  # (both are confirmed now)
    confirmed.click()
    page.wait_for_function(f"() => ({PLOTTED})() === 0", timeout=20_000)
    confirmed.click()  # (plotly's own redraw, styled as it styles a restyle)
    page.wait_for_function(f"() => ({PLOTTED})() === 2", timeout=20_000)
    assert page.evaluate(PAINTED) == {"marks": 2, "wrong": [], "overview": OVERVIEW_GREY}


def test_a_file_outside_git_says_history_is_unavailable(serve, page: Page, tmp_path):
    plain = tmp_path / "plain" / "events.csv"
    plain.parent.mkdir()
    plain.write_text(HEADER + "\n" + "".join(r + "\n" for r in first_rows()), encoding="utf-8")
    server = serve(plain)
    page.goto(server.url + "/?changed_since=2024-01-31")
    page.wait_for_function(f"() => ({PLOTTED})() === 3", timeout=30_000)
    expect(page.locator("#changed-since-note")).to_contain_text("History unavailable:")
    expect(page.locator("#changed-since-note")).to_contain_text("not in a git repository")
    expect(page.locator("#changes-panel")).to_be_hidden()
