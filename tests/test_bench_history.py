"""The history benchmark's repositories and its naive baseline do the same work as the tracker."""

from __future__ import annotations

import pytest

from bench.history import naive_history
from bench.history_repo import Plan, history_repo, move_main
from tracker.history import file_history
from tracker.storage import load_events

pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory):
    return history_repo(Plan(commits=12, final=150, added=5, seed=3), tmp_path_factory.mktemp("data"))


def test_the_naive_baseline_finds_what_the_history_finds(small_repo):
    versions = file_history(small_repo).versions
    ours = [(set(v.diff.added), set(v.diff.removed), set(v.diff.changed)) for v in versions]
    assert ours == naive_history(small_repo)
    assert [v.invalid for v in versions] == [""] * 12
    assert versions[5].message == "Commit 5: 5 events added, a status changed, a description revised, one removed"
    assert len(versions[5].diff.added) == 5 and len(versions[5].diff.removed) == 1


def test_the_repository_is_valid_and_made_once(small_repo):
    assert len(load_events(small_repo)) == 150 - 2  # (two commits of the twelve removed one)
    made = small_repo.stat().st_mtime_ns
    assert history_repo(Plan(commits=12, final=150, added=5, seed=3), small_repo.parent.parent) == small_repo
    assert small_repo.stat().st_mtime_ns == made


def test_moving_main_back_leaves_one_commit_to_work_out(small_repo):
    import pygit2

    repo = pygit2.Repository(str(small_repo.parent))
    head = repo.head.target
    move_main(small_repo, repo[head].parents[0].id)
    try:
        assert len(file_history(small_repo).versions) == 11
    finally:
        move_main(small_repo, head)
    assert len(file_history(small_repo).versions) == 12


def test_the_history_table_shows_the_entry_its_slowest_date_and_the_click():
    from bench.history import history_table

    rows = history_table({"changed_since_entry_B": 0.198, "changed_since_slowest_B": 0.2714, "category_click_B": 0.14})
    lines = rows.splitlines()
    assert lines[6] == '| browser: "changed since" Enter → redrawn timeline |  | 198 ms | ≤ 200 ms |'
    assert lines[7] == "| … the slowest of its dates |  | 271 ms |  |"
    assert lines[8] == "| browser: category click → redrawn timeline (same page) |  | 140 ms |  |"
    assert "| cold `file_history` (empty cache) | n/a | n/a |  |" in lines
