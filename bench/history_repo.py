"""Synthetic git repositories for the history benchmark, made in-process with pygit2 and kept
under bench/data (made once per version of this generator).

Each holds events.csv on ``main``: a first commit with most of the events, then small commits,
each adding a few events, changing the status of one, rewording another, and now and then
removing one. Author dates are one day apart. Everything is drawn from a seeded generator.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygit2

from tests.synthetic import events
from tracker.contract import schema

from .generate import DATA_DIR

VERSION = 1
START = 1_600_000_000  # the first commit's author time (Sep 2020); then one day per commit
DAY_S = 86_400
AUTHOR = ("Bench", "bench@example.org")


@dataclass(frozen=True)
class Plan:
    """A repository: ``commits`` commits over a file that grows to about ``final`` events (less
    the few removed)."""

    commits: int
    final: int
    added: int = 8  # new events per commit (on average)
    seed: int = 13

    @property
    def name(self) -> str:
        return f"history_{self.commits}x{self.final}_v{VERSION}"


def history_repo(plan: Plan, data_dir: Path = DATA_DIR) -> Path:
    """The path of events.csv in ``plan``'s repository, made if it is not there yet."""
    root = data_dir / plan.name
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        _make(plan, root)
        (root / ".complete").write_text("made by bench/history_repo.py\n")
    return root / "events.csv"


class _File:
    """The file's rows as CSV lines by id, each line made once, written in the contract's order."""

    def __init__(self):
        self.lines: dict[str, str] = {}
        self.keys: dict[str, tuple[str, str]] = {}
        self.rows: dict[str, dict] = {}

    def put(self, row: dict) -> None:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([row[c] for c in schema.COLUMNS])
        self.lines[row["id"]] = out.getvalue()
        self.keys[row["id"]] = (row["date"].ljust(10, "0"), row["id"])
        self.rows[row["id"]] = row

    def drop(self, event_id: str) -> None:
        for table in (self.lines, self.keys, self.rows):
            del table[event_id]

    def data(self) -> bytes:
        order = sorted(self.keys, key=self.keys.__getitem__)
        return (",".join(schema.COLUMNS) + "\n" + "".join(self.lines[i] for i in order)).encode()


def _make(plan: Plan, root: Path) -> None:
    rng = np.random.default_rng(plan.seed)
    later = plan.added * (plan.commits - 1)
    pool = events(max(plan.final, later + 1), seed=plan.seed).to_dict("records")
    order = rng.permutation(len(pool))
    first, rest = order[: len(pool) - later], list(order[len(pool) - later :])
    root.mkdir(parents=True)
    repo = pygit2.init_repository(str(root), initial_head="main")
    current = _File()
    for i in first:
        current.put(pool[i])
    parent = _commit(repo, current.data(), [], "Events, first version", 0)
    for n in range(1, plan.commits):
        message = _change(current, rng, [pool[rest.pop()] for _ in range(min(plan.added, len(rest)))], n)
        parent = _commit(repo, current.data(), [parent], message, n)
    (root / "events.csv").write_bytes(current.data())
    repo.index.read()
    repo.index.add("events.csv")
    repo.index.write()
    # Packed, as a clone is (one git process for the whole repository, not one per commit).
    subprocess.run(["git", "repack", "-a", "-d", "-q"], cwd=root, check=True)


def _change(current: _File, rng: np.random.Generator, new_rows: list[dict], n: int) -> str:
    """One commit's changes: ``new_rows`` added, a status changed, a description reworded, and
    every fifth commit an event removed."""
    for row in new_rows:
        current.put(row)
    ids = list(current.rows)
    status_id, reworded_id = (ids[k] for k in rng.integers(0, len(ids), 2))
    row = dict(current.rows[status_id])
    row["status"] = schema.STATUSES[(schema.STATUSES.index(row["status"]) + 1) % len(schema.STATUSES)]
    current.put(row)
    row = dict(current.rows[reworded_id])
    row["description"] = f"{row['description']} Revised in commit {n}."
    current.put(row)
    removed = ""
    if n % 5 == 0:
        gone = ids[int(rng.integers(0, len(ids)))]
        if gone not in (status_id, reworded_id):
            current.drop(gone)
            removed = ", one removed"
    return f"Commit {n}: {len(new_rows)} events added, a status changed, a description revised{removed}"


def _commit(repo: pygit2.Repository, data: bytes, parents: list, message: str, n: int) -> pygit2.Oid:
    blob = repo.create_blob(data)
    tree = repo.TreeBuilder()
    tree.insert("events.csv", blob, pygit2.enums.FileMode.BLOB)
    author = pygit2.Signature(*AUTHOR, START + n * DAY_S, 0)
    return repo.create_commit("refs/heads/main", author, author, message, tree.write(), parents)


def move_main(csv_path: Path, commit: pygit2.Oid | str) -> None:
    """Point ``main`` at ``commit`` and make the working file that commit's version."""
    repo = pygit2.Repository(str(csv_path.parent))
    target = repo.revparse_single(str(commit)).peel(pygit2.Commit)
    repo.references["refs/heads/main"].set_target(target.id)
    tmp = csv_path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(repo[target.tree["events.csv"].id].data)
    os.replace(tmp, csv_path)
