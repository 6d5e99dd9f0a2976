"""Shared fixtures: the shipped dataset and throwaway copies of it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tracker.contract import schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CSV = ROOT / "events.csv"


def pytest_configure(config):
    """Keep the parsed-data cache of every test (and test server) out of the user's home."""
    os.environ.setdefault("TRACKER_CACHE_DIR", tempfile.mkdtemp(prefix="tracker-test-cache-"))


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    """A private copy of the shipped events.csv that a test may change."""
    target = tmp_path / "events.csv"
    shutil.copyfile(SHIPPED_CSV, target)
    return target


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """Five hand-written events (tests/cli_helpers.py SMALL_ROWS) in a fresh file."""
    from cli_helpers import SMALL_ROWS

    path = tmp_path / "small.csv"
    path.write_text(",".join(schema.COLUMNS) + "\n" + "\n".join(SMALL_ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("TRACKER_EVENTS", raising=False)


@pytest.fixture
def source(events_csv):
    """The live events of a private copy of the shipped CSV (what a dashboard worker holds)."""
    from tracker.storage import EventSource

    return EventSource(events_csv)
