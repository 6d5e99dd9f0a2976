"""The record's history from git (tracker.history) on synthetic repositories (history_repo.py):
cold against the naive way, warm after one new commit, and a "changed since" entry in the
browser at 100,000 events beside a category click on the same page."""

from __future__ import annotations

import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import pygit2

from tracker.history import file_history
from tracker.history.gitfile import Blobs, GitFile

from .history_browser import changed_since_entry
from .history_repo import Plan, history_repo, move_main
from .timing import median_time

PLANS = {"A": Plan(1000, 10_000), "B": Plan(200, 100_000)}


def naive_history(csv: Path) -> list[tuple[set, set, set]]:
    """What the anchors do (git-history, csv-diff): parse every version whole, then compare
    consecutive versions by id. (added, removed, changed) ids per version, oldest first. The
    versions are read as ours are (``Blobs``, newest first), so that the two differ only in
    what they do with them."""
    gf = GitFile.open(csv)
    line = gf.first_parent_line()
    out, newer = [], None
    with Blobs(gf, len(line)) as blobs:
        for commit in reversed(line):
            data = blobs[gf.blob_id_at(commit)]
            older = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False).set_index("id")
            if newer is not None:
                out.append(_by_id(older, newer))
            newer = older
    out.append((set(newer.index), set(), set()))
    return out[::-1]


def _by_id(old: pd.DataFrame, new: pd.DataFrame) -> tuple[set, set, set]:
    """(added, removed, changed) ids from ``old`` to ``new``, as csv-diff compares by key."""
    both = old.index.intersection(new.index)
    differs = (old.loc[both].to_numpy() != new.loc[both, old.columns].to_numpy()).any(axis=1)
    return set(new.index.difference(old.index)), set(old.index.difference(new.index)), set(both[differs])


def measure_history(repeat: int, log_dir: Path, browser: bool = True) -> dict[str, float]:
    """Seconds: cold history and the naive way on repositories A and B, warm history after one
    new commit; the browser's "changed since" entry and category click at 100,000 events."""
    out: dict[str, float] = {}
    for name, plan in PLANS.items():
        csv = history_repo(plan)
        runs = max(1, min(repeat, 3))  # (each cold run reads every version)
        for _ in range(runs):  # cold and naive alternate, so that both see the same machine
            out.setdefault(f"cold_{name}", []).append(_cold(csv))
            start = time.perf_counter()
            naive_history(csv)
            out.setdefault(f"naive_{name}", []).append(time.perf_counter() - start)
        out[f"warm_{name}"] = _warm(csv, repeat)
    result = {k: statistics.median(v) if isinstance(v, list) else v for k, v in out.items()}
    if browser:
        # A served tracker keeps its history cache between runs: the server starts with it warm.
        os.environ["TRACKER_CACHE_DIR"] = str(log_dir / "history-cache")
        file_history(history_repo(PLANS["B"]))
        dates = ["2021-01-01", "2021-02-01", "2021-03-01", "2021-01-15", "2021-02-15"][: max(2, min(repeat, 5))]
        clicks = changed_since_entry(history_repo(PLANS["B"]), dates, log_dir)
        result.update({f"{k}_B": v for k, v in clicks.items()})
    return result


def _cold(csv: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as cache:
        os.environ["TRACKER_CACHE_DIR"] = cache
        start = time.perf_counter()
        file_history(csv)
        return time.perf_counter() - start


def _warm(csv: Path, repeat: int) -> float:
    """``file_history`` with every commit cached but the newest (main moved back one commit,
    history worked out, main moved forward again before each timed run)."""
    repo = pygit2.Repository(str(csv.parent))
    head = repo.head.target
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        os.environ["TRACKER_CACHE_DIR"] = str(Path(tmp) / "cache")
        move_main(csv, repo[head].parents[0].id)
        try:
            file_history(csv)
            kept = Path(tmp) / "kept"
            shutil.copytree(Path(tmp) / "cache", kept)

            def one_behind():
                shutil.rmtree(Path(tmp) / "cache")
                shutil.copytree(kept, Path(tmp) / "cache")
                move_main(csv, head)

            return median_time(lambda: file_history(csv), repeat, setup=one_behind)
        finally:
            move_main(csv, head)


def history_table(r: dict[str, float]) -> str:
    """The history rows, one column per repository."""

    def cell(key: str, scale: float = 1, unit: str = "s") -> str:
        value = r.get(key)
        if value is None:
            return "n/a"
        return f"{value * scale:,.0f} ms" if unit == "ms" else f"{value:.2f} s"

    def ratio(name: str) -> str:
        cold, naive = r.get(f"cold_{name}"), r.get(f"naive_{name}")
        return f"{naive / cold:.1f}×" if cold and naive else "n/a"

    a, b = PLANS["A"], PLANS["B"]
    head = f"| history measure | {a.commits:,} commits, {a.final:,} events | {b.commits:,} commits, {b.final:,} events | target |"
    rows = [
        ("cold `file_history` (empty cache)", cell("cold_A"), cell("cold_B"), ""),
        ("naive: every version parsed whole, diffed by id", cell("naive_A"), cell("naive_B"), ""),
        ("… naive ÷ cold", ratio("A"), ratio("B"), "≥ 10× (A)"),
        (
            "warm `file_history` (all cached but one new commit)",
            cell("warm_A", 1000, "ms"),
            cell("warm_B", 1000, "ms"),
            "≤ 100 ms (A)",
        ),
        (
            'browser: "changed since" Enter → redrawn timeline',
            "",
            cell("changed_since_entry_B", 1000, "ms"),
            "≤ 200 ms",
        ),
        ("… the slowest of its dates", "", cell("changed_since_slowest_B", 1000, "ms"), ""),
        ("browser: category click → redrawn timeline (same page)", "", cell("category_click_B", 1000, "ms"), ""),
    ]
    return "\n".join([head, "|---|---|---|---|", *(f"| {' | '.join(row)} |" for row in rows)])
