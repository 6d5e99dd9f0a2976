"""Archived copies of rotten sources: `check-links --find-archives` and `--add-archives` against a
local stand-in for the Wayback Machine's availability API (TRACKER_WAYBACK_API)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_helpers import ROOT, run
from pytest_httpserver import HTTPServer
from test_links import events_file
from werkzeug import Request, Response

from tracker.errors import TrackerError
from tracker.links import ProbeOptions, check_links
from tracker.links.archives import Lookup, Snapshot, closest, find_snapshots
from tracker.storage import load_events
from tracker.storage.edits import set_archived_copies

FAST = ProbeOptions(timeout=0.5, retry_wait=0)


def capture(url: str, stamp: str, status: str = "200") -> dict:
    """An availability answer naming one capture, as the API words it."""
    copy = f"http://web.archive.org/web/{stamp}/{url}"
    return {"url": url, "archived_snapshots": {"closest": {"available": True, "url": copy, "timestamp": stamp, "status": status}}}  # fmt: skip


@pytest.fixture
def archive(monkeypatch):
    """The API on this machine: ``answers`` by source URL (a dict is sent as JSON, an int as that
    status); ``asked`` logs (url, timestamp) of each request."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    answers, asked = {}, []

    def available(request: Request) -> Response:
        url = request.args.get("url", "")
        asked.append((url, request.args.get("timestamp")))
        answer = answers.get(url, {"url": url, "archived_snapshots": {}})
        if isinstance(answer, int):
            return Response("busy", status=answer)
        return Response(answer if isinstance(answer, str) else json.dumps(answer), content_type="application/json")

    server.expect_request("/wayback/available").respond_with_handler(available)
    monkeypatch.setenv("TRACKER_WAYBACK_API", server.url_for("/wayback/available"))
    server.answers, server.asked = answers, asked
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def web():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/ok").respond_with_data("fine")
    for path, status in (("/missing", 404), ("/gone", 410), ("/broken", 500)):
        server.expect_request(path).respond_with_data("no", status=status)
    yield server
    server.clear()
    server.stop()


def test_the_capture_closest_to_the_day_cited_counts_only_when_it_was_a_200(archive):
    archive.answers.update(
        {
            "https://a.org/1": capture("https://a.org/1", "20240102093000"),
            "https://a.org/2": capture("https://a.org/2", "20240102093000", status="404"),
            "https://a.org/3": 503,
            "https://a.org/4": "<html>not json</html>",
        }
    )
    cited = {f"https://a.org/{n}": "2024-01-02" for n in range(1, 6)}
    found = find_snapshots(cited, FAST)
    assert found == {
        "https://a.org/1": Lookup(
            "https://a.org/1", Snapshot("https://web.archive.org/web/20240102093000/https://a.org/1", "2024-01-02")
        ),
        "https://a.org/2": Lookup("https://a.org/2", None),  # (a capture of an error page is no copy)
        "https://a.org/3": Lookup("https://a.org/3", None, "the Wayback Machine answered 503 Service Unavailable"),
        "https://a.org/4": Lookup("https://a.org/4", None, "the Wayback Machine's answer was not JSON"),
        "https://a.org/5": Lookup("https://a.org/5", None),
    }
    asked = [(url, stamp) for url, stamp in archive.asked]
    assert asked.count(("https://a.org/3", "20240102")) == 2, "a busy archive is asked once more"
    assert sorted(set(asked)) == [(f"https://a.org/{n}", "20240102") for n in range(1, 6)]


def test_answers_that_name_no_usable_capture():
    assert closest({"archived_snapshots": {}}) is None
    assert closest({"archived_snapshots": {"closest": {"available": False}}}) is None
    assert closest([]) is None
    assert closest(capture("https://a.org/1", "2024")) is None  # (no day in the stamp)
    kept = closest(capture("https://a.org/1", "20230919044612"))
    assert kept == Snapshot("https://web.archive.org/web/20230919044612/https://a.org/1", "2023-09-19")


def test_the_archive_is_asked_for_the_earliest_event_without_a_copy(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(
        tmp_path / "events.csv",
        {
            "2024-01-01-a": ([url("/missing")], ["https://example.org/copy"]),  # (has a copy: not asked for)
            "2024-01-02-b": ([url("/ok"), url("/missing")], []),
            "2024-01-03-c": ([url("/missing"), url("/broken")], []),
        },
    )
    archive.answers[url("/missing")] = capture(url("/missing"), "20240101120000")
    report = check_links(path, max_age=0, options=FAST, find_archives=True)
    assert sorted(archive.asked) == [(url("/broken"), "20240103"), (url("/missing"), "20240102")]
    copy = f"https://web.archive.org/web/20240101120000/{url('/missing')}"
    assert report.found_copies() == {"2024-01-02-b": {url("/missing"): copy}, "2024-01-03-c": {url("/missing"): copy}}
    assert [e.archive for e in report.entries if e.url == url("/ok")] == [None], "a live link is not looked up"


def test_progress_follows_the_visits_then_the_archive(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([url("/ok"), url("/missing"), url("/gone")], [])})
    seen = []
    check_links(path, max_age=0, options=FAST, progress=lambda *step: seen.append(step), find_archives=True)
    visits, asks = seen[:3], seen[3:]
    assert visits == [("Visiting links", 1, 3), ("Visiting links", 2, 3), ("Visiting links", 3, 3)]
    assert asks == [("Asking the Wayback Machine", 1, 2), ("Asking the Wayback Machine", 2, 2)]


def test_text_gives_the_command_that_adds_each_copy_found(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(
        tmp_path / "events.csv", {"2024-01-01-a": ([url("/missing")], []), "2024-01-02-b": ([url("/gone")], [])}
    )
    archive.answers[url("/missing")] = capture(url("/missing"), "20231231235959")
    before = path.read_bytes()
    result = run("check-links", "--csv", str(path), "--timeout", "0.5", "--find-archives")
    copy = f"https://web.archive.org/web/20231231235959/{url('/missing')}"
    assert result.exit_code == 1
    assert result.output == (
        "Dead links (2):\n"
        f"  {url('/missing')}\n    404 Not Found; cited by 2024-01-01-a\n"
        "    no archived copy in 2024-01-01-a; the Wayback Machine has one captured 2023-12-31:\n"
        f"      tracker edit 2024-01-01-a --archive-for {url('/missing')} {copy}\n"
        f"  {url('/gone')}\n    410 Gone; cited by 2024-01-02-b\n"
        "    no archived copy in 2024-01-02-b; nor has the Wayback Machine one "
        f"(give one: tracker edit ID --archive-for {url('/gone')} ARCHIVE_URL)\n"
        "2 links: 0 ok, 2 dead, 0 doubtful (2 visited, 0 from the cache)\n"
    )
    assert path.read_bytes() == before, "finding writes nothing"


def test_add_archives_writes_every_copy_found_in_one_write(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(
        tmp_path / "events.csv",
        {
            "2024-01-01-a": ([url("/ok"), url("/missing")], []),
            "2024-01-02-b": ([url("/missing"), url("/gone")], ["https://example.org/b", "-"]),
            "2024-01-03-c": ([url("/ok")], []),
        },
    )
    archive.answers[url("/missing")] = capture(url("/missing"), "20240101000000")
    archive.answers[url("/gone")] = capture(url("/gone"), "20240102000000")
    lines = path.read_text().splitlines()
    result = run("check-links", "--csv", str(path), "--timeout", "0.5", "--add-archives")
    missing, gone = (
        f"https://web.archive.org/web/2024010{n}000000/{url(p)}" for n, p in ((1, "/missing"), (2, "/gone"))
    )
    assert result.exit_code == 1, "the sources themselves are still dead"
    assert f"    added the Wayback Machine's copy captured 2024-01-01 to 2024-01-01-a: {missing}\n" in result.output
    assert result.output.endswith(f"Archived copies added to 2 events of {path}\n")
    events = load_events(path).set_index("id")["archive_urls"].to_dict()
    assert events == {"2024-01-01-a": f"- | {missing}", "2024-01-02-b": f"https://example.org/b | {gone}", "2024-01-03-c": ""}  # fmt: skip
    changed = [n for n, (old, new) in enumerate(zip(lines, path.read_text().splitlines(), strict=True)) if old != new]
    assert changed == [1, 2], "only the two events' lines"
    assert run("validate", str(path)).exit_code == 0


def test_json_gives_each_entry_the_copy_found_only_when_asked(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([url("/ok"), url("/missing")], [])})
    archive.answers[url("/missing")] = capture(url("/missing"), "20240101000000")
    asked = json.loads(run("check-links", "--csv", str(path), "--format", "json", "--find-archives").stdout)
    assert [e["archive"] for e in asked] == [
        None,
        {"url": f"https://web.archive.org/web/20240101000000/{url('/missing')}", "captured": "2024-01-01"},
    ]
    plain = json.loads(run("check-links", "--csv", str(path), "--format", "json").stdout)
    assert all("archive" not in e for e in plain)


def test_set_archived_copies_refuses_a_copy_of_what_is_no_source_and_writes_nothing(tmp_path, private_cache):
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": (["https://a.org/1"], []), "2024-01-02-b": (["https://a.org/2"], [])})  # fmt: skip
    before = path.read_bytes()
    good, bad = {"https://a.org/1": "https://archive.example/1"}, {"https://a.org/9": "https://archive.example/9"}
    with pytest.raises(TrackerError, match=r"2024-01-02-b: 'https://a.org/9' is not a source of this event"):
        set_archived_copies(path, {"2024-01-01-a": good, "2024-01-02-b": bad})
    with pytest.raises(TrackerError, match=r"no event has the id '2024-01-09-x'"):
        set_archived_copies(path, {"2024-01-01-a": good, "2024-01-09-x": good})
    assert path.read_bytes() == before
    (edited,) = set_archived_copies(path, {"2024-01-01-a": good})
    assert (edited.old["archive_urls"], edited.new["archive_urls"]) == ("", "https://archive.example/1")


def test_the_archives_answers_are_kept_and_asked_again_only_when_stale_or_failed(tmp_path, web, archive, private_cache):
    url = web.url_for
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([url("/missing"), url("/gone"), url("/broken")], [])})
    archive.answers.update({url("/missing"): capture(url("/missing"), "20240101000000"), url("/broken"): 503})
    first = check_links(path, max_age=3600, options=FAST, find_archives=True)
    asked = len(archive.asked)
    again = check_links(path, max_age=3600, options=FAST, find_archives=True)
    assert [u for u, _ in archive.asked[asked:]] == [url("/broken")] * 2, "only the failed one, tried twice"
    assert [e.archive for e in again.entries] == [e.archive for e in first.entries]
    assert again.found_copies() == {"2024-01-01-a": {url("/missing"): capture(url("/missing"), "20240101000000")["archived_snapshots"]["closest"]["url"].replace("http:", "https:", 1)}}  # fmt: skip
    asked = len(archive.asked)
    check_links(path, max_age=0, options=FAST, find_archives=True)
    assert sorted({u for u, _ in archive.asked[asked:]}) == sorted([url("/missing"), url("/gone"), url("/broken")])


def test_reading_kept_results_loads_no_web_client():
    """The dashboard reads kept link results: it must not pay for httpx at start-up."""
    code = "import sys, dashboard.details, dashboard.reading, tracker.links.cache; print('httpx' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert found.stdout == "False\n"
