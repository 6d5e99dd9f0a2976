"""The import benchmark times the import, its baseline and the contract's floor on the same rows."""

from __future__ import annotations

import pytest

from bench import importing
from bench.generate import dataset
from bench.report import table

pytestmark = pytest.mark.usefixtures("private_cache")


def test_the_import_bench_measures_the_import_its_baseline_and_the_floor(tmp_path, monkeypatch):
    source = importing.import_source(300, tmp_path)
    monkeypatch.setattr(importing, "import_source", lambda: source)
    monkeypatch.setattr(importing, "IMPORT_ROWS", 300)
    times = importing.measure_import(dataset(1000, tmp_path), repeat=1)
    assert sorted(times) == [
        "import",
        "import_floor",
        "import_floor_file",
        "import_read_csv",
        "import_rewrite",
        "import_url",
        "import_vouched",
    ]
    assert all(seconds > 0 for seconds in times.values())
    rows = {line.split(" | ")[0]: line for line in table({100_000: times}, {}).splitlines()}
    baseline = times["import_read_csv"] + times["import_rewrite"]
    floor, no_cache = times["import_floor"], times["import_floor"] + times["import_floor_file"]
    assert rows["| … floor ratio to the bare read and rewrite"].split(" | ")[1] == f"{floor / baseline:.1f}×"
    assert (
        rows["| … no-cache floor ratio to the bare read and rewrite"].split(" | ")[1] == f"{no_cache / baseline:.1f}×"
    )


def test_the_floor_refuses_rows_that_break_the_contract(tmp_path):
    source = importing.import_source(20, tmp_path)
    rows = importing._contract_rows(source, importing.pd.Series(["same-id"] * 20))
    table_of_text = importing.pcsv.read_csv(source, convert_options=importing._AS_TEXT)
    assert not importing.table_accepted(rows(table_of_text))  # (twenty rows, one id)
    made = importing._contract_rows(source, importing.pd.Series([f"id-{i}" for i in range(20)]))
    assert importing.table_accepted(made(table_of_text))
