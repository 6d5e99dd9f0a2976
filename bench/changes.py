"""Changing events (``tracker edit`` / ``remove`` against a copy of the file) and checking links
(``tracker check-links`` on 1,000 URLs served by local servers, first run and rerun from the
cache, and the rerun that asks a local stand-in for the Wayback Machine for copies of 100 dead ones)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tracker.contract import schema
from tracker.links import ProbeOptions, check_links
from tracker.links.cache import ARCHIVES_FILE, cache_path
from tracker.storage import load_events
from tracker.storage.cache import cache_dir
from tracker.storage.edits import Edit, edit_event, remove_event, remove_events

from .timing import median_time

LINKS, HOSTS, DEAD_LINKS = 1000, 20, 100


def measure_edits(csv: Path, repeat: int) -> dict[str, float]:
    """Seconds (medians) of an edit in place (a new status), an edit that moves the row (a new
    date) and a removal, each of an event in the middle, and a removal of ten events across the
    file in one write, each on a fresh copy of ``csv`` the cache vouches for (as after the dashboard or ``tracker list`` read it); the edit in place with no
    cache (the whole file re-read and validated); and what comes after an edit."""
    with tempfile.TemporaryDirectory(prefix="bench-edit-") as tmp:
        work = Path(tmp) / "events.csv"
        frame = load_events(csv)
        middle = frame.iloc[len(frame) // 2]
        event_id, status = middle["id"], _another_status(middle)
        spread = frame["id"].iloc[:: max(1, len(frame) // 10)].head(10).tolist()  # (ten, across the file)

        def fresh_copy():
            shutil.copyfile(csv, work)
            os.sync()

        edit_status = lambda: edit_event(work, event_id, Edit({"status": status}))  # noqa: E731
        uncached = median_time(edit_status, repeat, fresh_copy)  # (no load of this path yet: no cache)
        fresh_copy()
        load_events(work)  # the cache's word on these bytes (each fresh copy has them again)
        return {
            "edit_status_uncached": uncached,
            "edit_status": median_time(edit_status, repeat, fresh_copy),
            "edit_date": median_time(
                lambda: edit_event(work, event_id, Edit({"date": "2026", "end_date": ""})), repeat, fresh_copy
            ),
            "remove": median_time(lambda: remove_event(work, event_id), repeat, fresh_copy),
            "remove_ten": median_time(lambda: remove_events(work, spread), repeat, fresh_copy),
            **_after_an_edit(work, frame, fresh_copy, repeat),
        }


def _after_an_edit(work: Path, frame, fresh_copy, repeat: int) -> dict[str, float]:
    """Seconds (medians), on a fresh copy the cache vouched for and an edit made to it: a second
    edit (of another event), and a load of the file (the dashboard's reload); each takes the
    cache's word through the delta the first edit left."""
    first, second = frame.iloc[len(frame) // 3], frame.iloc[2 * len(frame) // 3]

    def edited_copy():
        fresh_copy()
        edit_event(work, first["id"], Edit({"status": _another_status(first)}))

    return {
        "edit_second": median_time(
            lambda: edit_event(work, second["id"], Edit({"status": _another_status(second)})), repeat, edited_copy
        ),
        "load_after_edit": median_time(lambda: load_events(work), repeat, edited_copy),
    }


def _another_status(event) -> str:
    """A status the event does not have (an edit to the same one writes nothing)."""
    return "denied" if event["status"] != "denied" else "alleged"


class _Quiet(BaseHTTPRequestHandler):
    """Pages (200), gone pages (404), and the Wayback Machine's availability API, which has a
    capture of every page asked for."""

    def do_HEAD(self):
        self._answer(404 if self.path.startswith("/gone/") else 200)

    def do_GET(self):
        if not self.path.startswith("/wayback/available"):
            return self.do_HEAD()
        url = parse_qs(urlsplit(self.path).query)["url"][0]
        copy = {"available": True, "url": f"http://web.archive.org/web/20240101000000/{url}"}
        copy.update(timestamp="20240101000000", status="200")
        self._answer(200, json.dumps({"url": url, "archived_snapshots": {"closest": copy}}).encode())

    def _answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def local_hosts(count: int):
    """``count`` web servers, one per loopback address 127.0.0.1, 127.0.0.2, …; yields their base URLs."""
    servers = [ThreadingHTTPServer((f"127.0.0.{i + 1}", 0), _Quiet) for i in range(count)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield [f"http://127.0.0.{i + 1}:{s.server_address[1]}" for i, s in enumerate(servers)]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def measure_links(repeat: int) -> dict[str, float]:
    """Seconds (medians) of checking 1,000 distinct URLs (50 per local host, default limits)
    with an empty cache, and of the rerun within --max-age (every result from the cache)."""
    with tempfile.TemporaryDirectory(prefix="bench-links-") as tmp, local_hosts(HOSTS) as bases:
        os.environ["TRACKER_CACHE_DIR"] = str(Path(tmp) / "cache")
        path = Path(tmp) / "events.csv"
        urls = [f"{bases[i % HOSTS]}/{'gone' if i < DEAD_LINKS else 'page'}/{i}" for i in range(LINKS)]
        rows = [",".join(schema.COLUMNS)]
        for i in range(0, LINKS, 4):
            row = dict.fromkeys(schema.COLUMNS, "")
            row.update(id=f"event-{i}", date="2024", title=f"Event {i}", category="energy", status="reported")
            row["source_url"] = " | ".join(urls[i : i + 4])
            rows.append(",".join(row.values()))
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        options = ProbeOptions()
        first = median_time(
            lambda: check_links(path, 0, options), repeat, setup=lambda: cache_path().unlink(missing_ok=True)
        )
        report = check_links(path, 3600, options)
        assert report.visited == 0 and report.counts["dead"] == DEAD_LINKS, report.counts
        rerun = median_time(lambda: check_links(path, 3600, options), repeat)
        os.environ["TRACKER_WAYBACK_API"] = f"{bases[0]}/wayback/available"
        assert len(check_links(path, 3600, options, find_archives=True).found_copies()) == DEAD_LINKS // 4
        forget = lambda: (cache_dir() / ARCHIVES_FILE).unlink(missing_ok=True)  # noqa: E731 (asked anew each run)
        archives = median_time(lambda: check_links(path, 3600, options, find_archives=True), repeat, setup=forget)
        archives_kept = median_time(lambda: check_links(path, 3600, options, find_archives=True), repeat)
        os.environ.pop("TRACKER_WAYBACK_API")
    return {
        "links_first": first,
        "links_cached": rerun,
        "links_archives": archives,
        "links_archives_kept": archives_kept,
    }
