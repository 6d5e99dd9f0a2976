"""Shared fixtures: the shipped dataset and throwaway copies of it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tracker.contract import schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CSV = ROOT / "tests" / "data" / "events.csv"  # (frozen: tests/data/README.md)


def pytest_configure(config):
    """Keep the parsed-data cache of every test (and test server) out of the user's home."""
    os.environ.setdefault("TRACKER_CACHE_DIR", tempfile.mkdtemp(prefix="tracker-test-cache-"))


def pytest_collection_modifyitems(items):
    """Property tests (hypothesis) are slow: `make test-fast` leaves them to `make test`."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


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
    path.write_text(",".join(schema.HEADER_COLUMNS) + "\n" + "\n".join(SMALL_ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("TRACKER_EVENTS", raising=False)


@pytest.fixture
def source(events_csv):
    """The live events of a private copy of the shipped CSV (what a dashboard worker holds)."""
    from tracker.storage import EventSource

    return EventSource(events_csv)


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every real parse + validate the loader does."""
    calls: list[str] = []
    from tracker.storage import load as store

    real = store.frame_from_bytes

    def spy(path, data):
        calls.append(str(path))
        return real(path, data)

    monkeypatch.setattr(store, "frame_from_bytes", spy)
    return calls


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the events files a writer re-read and validated in full (where the cache's
    word could not stand in for that)."""
    from tracker.storage import writer

    calls: list[str] = []
    real = writer.valid_raw
    monkeypatch.setattr(writer, "valid_raw", lambda path, data: calls.append(Path(path).name) or real(path, data))
    return calls
