"""The loader's cache: an unchanged file is not parsed again, a changed one is."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tracker.contract import ValidationError
from tracker.storage import append, cache, writer
from tracker.storage import load as store

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("private_cache")


def test_unchanged_file_is_not_parsed_again(events_csv: Path, parses: list[str]):
    first = store.load_events(events_csv)
    second = store.load_events(events_csv)
    assert parses == [str(events_csv)]
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_cached_frame_equals_a_fresh_load_dtypes_included(events_csv: Path):
    store.load_events(events_csv)  # fills the cache
    cached = store.load_events(events_csv)
    fresh = store.load_events(events_csv, cache=False)
    assert list(cached.dtypes.astype(str)) == list(fresh.dtypes.astype(str))
    pd.testing.assert_frame_equal(cached, fresh, check_exact=True)
    assert cached.loc[0, "actor_list"] == ["UNSC", "PRK", "RUS", "USA", "CHN"]
    assert len(cached) == 46


def test_changed_file_is_read_again(events_csv: Path, parses: list[str]):
    assert len(store.load_events(events_csv)) == 46
    lines = events_csv.read_bytes().splitlines(keepends=True)
    events_csv.write_bytes(b"".join(lines[:-1]))  # drop the last event
    frame = store.load_events(events_csv)
    assert len(parses) == 2
    assert len(frame) == 45


def test_same_size_and_mtime_but_other_bytes_is_read_again(events_csv: Path, parses: list[str]):
    store.load_events(events_csv)
    stat = events_csv.stat()
    data = events_csv.read_bytes().replace(b"UN Press (SC/8853)", b"UN Press (SC/8854)")
    events_csv.write_bytes(data)
    os.utime(events_csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    frame = store.load_events(events_csv)
    assert len(parses) == 2
    assert frame.loc[0, "source_names"] == ["UN Press (SC/8854)", "Wikipedia"]


def test_touch_alone_keeps_the_cache(events_csv: Path, parses: list[str]):
    store.load_events(events_csv)
    os.utime(events_csv, ns=(1, 1))
    store.load_events(events_csv)
    assert len(parses) == 1


def test_corrupted_cache_file_is_ignored_and_rebuilt(events_csv: Path, parses: list[str]):
    store.load_events(events_csv)
    entry = cache.entry_path(events_csv)
    entry.write_bytes(b"not an arrow file")
    frame = store.load_events(events_csv)
    assert len(frame) == 46
    assert len(parses) == 2
    store.load_events(events_csv)  # the rebuilt entry is used
    assert len(parses) == 2


def test_invalid_file_is_never_cached(events_csv: Path, parses: list[str]):
    text = events_csv.read_text(encoding="utf-8")
    events_csv.write_text(text.replace(",legal_un,", ",legal-un,", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ValidationError, match=r"events\.csv:2: category: 'legal-un' is not allowed"):
            store.load_events(events_csv)
    assert len(parses) == 2
    assert not cache.entry_path(events_csv).exists()


def test_cache_off_always_parses(events_csv: Path, parses: list[str]):
    store.load_events(events_csv, cache=False)
    store.load_events(events_csv, cache=False)
    assert len(parses) == 2
    assert not cache.entry_path(events_csv).exists()


def test_unwritable_cache_folder_still_loads(events_csv: Path, tmp_path: Path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(blocker / "cache"))
    assert len(store.load_events(events_csv)) == 46


def test_cache_folder_is_under_xdg_cache_home_never_beside_the_csv(events_csv: Path, tmp_path_factory, monkeypatch):
    xdg = tmp_path_factory.mktemp("xdg")
    monkeypatch.delenv("TRACKER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    store.load_events(events_csv)
    assert cache.entry_path(events_csv).parent == xdg / "sanctions-tracker"
    assert cache.entry_path(events_csv).exists()
    assert sorted(p.name for p in events_csv.parent.iterdir()) == ["events.csv"]


def test_only_the_newest_entries_are_kept(tmp_path: Path, private_cache: Path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_ENTRIES", 2)
    paths = []
    for n in range(3):
        path = tmp_path / f"copy{n}" / "events.csv"
        path.parent.mkdir()
        path.write_bytes((ROOT / "tests" / "data" / "events.csv").read_bytes())
        store.load_events(path)
        os.utime(cache.entry_path(path), ns=(n * 10**9, n * 10**9))  # written in this order
        paths.append(path)
    store.load_events(paths[2])  # no new write: prune happens on write
    store.load_events(tmp_path / "copy0" / "events.csv")  # rewritten: prunes the oldest other
    kept = sorted(p.name for p in private_cache.glob("*.arrow"))
    assert kept == sorted([cache.entry_path(paths[0]).name, cache.entry_path(paths[2]).name])


def test_add_trusts_the_cache_and_writes_the_same_bytes(events_csv: Path, monkeypatch):
    uncached = events_csv.with_name("uncached.csv")
    uncached.write_bytes(events_csv.read_bytes())
    store.load_events(events_csv)  # the dashboard loaded it: the cache vouches for these bytes
    validated: list[str] = []
    real = writer.valid_raw
    monkeypatch.setattr(
        writer,
        "valid_raw",
        lambda path, data: validated.append(Path(path).name) or real(path, data),
    )
    row = {
        "date": "2023-09-13",
        "title": "Cache test summit",
        "category": "diplomatic",
        "status": "confirmed",
        "source_url": "https://example.org/summit",
    }
    assert append.add_event(events_csv, row) == append.add_event(uncached, row) == "2023-09-13-cache-test-summit"
    assert validated == ["uncached.csv"]
    assert events_csv.read_bytes() == uncached.read_bytes()
    lines = events_csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 48
    assert lines.index(next(x for x in lines if x.startswith("2023-09-13-cache-test-summit,"))) not in (1, 47)
