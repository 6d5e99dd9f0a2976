"""`tracker add` keeps the cache vouching for the file it writes: a delta beside the entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.feather as feather
import pytest

from tracker.errors import TrackerError
from tracker.storage import append, cache
from tracker.storage import load as store
from tracker.storage.filebytes import FileBytes

pytestmark = pytest.mark.usefixtures("private_cache")

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- adds in a row: the delta


def event(date: str, title: str, **more: str) -> dict[str, str]:
    return {
        "date": date,
        "title": title,
        "category": "diplomatic",
        "status": "confirmed",
        "source_url": "https://example.org/" + title.replace(" ", "-"),
        **more,
    }


ROWS_IN_A_ROW = [
    event("2023-09-13", "Summit one", description='Two lines,\nand "quotes"'),
    event("2030", "At the end", lat="1.50", lon="-2"),
    event("1990-01", "At the start", actors="RUS;PRK"),
    event("2023-09-13", "Summit two"),
]


def assert_cached_equals_fresh(path: Path, parses: list[str]) -> pd.DataFrame:
    """The loader takes ``path`` from the cache (no parse) and gets what a fresh parse gives."""
    before = len(parses)
    cached = store.load_events(path)
    assert len(parses) == before, "the cache did not vouch for the file"
    pd.testing.assert_frame_equal(cached, store.load_events(path, cache=False), check_exact=True)
    parses.pop()  # the fresh parse just made
    return cached


def test_adds_in_a_row_are_served_by_the_cache(events_csv: Path, validations: list[str], parses: list[str]):
    uncached = events_csv.with_name("uncached.csv")
    uncached.write_bytes(events_csv.read_bytes())
    store.load_events(events_csv)
    for row in ROWS_IN_A_ROW:
        assert append.add_event(events_csv, row) == append.add_event(uncached, row)
    assert validations == ["uncached.csv"] * 4  # never for the file the cache knows
    assert events_csv.read_bytes() == uncached.read_bytes()
    frame = assert_cached_equals_fresh(events_csv, parses)
    assert len(frame) == 50 and parses == [str(events_csv)]
    assert frame["id"].iloc[0] == "1990-01-at-the-start" and frame["id"].iloc[-1] == "2030-at-the-end"


def test_an_event_appended_in_place_is_served_by_the_cache(events_csv: Path, validations: list[str], parses: list[str]):
    store.load_events(events_csv)
    inode = events_csv.stat().st_ino
    assert append.add_event(events_csv, ROWS_IN_A_ROW[1]) == "2030-at-the-end"
    assert events_csv.stat().st_ino == inode, "appended in place"
    frame = assert_cached_equals_fresh(events_csv, parses)
    assert validations == [] and parses == [str(events_csv)]
    assert len(frame) == 47 and frame["id"].iloc[-1] == "2030-at-the-end"
    assert frame.iloc[-1][["date", "title", "lat", "lon"]].tolist() == [
        "2030",
        "At the end",
        1.5,
        -2.0,
    ]


def crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def bom_no_final_newline(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().rstrip(b"\n"))


def extra_column(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0] + ",notes"] + [line + ",n" for line in lines[1:]]) + "\n",
        encoding="utf-8",
    )


def header_only(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")


def multiline_and_blank_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("Acting unanimously", 'Acting\n\n""unanimously""', 1)
    path.write_text(text.replace("\n2009-06-12", "\n\n2009-06-12", 1) + "\n\n", encoding="utf-8")


@pytest.mark.parametrize("shape", [crlf, bom_no_final_newline, extra_column, header_only, multiline_and_blank_lines])
def test_the_cache_after_adds_equals_a_fresh_parse(events_csv: Path, shape, validations: list[str], parses: list[str]):
    shape(events_csv)
    store.load_events(events_csv)
    for row in ROWS_IN_A_ROW:
        append.add_event(events_csv, row)
    assert validations == []
    assert_cached_equals_fresh(events_csv, parses)


def test_a_file_changed_between_adds_is_validated_again(events_csv: Path, validations: list[str], parses: list[str]):
    store.load_events(events_csv)
    append.add_event(events_csv, ROWS_IN_A_ROW[0])
    text = events_csv.read_text(encoding="utf-8")
    events_csv.write_text(text.replace("Acting unanimously", "Acting at once"), encoding="utf-8")  # by hand
    append.add_event(events_csv, ROWS_IN_A_ROW[1])
    assert validations == ["events.csv"]
    frame = store.load_events(events_csv)
    assert frame.loc[0, "description"].startswith("Acting at once") and len(frame) == 48
    assert len(parses) == 2


def test_the_delta_is_ignored_when_the_file_changed_keeping_its_size(events_csv: Path, validations, parses):
    store.load_events(events_csv)
    append.add_event(events_csv, ROWS_IN_A_ROW[0])
    assert cache.entry_path(events_csv).with_name(cache.entry_path(events_csv).name + ".delta").exists()
    stat = events_csv.stat()
    events_csv.write_bytes(events_csv.read_bytes().replace(b"Summit one", b"Summit One"))
    os.utime(events_csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert store.load_events(events_csv)["title"].str.contains("Summit One").any()
    assert len(parses) == 2
    append.add_event(events_csv, ROWS_IN_A_ROW[1])
    assert validations == []  # the loader's new entry vouches for the edited file


def test_a_stale_entry_of_the_same_size_is_not_believed(events_csv: Path, validations: list[str]):
    """The cache is read before its hashes are checked: what it says must not leak out."""
    store.load_events(events_csv)
    data = events_csv.read_bytes()
    old_id = b"2009-06-12-unsc-res-1874-panel-of-experts"
    events_csv.write_bytes(data.replace(old_id, b"2009-06-12-unsc-res-1874-panel-of-expertz"))
    row = dict(event("2009-06-12", "Another title"), id=old_id.decode())  # a duplicate only per the cache
    assert append.add_event(events_csv, row) == old_id.decode()
    assert validations == ["events.csv"]
    lines = events_csv.read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith(old_id.decode() + ",2009-06-12,,Another title,")
    assert lines[3].startswith("2009-06-12-unsc-res-1874-panel-of-expertz,")


def test_refusals_served_by_the_cache_read_as_without_it(events_csv: Path, validations: list[str]):
    uncached = events_csv.with_name("uncached.csv")
    uncached.write_bytes(events_csv.read_bytes())
    store.load_events(events_csv)
    bad = [
        event("2006-10-14", "UN Security Council adopts resolution 1718 after first DPRK nuclear test"),
        dict(event("2024", "x"), id="2006-10-14-unsc-res-1718-adopted"),
        event("2024", "x", lat="95", lon="1"),
    ]
    for row in bad:
        messages = []
        for path in (events_csv, uncached):
            before = path.read_bytes()
            with pytest.raises(TrackerError) as refused:
                append.add_event(path, row)
            assert path.read_bytes() == before
            messages.append(str(refused.value).replace("uncached.csv", "events.csv"))
        assert messages[0] == messages[1]
    assert validations == ["uncached.csv"] * 3
    left = sorted(p.name for p in events_csv.parent.iterdir() if p.is_file())
    assert left == ["events.csv", "events.csv.lock", "uncached.csv", "uncached.csv.lock"]


def test_the_delta_folds_into_a_new_entry_past_its_limit(events_csv: Path, monkeypatch, validations, parses):
    monkeypatch.setattr(cache, "MAX_DELTA_ROWS", 2)
    store.load_events(events_csv)
    delta = cache.entry_path(events_csv).with_name(cache.entry_path(events_csv).name + ".delta")
    for n, row in enumerate(ROWS_IN_A_ROW[:3]):
        append.add_event(events_csv, row)
        assert delta.exists() == (n < 2)
    append.add_event(events_csv, ROWS_IN_A_ROW[3])
    assert delta.exists() and validations == []
    assert_cached_equals_fresh(events_csv, parses)


def test_a_delta_written_by_other_code_is_ignored(events_csv: Path, monkeypatch, validations, parses):
    store.load_events(events_csv)
    append.add_event(events_csv, ROWS_IN_A_ROW[0])
    delta_path = cache.entry_path(events_csv).with_name(cache.entry_path(events_csv).name + ".delta")
    table = feather.read_table(str(delta_path))
    meta = json.loads(table.schema.metadata[cache.META_KEY])
    feather.write_feather(
        table.replace_schema_metadata({cache.META_KEY: json.dumps(dict(meta, writer="other code"))}),
        str(delta_path),
    )
    store.load_events(events_csv)
    assert len(parses) == 2


def test_a_corrupted_delta_is_ignored(events_csv: Path, validations: list[str], parses: list[str]):
    store.load_events(events_csv)
    append.add_event(events_csv, ROWS_IN_A_ROW[0])
    entry = cache.entry_path(events_csv)
    entry.with_name(entry.name + ".delta").write_bytes(b"not arrow")
    append.add_event(events_csv, ROWS_IN_A_ROW[1])
    assert validations == ["events.csv"]
    assert len(store.load_events(events_csv)) == 48


def test_pruning_an_entry_removes_its_delta(tmp_path: Path, private_cache: Path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_ENTRIES", 1)
    first, second = tmp_path / "a" / "events.csv", tmp_path / "b" / "events.csv"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes((ROOT / "tests" / "data" / "events.csv").read_bytes())
    store.load_events(first)
    append.add_event(first, ROWS_IN_A_ROW[0])
    os.utime(cache.entry_path(first), ns=(0, 0))
    store.load_events(second)
    assert sorted(p.name for p in private_cache.iterdir()) == [cache.entry_path(second).name]


def test_a_new_file_written_from_a_stale_entry_is_discarded(events_csv: Path, validations: list[str]):
    store.load_events(events_csv)
    events_csv.write_bytes(events_csv.read_bytes().replace(b"Acting unanimously", b"Acting Unanimously"))
    assert append.add_event(events_csv, ROWS_IN_A_ROW[1]) == "2030-at-the-end"
    assert validations == ["events.csv"]
    text = events_csv.read_text(encoding="utf-8")
    assert "Acting Unanimously" in text and text.splitlines()[-1].startswith("2030-at-the-end,")
    assert sorted(p.name for p in events_csv.parent.iterdir() if p.is_file()) == [
        "events.csv",
        "events.csv.lock",
    ]


def test_load_takes_an_open_file_without_reading_it_whole(events_csv: Path, parses: list[str]):
    """For a loader that would rather not read the file into memory first (FileBytes)."""
    with open(events_csv, "rb") as handle:
        data = FileBytes(handle.fileno())
        first = cache.load(events_csv, data, lambda path, d: store.frame_from_bytes(path, d[0 : len(d)]))
        second = cache.load(events_csv, data, lambda path, d: pytest.fail("parsed again"))
    assert parses == [str(events_csv)]
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    pd.testing.assert_frame_equal(second, store.load_events(events_csv), check_exact=True)


def test_checking_a_file_uses_a_cache_that_vouches_for_it_and_never_fills_one(
    events_csv: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    frame = store.load_events(events_csv, cache=False)
    expected = (len(frame), frame["date"].max())
    assert store.check_events(events_csv) == expected
    assert not list(private_cache.glob("*.arrow"))  # checking does not build a cache entry
    store.load_events(events_csv)
    monkeypatch.setattr(store, "check", lambda *a: pytest.fail("validated again"))
    assert store.check_events(events_csv) == expected
    events_csv.write_bytes(events_csv.read_bytes() + b"\n")  # (a change: no longer vouched for)
    with pytest.raises(pytest.fail.Exception, match="validated again"):
        store.check_events(events_csv)
