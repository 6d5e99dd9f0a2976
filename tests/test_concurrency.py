"""Concurrent and interrupted writers never lose or corrupt events (issue 6).

Writers run in real processes (a forkserver that has already imported tracker.storage, so each
start is cheap); they are killed with SIGKILL to simulate crashes.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.errors import TrackerError
from tracker.storage import append
from tracker.storage import load as store
from tracker.storage import writer as events_writer

pytestmark = pytest.mark.slow

CTX = multiprocessing.get_context("forkserver")
# missing modules are skipped; this module itself, so that a writer starts in milliseconds
CTX.set_forkserver_preload(["tracker.storage", __name__])
WRITERS, EVENTS_EACH = 20, 50


def new_row(writer: int, i: int) -> dict[str, str]:
    """A distinct valid event for writer ``writer``, number ``i``."""
    return {
        "date": f"20{10 + i % 15:02d}-{1 + writer % 12:02d}",
        "title": f"Writer {writer} event {i}",
        "category": "economic",
        "status": "reported",
        "source_url": f"https://example.org/{writer}/{i}",
    }


def new_last_row(writer: int, i: int) -> dict[str, str]:
    """An event that sorts after every earlier one of this test: one date, ids in (writer, i) order."""
    return dict(new_row(writer, i), date="2030-01-01", title=f"Writer {writer:04d} last {i:06d}")


def append_many(path: str, writer: int, count: int) -> None:
    # A writer that loops re-takes the lock before the sleeping waiters poll, so the writers run
    # one after another; the test is about integrity, so let the last one wait as long as needed.
    events_writer.LOCK_TIMEOUT_S = 600
    for i in range(count):
        append.add_event(path, new_row(writer, i))


def append_forever(path: str, writer: int, make_row=new_row) -> None:
    i = 0
    while True:
        append.add_event(path, make_row(writer, i))
        i += 1


def append_last_forever(path: str, writer: int) -> None:
    """Adds that mostly go in place (they sort last; those crossing a page are rewritten)."""
    append_forever(path, writer, new_last_row)


def hold_lock(path: str, ready) -> None:
    with events_writer.lock_for(Path(path)):
        ready.set()
        time.sleep(600)


def add_but_hang_before_replace(path: str, ready) -> None:
    """add_event that stops after writing and fsyncing its temp file, before the replace."""
    real_replace = os.replace

    def hang(src, dst):
        if str(dst) == path:
            ready.set()
            time.sleep(600)
        real_replace(src, dst)

    os.replace = hang
    append.add_event(path, new_row(5, 5))


def ids_in(path: Path) -> list[str]:
    """The ids of a file that must be valid (load_events raises otherwise), parsed afresh."""
    return store.load_events(path, cache=False)["id"].tolist()


def files_of(csv_path: Path) -> set[str]:
    """The names of the CSV, its lock and any temp files of its writers."""
    return {p.name for p in csv_path.parent.iterdir() if "events.csv" in p.name}


def start(target, *args) -> multiprocessing.Process:
    proc = CTX.Process(target=target, args=args, daemon=True)
    proc.start()
    return proc


def kill(proc: multiprocessing.Process) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL


def test_twenty_concurrent_writers_lose_nothing(events_csv: Path):
    before = ids_in(events_csv)
    procs = [start(append_many, str(events_csv), w, EVENTS_EACH) for w in range(WRITERS)]
    for proc in procs:
        proc.join(300)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    after = store.load_events(events_csv)
    assert len(after) == len(before) + WRITERS * EVENTS_EACH == 1046
    titles = set(after["title"])
    assert {f"Writer {w} event {i}" for w in range(WRITERS) for i in range(EVENTS_EACH)} <= titles
    assert set(before) <= set(after["id"])
    assert after["id"].is_unique
    order = list(zip(after["start"], after["id"], strict=True))
    assert order == sorted(order), "rows stay in (date, id) order"


def observe_until(path: Path, deadline: float, seen: list[str]) -> list[str]:
    """Read the file again and again until ``deadline``: every state loads and only grows."""
    while time.monotonic() < deadline:
        ids = ids_in(path)
        assert set(seen) <= set(ids) and len(ids) >= len(seen)
        seen = ids
    return seen


def observe_growth(path: Path, seen: list[str], timeout: float) -> list[str]:
    """Read the file again and again until it holds more events than ``seen`` (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = ids_in(path)
        assert set(seen) <= set(ids)
        if len(ids) > len(seen):
            return ids
        time.sleep(0.05)
    return seen


@pytest.mark.parametrize(
    ("writes", "iterations"),
    [(append_forever, 40), (append_last_forever, 20)],
    ids=["rewrites", "appends-in-place"],
)
def test_writer_killed_at_random_moments_leaves_old_or_new_file(events_csv: Path, writes, iterations: int):
    rng = random.Random(6)
    seen = ids_in(events_csv)
    start_count = len(seen)
    for iteration in range(iterations):
        writer = start(writes, str(events_csv), 100 + iteration)
        if iteration % 10 == 0:  # now and then, let it write first (a slow machine may not otherwise)
            seen = observe_growth(events_csv, seen, timeout=60)
        seen = observe_until(events_csv, time.monotonic() + rng.uniform(0.1, 0.8), seen)
        kill(writer)
        seen = observe_until(events_csv, 0, seen)
        after = ids_in(events_csv)
        assert set(seen) <= set(after) and len(after) >= len(seen)
        seen = after
        names = files_of(events_csv)
        assert "events.csv" in names  # (the lock file appears once a writer got that far)
        assert all(re.fullmatch(r"\.events\.csv\.\w+\.tmp", n) for n in names - {"events.csv", "events.csv.lock"})
    assert len(seen) > start_count, "the writers did write between kills"
    append.add_event(events_csv, new_row(999, 0))
    assert files_of(events_csv) == {"events.csv", "events.csv.lock"}, "stale temp files are removed"
    assert len(ids_in(events_csv)) == len(seen) + 1


def test_writer_killed_before_its_replace_leaves_the_old_file(events_csv: Path):
    before = events_csv.read_bytes()
    ready = CTX.Event()
    writer = start(add_but_hang_before_replace, str(events_csv), ready)
    assert ready.wait(30)
    (temp,) = files_of(events_csv) - {"events.csv", "events.csv.lock"}
    written = (events_csv.parent / temp).read_bytes()
    assert len(written.splitlines()) == len(before.splitlines()) + 1, "the temp file is complete"
    kill(writer)
    assert events_csv.read_bytes() == before
    new_id = append.add_event(events_csv, new_row(5, 5))
    assert events_csv.read_bytes() == written, "the next writer writes the same new file"
    assert files_of(events_csv) == {"events.csv", "events.csv.lock"}
    assert new_id in ids_in(events_csv)


def test_add_removes_temp_files_left_by_killed_writers(events_csv: Path):
    stale = events_csv.parent / ".events.csv.k1ll3d.tmp"
    stale.write_bytes(b"id,date\nhalf-writ")
    other = events_csv.parent / ".other.csv.abcd.tmp"
    other.write_bytes(b"not ours")
    append.add_event(events_csv, new_row(1, 1))
    assert not stale.exists()
    assert other.read_bytes() == b"not ours"


def test_writer_killed_holding_the_lock_does_not_block_the_next(events_csv: Path, monkeypatch):
    monkeypatch.setattr(events_writer, "LOCK_TIMEOUT_S", 10.0)
    ready = CTX.Event()
    holder = start(hold_lock, str(events_csv), ready)
    assert ready.wait(30)
    kill(holder)
    assert (events_csv.parent / "events.csv.lock").exists()
    new_id = append.add_event(events_csv, new_row(7, 7))
    assert new_id == "2017-08-writer-7-event-7"
    assert new_id in ids_in(events_csv)


def test_live_lock_holder_makes_add_time_out_cleanly(events_csv: Path, monkeypatch):
    monkeypatch.setattr(events_writer, "LOCK_TIMEOUT_S", 0.3)
    before = events_csv.read_bytes()
    ready = CTX.Event()
    holder = start(hold_lock, str(events_csv), ready)
    try:
        assert ready.wait(30)
        with pytest.raises(TrackerError) as caught:
            append.add_event(events_csv, new_row(3, 3))
    finally:
        kill(holder)
    assert str(caught.value) == (
        f"{events_csv}: another writer has held {events_csv}.lock for over 0.3 s "
        "(a live process is writing it; try again when it is done (a crashed writer's lock is freed "
        "by the OS; raise TRACKER_LOCK_TIMEOUT to wait longer))"
    )
    assert events_csv.read_bytes() == before


def test_cli_add_times_out_with_tracker_lock_timeout(events_csv: Path):
    before = events_csv.read_bytes()
    ready = CTX.Event()
    holder = start(hold_lock, str(events_csv), ready)
    try:
        assert ready.wait(30)
        cmd = [
            sys.executable,
            "-m",
            "tracker",
            "add",
            "--csv",
            str(events_csv),
            "--date",
            "2024",
            "--title",
            "Blocked",
            "--category",
            "energy",
            "--status",
            "alleged",
            "--source-url",
            "https://example.org/b",
        ]
        env = dict(os.environ, TRACKER_LOCK_TIMEOUT="0.5")
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    finally:
        kill(holder)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {events_csv}: another writer has held {events_csv}.lock for over 0.5 s "
        "(a live process is writing it; try again when it is done (a crashed writer's lock is freed "
        "by the OS; raise TRACKER_LOCK_TIMEOUT to wait longer))\n"
    )
    assert events_csv.read_bytes() == before
