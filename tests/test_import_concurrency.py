"""Imports while `tracker add` runs in other processes: every writer takes the same lock and
re-reads the file, so nothing is lost and the file stays valid and sorted."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_concurrency import append_many, start

from tracker.importing import ImportRefused, Options, import_file
from tracker.storage import load_events
from tracker.storage import writer as events_writer

pytestmark = pytest.mark.slow
ADDERS, ADDS_EACH, IMPORTERS, ROWS_EACH = 3, 20, 2, 300


def import_rows(path: str, source: str) -> None:
    events_writer.LOCK_TIMEOUT_S = 600
    import_file(path, source, options=Options(defaults={"status": "reported"}))


def write_import(path: Path, importer: int) -> Path:
    lines = ["date,title,category,source_url"]
    lines += [
        f"{2000 + i % 25}-{1 + i % 12:02d},Imported {importer} row {i},sanctions,https://example.org/i/{importer}/{i}"
        for i in range(ROWS_EACH)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_imports_and_adds_at_once_lose_nothing(events_csv: Path, tmp_path: Path):
    before = set(load_events(events_csv, cache=False)["id"])
    sources = [write_import(tmp_path / f"import{k}.csv", k) for k in range(IMPORTERS)]
    procs = [start(append_many, str(events_csv), w, ADDS_EACH) for w in range(ADDERS)]
    procs += [start(import_rows, str(events_csv), str(source)) for source in sources]
    for proc in procs:
        proc.join(300)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    after = load_events(events_csv, cache=False)
    assert len(after) == len(before) + ADDERS * ADDS_EACH + IMPORTERS * ROWS_EACH
    titles = set(after["title"])
    assert {f"Writer {w} event {i}" for w in range(ADDERS) for i in range(ADDS_EACH)} <= titles
    assert {f"Imported {k} row {i}" for k in range(IMPORTERS) for i in range(ROWS_EACH)} <= titles
    assert before <= set(after["id"]) and after["id"].is_unique
    order = list(zip(after["start"], after["id"], strict=True))
    assert order == sorted(order)


def test_an_import_refused_while_adds_run_writes_nothing_of_its_own(events_csv: Path, tmp_path: Path):
    source = tmp_path / "bad.csv"
    source.write_text(
        "date,title,category,status,source_url\n2020,Fine,energy,reported,https://example.org/1\n"
        "2020-13,Bad month,energy,reported,https://example.org/2\n",
        encoding="utf-8",
    )
    adder = start(append_many, str(events_csv), 1, ADDS_EACH)
    with pytest.raises(ImportRefused) as caught:
        import_file(events_csv, source)
    adder.join(300)
    assert adder.exitcode == 0
    assert caught.value.report.refused_rows == 1
    titles = set(load_events(events_csv, cache=False)["title"])
    assert "Fine" not in titles and {f"Writer 1 event {i}" for i in range(ADDS_EACH)} <= titles
