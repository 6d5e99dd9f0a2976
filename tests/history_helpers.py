"""Real git repositories in temporary folders, with the dates the tests choose."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cli_helpers import SMALL_ROWS

from tracker.contract import schema

HEADER = ",".join(schema.HEADER_COLUMNS)


class Repo:
    """A git repository holding ``events.csv``; each ``commit`` is dated as asked."""

    def __init__(self, root: Path):
        self.root = root
        self.csv = root / "events.csv"
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2024-01-01") -> str:
        stamp = f"{date}T12:00:00+00:00"
        env = dict(
            os.environ,
            GIT_AUTHOR_NAME="Tester",
            GIT_AUTHOR_EMAIL="t@example.org",
            GIT_COMMITTER_NAME="Tester",
            GIT_COMMITTER_EMAIL="t@example.org",
            GIT_AUTHOR_DATE=stamp,
            GIT_COMMITTER_DATE=stamp,
        )
        done = subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def write(self, rows: list[str]) -> None:
        self.csv.write_text(HEADER + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")

    def commit(self, rows: list[str], message: str, date: str) -> str:
        self.write(rows)
        self.git("add", "events.csv")
        self.git("commit", "-q", "-m", message, date=date)
        return self.git("rev-parse", "HEAD")


def first_rows() -> list[str]:
    return list(SMALL_ROWS[:3])


def replaced(rows: list[str], index: int, old: str, new: str) -> list[str]:
    out = list(rows)
    assert old in out[index]
    out[index] = out[index].replace(old, new, 1)
    return out
