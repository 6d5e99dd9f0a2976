"""`tracker check-links` against servers on this machine: every state, the cache, the limits.

Nothing here leaves the machine: the web server and the resetting socket listen on 127.0.0.1
and the one name that must not resolve is under .invalid (RFC 6761).
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tracker.contract import schema
from tracker.links import LinkResult, ProbeOptions, check_links
from tracker.links import cache as links_cache
from tracker.links.cache import cache_path, kept_results, save_results
from tracker.links.collect import links_of, unarchived
from tracker.storage import load_events

FAST = ProbeOptions(timeout=0.5, retry_wait=0)


@pytest.fixture
def web():
    """A threaded local web server (a slow answer must not hold up the others)."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    late = lambda request: (time.sleep(2), Response("late"))[1]  # noqa: E731
    server.expect_request("/ok").respond_with_data("fine")
    server.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/ok"})
    server.expect_request("/old-article").respond_with_data("", status=301, headers={"Location": "/"})
    server.expect_request("/").respond_with_data("home")
    server.expect_request("/missing").respond_with_data("no", status=404)
    server.expect_request("/gone").respond_with_data("no", status=410)
    server.expect_request("/broken").respond_with_data("oops", status=500)
    server.expect_request("/slow").respond_with_handler(late)
    server.expect_request("/head-refused", method="HEAD").respond_with_data("", status=405)
    server.expect_request("/head-refused", method="GET").respond_with_data("fine")
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def resetting():
    """A TCP server that reads a request and resets the connection (RST, no answer)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.recv(4096)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/reset"
    stop.set()
    thread.join(5)
    listener.close()


def events_file(path: Path, events: dict[str, tuple[list[str], list[str]]]) -> Path:
    """An events file whose events cite the given (source URLs, archived copies)."""
    rows = [",".join(schema.COLUMNS)]
    for i, (event_id, (urls, archives)) in enumerate(events.items()):
        row = dict.fromkeys(schema.COLUMNS, "")
        row.update(id=event_id, date=f"2024-01-{i + 1:02d}", title=f"Event {i}", category="energy", status="reported")
        row.update(source_url=" | ".join(urls), archive_urls=" | ".join(archives))
        rows.append(",".join(row.values()))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def linked_csv(tmp_path, web, resetting, private_cache) -> Path:
    url = web.url_for
    return events_file(
        tmp_path / "events.csv",
        {
            "2024-01-01-a": ([url("/ok"), url("/missing")], ["-", url("/moved")]),
            "2024-01-02-b": ([url("/gone"), url("/broken"), url("/ok")], []),
            "2024-01-03-c": ([url("/slow"), url("/old-article"), url("/head-refused")], []),
            "2024-01-04-d": ([resetting, "http://nothing.invalid/page", url("/ok").replace("http:", "https:")], []),
        },
    )


def test_every_state_with_the_events_citing_it(linked_csv, web, resetting):
    report = check_links(linked_csv, max_age=3600, options=FAST)
    url = web.url_for
    found = [(e.url, e.ids, e.result.state, e.result.status) for e in report.entries]
    assert found == [
        (url("/ok"), ["2024-01-01-a", "2024-01-02-b"], "ok", 200),
        (url("/missing"), ["2024-01-01-a"], "dead", 404),
        (url("/moved"), ["2024-01-01-a"], "ok", 200),
        (url("/gone"), ["2024-01-02-b"], "dead", 410),
        (url("/broken"), ["2024-01-02-b"], "doubtful", 500),
        (url("/slow"), ["2024-01-03-c"], "doubtful", None),
        (url("/old-article"), ["2024-01-03-c"], "doubtful", 200),
        (url("/head-refused"), ["2024-01-03-c"], "ok", 200),
        (resetting, ["2024-01-04-d"], "doubtful", None),
        ("http://nothing.invalid/page", ["2024-01-04-d"], "dead", None),
        (url("/ok").replace("http:", "https:"), ["2024-01-04-d"], "dead", None),
    ]
    details = {e.url: e.result.detail for e in report.entries}
    assert details[url("/missing")] == "404 Not Found"
    assert details[url("/moved")] == f"200 OK, after a redirect to {url('/ok')}"
    assert details[url("/broken")] == "500 Internal Server Error"
    assert details[url("/slow")] == "no answer within 0.5 s"
    assert details[url("/old-article")] == f"redirects to the site's home page ({url('/')})"
    assert details[resetting] == "connection reset by 127.0.0.1"
    assert details["http://nothing.invalid/page"].startswith("DNS failure: nothing.invalid does not resolve (")
    assert details[url("/ok").replace("http:", "https:")].startswith("TLS failure: ")
    assert report.visited == 11 and report.counts == {"ok": 3, "dead": 4, "doubtful": 4}


def test_head_then_get_and_one_retry_of_a_transient_failure(linked_csv, web):
    check_links(linked_csv, max_age=3600, options=FAST)
    asked = [(request.method, request.path) for request, _ in web.log]
    assert [m for m, p in asked if p == "/head-refused"] == ["HEAD", "GET"]
    assert [m for m, p in asked if p == "/broken"] == ["HEAD", "GET", "HEAD", "GET"], "tried once more"
    assert [m for m, p in asked if p == "/missing"] == ["HEAD", "GET"], "a 404 is not tried again"
    assert [m for m, p in asked if p == "/ok"] == ["HEAD", "HEAD"], "once (cited twice), once after /moved"


def test_a_failure_that_passes_is_ok_on_the_retry(tmp_path, web, private_cache):
    calls = []

    def flaky(request: Request) -> Response:
        calls.append(request.method)
        return Response("busy", status=503) if len(calls) <= 2 else Response("fine")

    web.expect_request("/flaky").respond_with_handler(flaky)
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([web.url_for("/flaky")], [])})
    (entry,) = check_links(path, max_age=0, options=FAST).entries
    assert (entry.result.state, entry.result.status, calls) == ("ok", 200, ["HEAD", "GET", "HEAD"])


def test_a_caller_inside_a_running_event_loop_still_gets_its_report(tmp_path, web, private_cache):
    """Playwright's sync API and notebooks run an event loop in the caller's thread."""
    web.expect_request("/ok").respond_with_data("fine")
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([web.url_for("/ok")], [])})

    async def from_inside_a_loop():
        return check_links(path, max_age=0, options=FAST)

    # In a thread of its own: this test's thread may already run a loop (the browser tests'
    # Playwright session does), where asyncio.run would refuse to start ours.
    reports = []
    caller = threading.Thread(target=lambda: reports.append(asyncio.run(from_inside_a_loop())))
    caller.start()
    caller.join()
    (entry,) = reports[0].entries
    assert (entry.result.state, entry.result.status) == ("ok", 200)


def test_at_most_per_host_requests_at_once(tmp_path, web, private_cache):
    busy, most, lock = [0], [0], threading.Lock()

    def counted(request: Request) -> Response:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.2)
        with lock:
            busy[0] -= 1
        return Response("fine")

    web.expect_request("/counted").respond_with_handler(counted)
    urls = [web.url_for(f"/counted?n={n}") for n in range(8)]
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": (urls, [])})
    report = check_links(path, max_age=0, options=ProbeOptions(per_host=2, concurrency=8, timeout=5))
    assert report.counts["ok"] == 8
    assert most[0] == 2


# ---------------------------------------------------------------- the command


def test_json_lists_one_entry_per_distinct_url_and_exits_1_on_a_dead_link(linked_csv, web):
    result = run("check-links", "--csv", str(linked_csv), "--format", "json", "--timeout", "0.5")
    assert result.exit_code == 1
    entries = json.loads(result.stdout)
    assert len(entries) == 11 and len({e["url"] for e in entries}) == 11
    assert entries[0] == {"url": web.url_for("/ok"), "ids": ["2024-01-01-a", "2024-01-02-b"], "state": "ok",
                          "status": 200, "detail": "200 OK"}  # fmt: skip
    assert entries[3] == {"url": web.url_for("/gone"), "ids": ["2024-01-02-b"], "state": "dead", "status": 410,
                          "detail": "410 Gone"}  # fmt: skip
    assert entries[5] == {"url": web.url_for("/slow"), "ids": ["2024-01-03-c"], "state": "doubtful",
                          "status": None, "detail": "no answer within 0.5 s"}  # fmt: skip


def test_text_names_dead_then_doubtful_links_with_their_events_and_those_without_a_copy(tmp_path, web, private_cache):
    url = web.url_for
    path = events_file(
        tmp_path / "events.csv",
        {
            "2024-01-01-a": ([url("/ok"), url("/missing")], ["-", url("/ok")]),  # (/missing has a copy here)
            "2024-01-02-b": ([url("/broken"), url("/missing")], []),
        },
    )
    result = run("check-links", "--csv", str(path), "--timeout", "0.5")
    assert result.exit_code == 1
    assert result.output == (
        "Dead links (1):\n"
        f"  {url('/missing')}\n    404 Not Found; cited by 2024-01-01-a, 2024-01-02-b\n"
        f"    no archived copy in 2024-01-02-b (give one: tracker edit ID --archive-for {url('/missing')} ARCHIVE_URL)\n"
        "Doubtful links (1):\n"
        f"  {url('/broken')}\n    500 Internal Server Error; cited by 2024-01-02-b\n"
        f"    no archived copy in 2024-01-02-b (give one: tracker edit ID --archive-for {url('/broken')} ARCHIVE_URL)\n"
        "3 links: 1 ok, 1 dead, 1 doubtful (3 visited, 0 from the cache)\n"
    )


def test_a_rerun_within_max_age_visits_only_new_or_stale_links(tmp_path, web, private_cache):
    url = web.url_for
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": ([url("/ok"), url("/moved")], [])})
    first = run("check-links", "--csv", str(path))
    assert (first.exit_code, first.output) == (0, "2 links: 2 ok, 0 dead, 0 doubtful (2 visited, 0 from the cache)\n")
    asked = len(web.log)
    again = run("check-links", "--csv", str(path), "--max-age", "1h")
    assert again.output == "2 links: 2 ok, 0 dead, 0 doubtful (0 visited, 2 from the cache)\n"
    assert len(web.log) == asked, "nothing visited"
    events_file(path, {"2024-01-01-a": ([url("/ok"), url("/moved")], []), "2024-01-02-b": ([url("/gone")], [])})
    third = run("check-links", "--csv", str(path), "--max-age", "7d")
    assert third.exit_code == 1
    assert third.output.endswith("3 links: 2 ok, 1 dead, 0 doubtful (1 visited, 2 from the cache)\n")
    assert [r.path for r, _ in web.log[asked:]] == ["/gone", "/gone"]
    kept = json.loads(cache_path().read_text())["links"]
    assert set(kept) == {url("/ok"), url("/moved"), url("/gone")}
    assert kept[url("/gone")]["state"] == "dead" and abs(kept[url("/gone")]["checked_at"] - time.time()) < 60
    stale = run("check-links", "--csv", str(path), "--max-age", "0")
    assert stale.output.endswith("(3 visited, 0 from the cache)\n")


def test_an_offline_machine_is_not_told_every_link_is_dead(tmp_path, private_cache):
    urls = [f"http://host{n}.invalid/page" for n in range(3)]
    path = events_file(tmp_path / "events.csv", {"2024-01-01-a": (urls, [])})
    result = run("check-links", "--csv", str(path))
    assert result.exit_code == 1
    assert result.output == (
        "Error: no link got an answer and 3 of 3 hosts do not resolve: this machine seems to be offline "
        "(connect it to the internet and run again; no result was kept)\n"
    )
    assert not cache_path().exists()


@pytest.mark.parametrize("age", ["2x", "-1d", "7"])
def test_a_bad_max_age_is_a_usage_error(small_csv, age):
    result = run("check-links", "--csv", str(small_csv), "--max-age", age)
    assert result.exit_code == 2
    assert f"'{age}' is not a duration (write it as 7d, 12h, 30m, 90s or 0)" in result.output


def test_an_invalid_events_file_is_refused_before_any_visit(tmp_path, private_cache):
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(schema.HEADER_COLUMNS) + "\nx,2024-13,,T,,energy,reported,,,,,,,https://a.invalid/\n")
    result = run("check-links", "--csv", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:2: date: '2024-13' is not valid")
    assert not cache_path().exists()


def test_links_of_skips_missing_archives_and_keeps_file_order(small_csv):
    links = links_of(load_events(small_csv))
    assert list(links) == [
        "https://press.un.org/a",
        "https://interfax.com/x",
        "https://a.org/b",
        "https://a.org/c",
        "https://a.org/d",
    ]
    assert links["https://a.org/b"] == ["2022-09-05-shells"]


def test_the_kept_results_are_read_again_only_when_a_check_rewrote_them(private_cache):
    assert kept_results() == {}
    dead = LinkResult("https://a.example/x", "dead", 404, "404 Not Found", 1000.0)
    save_results([dead])
    assert kept_results() == {dead.url: dead}
    reads = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(links_cache, "load_results", lambda: reads.append(1) or {})
        assert kept_results() == {dead.url: dead} and reads == []  # (the same file: not read again)
    alive = LinkResult(dead.url, "ok", 200, "200 OK", 2000.0)
    save_results([alive])
    assert kept_results() == {dead.url: alive}


def test_the_events_citing_a_source_without_its_archived_copy():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "source_url": ["https://x/1 | https://x/2", "https://x/1", "https://x/2 | https://x/1", "https://x/3"],
            "archive_urls": ["https://ar/1 | -", "", "https://ar/2", "https://x/1"],
        }
    )
    links = {"https://x/1": ["a", "b", "c"], "https://x/2": ["a", "c"], "https://ar/1": ["a"]}
    assert unarchived(frame, links) == {"https://x/1": ["b", "c"], "https://x/2": ["a"], "https://ar/1": []}
