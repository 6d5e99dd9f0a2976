"""A first history's versions worked out in two processes: the same answer as in one, and the
parent finishes the child's share when the child fails."""

from __future__ import annotations

import os

import pytest
from cli_helpers import SMALL_ROWS
from history_helpers import Repo, first_rows, replaced

from tracker.history import file_history, twoway

PARENT = os.getpid()  # (the test process: a child forked from it has another id)


def test_the_split_halves_the_cost():
    assert twoway.split_at([1, 1, 1, 1]) == 2
    assert twoway.split_at([1, 1, 1, 5]) == 3
    assert twoway.split_at([5, 1, 1, 1]) == 1
    assert twoway.split_at([1, 1, 100]) == 2, "never all of it on one side"
    assert twoway.split_at([1, 2, 3, 4, 5, 6]) == 4  # (a growing file: the older share is longer)


@pytest.fixture
def forking(monkeypatch):
    """Fork whatever the number of threads (a test runner has some) and however few the items."""
    monkeypatch.setattr(twoway, "can_fork", lambda: True)
    monkeypatch.setattr(twoway, "MIN_ITEMS", 2)


def _by_process(items: list[int]) -> dict[int, int]:
    return {item: os.getpid() for item in items}


@pytest.mark.usefixtures("forking")
def test_the_older_share_is_worked_out_in_a_child():
    done = twoway.in_two(_by_process, list(range(8)), lambda items: [1] * len(items))
    assert sorted(done) == list(range(8))
    assert {done[i] for i in range(4, 8)} == {os.getpid()}, "the newer half here"
    assert {done[i] for i in range(4)} != {os.getpid()}, "the older half in another process"


def _failing_in_a_child(items: list[int]) -> dict[int, int]:
    if os.getpid() != PARENT:
        raise RuntimeError("the child fails")
    return _by_process(items)


def _dying_in_a_child(items: list[int]) -> dict[int, int]:
    if os.getpid() != PARENT:
        os._exit(3)
    return _by_process(items)


@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("work", [_failing_in_a_child, _dying_in_a_child])
def test_what_the_child_does_not_answer_is_worked_out_here(work):
    assert twoway.in_two(work, list(range(6)), lambda items: [1] * len(items)) == dict.fromkeys(range(6), PARENT)


def drafts(tmp_path, days: int) -> Repo:
    """A commit a day redrafting the first event's title; the rockets in on two days of three."""
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    for day in range(1, days + 1):
        rows = replaced(rows, 0, rows[0].split(",")[3], f"Resolution 1718 draft {day}")
        repo.commit([*rows, SMALL_ROWS[3]] if day % 3 else rows, f"Version {day}", f"2024-02-{day:02d}")
    return repo


@pytest.mark.usefixtures("private_cache")
def test_a_history_worked_out_in_two_processes_is_the_history_worked_out_in_one(tmp_path, monkeypatch):
    repo = drafts(tmp_path, 12)

    def shape(history):
        return [(v.commit, v.message, v.diff.added.keys(), v.diff.removed, v.diff.changed) for v in history.versions]

    first = file_history(repo.csv)
    assert [v.diff.summary() for v in first.versions[:4]] == [
        "+4 events",
        "1 edit",
        "1 edit, 1 removed",
        "+1 event, 1 edit",
    ]
    assert not any(v.invalid for v in first.versions)
    alone = shape(first)
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "other-cache"))
    monkeypatch.setattr(twoway, "can_fork", lambda: True)
    monkeypatch.setattr(twoway, "MIN_ITEMS", 2)
    forks = []
    real_in_two = twoway.in_two
    monkeypatch.setattr(twoway, "in_two", lambda *a: forks.append(len(a[1])) or real_in_two(*a))
    assert shape(file_history(repo.csv)) == alone
    assert forks == [12], "all twelve versions went through the two processes"


@pytest.mark.usefixtures("forking")
def test_no_child_to_start_means_all_of_it_here(monkeypatch):
    def refuse(self):
        raise OSError("no more processes")

    monkeypatch.setattr("multiprocessing.context.ForkProcess.start", refuse)
    assert twoway.in_two(_by_process, list(range(6)), lambda items: [1] * len(items)) == dict.fromkeys(
        range(6), os.getpid()
    )


def test_no_fork_while_another_thread_runs(monkeypatch):
    """(a served dashboard's worker has threads: its histories are worked out in one process)"""
    import threading

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert twoway.can_fork() is True
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert twoway.can_fork() is False
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert twoway.can_fork() is False


@pytest.mark.usefixtures("private_cache")
def test_a_first_long_history_is_announced_on_a_terminal_only(tmp_path, monkeypatch):
    import io
    import sys

    from cli_helpers import SMALL_IDS

    from tracker.cli.history import first_history_notice
    from tracker.history import log

    repo = drafts(tmp_path, 4)
    monkeypatch.setattr(log, "NOTICE_FROM", 3)
    told: list[int] = []
    file_history(repo.csv, notice=told.append)
    file_history(repo.csv, notice=told.append)  # (cached: nothing to tell)
    assert told == [4]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    notice = first_history_notice(repo.csv)
    notice(1000)
    assert sys.stderr.getvalue() == (
        "events.csv: working out the history of 1,000 versions, once (later runs read only new commits)…\n"
    )
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert first_history_notice(repo.csv) is None
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "other-cache"))
    from cli_helpers import run

    result = run("history", SMALL_IDS[0], "--csv", str(repo.csv))  # (not a terminal: output only)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
