"""What makes an import of many rows cheap gives what the one-row code gives: ids as make_id
makes them, lines as csv_line writes them, places as insert_index finds them, the rules' fast
forms on new rows refusing what their exact forms refuse; and a large import end to end."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from cli_helpers import run
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic import events
from test_rules import BROKEN_ROW

from tracker.contract import fast, problems_in, schema
from tracker.contract.fast import rows_accepted
from tracker.contract.rules import RULES
from tracker.importing.ids import _dashed, _first_index, assign_ids, base_ids, folded, within
from tracker.importing.mapping import listed
from tracker.importing.readers import read_table
from tracker.storage import load_events
from tracker.storage.placement import insert_order, sort_keys
from tracker.storage.rows import NEVER_QUOTED, csv_line, csv_lines, insert_index, make_id

TITLES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(title=TITLES, date=st.sampled_from(["2024-01-02", "2022-11", "2023"]))
def test_base_ids_are_make_ids_first_candidate(title, date):
    row = {"date": date, "title": title}
    assert base_ids(pd.DataFrame([row], dtype=str)).iloc[0] == make_id(row, set())


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=4, max_size=4))
def test_csv_lines_are_csv_lines(values):
    header = ["title", "description", "location", "source_name"]
    row = dict(zip(header, values, strict=True))
    frame = pd.DataFrame([row], dtype=str)
    for newline in (b"\n", b"\r\n"):
        assert csv_lines("f.csv", frame, header, newline) == [csv_line("f.csv", row, header, newline)]


@pytest.mark.parametrize("column", sorted(NEVER_QUOTED))
def test_columns_written_unquoted_refuse_commas_quotes_and_line_ends(column):
    row = events(1).iloc[0].to_dict() | {"lat": "40.5", "lon": "10.25", "end_date": "2030", "un_resolutions": "1718"}
    row["actors"] = row["actors"] or "RUS"
    for char in (",", '"', "\n"):
        value = row[column][:1] + char + row[column][1:]
        frame = pd.DataFrame([row | {column: value}], dtype=str)
        frame["_line"] = 2
        problems, _ = problems_in(frame)
        assert column in {p.column for p in problems}, (column, char)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab;, \t\u00a0\u2003\n", max_size=8), min_size=1, max_size=12))
def test_list_values_are_split_as_tracker_add_splits_them(values):
    expected = [re.sub(r"\s*[;,]\s*", ";", v).strip(";") for v in values]
    assert listed(pd.Series(values, dtype=str)).tolist() == expected


def test_folded_titles_are_casefolded():
    titles = pd.Series(["Straße", "STRASSE", "Plain", "ΣΊΣΥΦΟΣ"], dtype=str)
    assert folded(titles).tolist() == [t.casefold() for t in titles]


def test_new_ids_avoid_the_files_ids_the_given_ones_and_each_other():
    rows = pd.DataFrame(
        {"id": ["", "", "2021-a-2", "", ""], "date": ["2021", "2021", "2021", "2021", "2021"]}
        | {"title": ["A", "A", "given", "B", "C"]},
        dtype=str,
    )
    given = (rows["id"] != "").to_numpy()
    existing = pd.Series(["2021-a", "2021-c", "2021-c-2"], dtype=str)
    assert assign_ids(rows, given, existing).tolist() == ["2021-a-3", "2021-a-4", "2021-a-2", "2021-b", "2021-c-3"]


def test_insert_order_is_insert_index_for_sorted_and_unsorted_files():
    kept = pd.DataFrame({"date": ["2020", "2019-05", "2021-01-01", "2020-06-01"], "id": ["b", "a", "c", "d"]})
    new = pd.DataFrame({"date": ["2020-06-01", "2018", "2022", "2020"], "id": ["c", "x", "y", "a"]})
    order, positions = insert_order(kept, new)
    expected = [insert_index(kept, new.iloc[i].to_dict()) for i in order]
    assert positions.tolist() == expected == [0, 0, 2, 4]
    ordered = kept.iloc[[1, 0, 3, 2]]
    order, positions = insert_order(ordered, new)
    assert positions.tolist() == [insert_index(ordered, new.iloc[i].to_dict()) for i in order] == [0, 1, 2, 4]


@pytest.fixture(scope="module")
def valid_rows() -> pd.DataFrame:
    return events(60)


def test_new_rows_that_meet_the_contract_are_accepted(valid_rows):
    assert rows_accepted(valid_rows)


@pytest.mark.parametrize("threads", [False, True], ids=["in-turn", "threads"])
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_fast_check_of_new_rows_refuses_each_rules_broken_example(valid_rows, rule, threads, monkeypatch):
    """On a few rows the checks run one after the other; on many, on threads: both refuse."""
    monkeypatch.setattr(fast, "PARALLEL_ROWS", 0 if threads else 10**9)
    frame = valid_rows.copy()
    broken = rule.breaks(frame.iloc[BROKEN_ROW].to_dict(), frame.iloc[0].to_dict())
    for column in schema.COLUMNS:
        frame.loc[BROKEN_ROW, column] = broken[column]
    assert not rows_accepted(frame)


@pytest.mark.parametrize("column", ["title", "description", "source_name", "location"])
def test_the_fast_check_of_new_rows_refuses_a_control_character(valid_rows, column):
    frame = valid_rows.copy()
    frame.loc[BROKEN_ROW, column] = "a\x1bb"
    assert not rows_accepted(frame)


def test_a_large_import_goes_in_whole_and_sorted(tmp_path: Path):
    existing = events(3000)
    existing = existing.iloc[np.argsort(sort_keys(existing)[0], kind="stable")]
    path = tmp_path / "events.csv"
    existing.to_csv(path, index=False)
    new = events(25_000, seed=7).drop(columns="id")
    new["title"] = new["title"] + " (import " + pd.Series(np.arange(len(new))).astype(str) + ")"
    buf = io.StringIO()
    new.to_csv(buf, index=False)
    source = tmp_path / "new.csv"
    source.write_text(buf.getvalue(), encoding="utf-8")
    result = run("import", str(source), "--csv", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{path}: added 25,000 events from {source}"
    frame = load_events(path, cache=False)
    assert len(frame) == 28_000 and frame["id"].is_unique
    order = list(zip(frame["start"], frame["id"], strict=True))
    assert order == sorted(order)
    got = frame.set_index("title").loc[new["title"], ["date", "end_date", "source_url", "actors"]]
    assert got.reset_index(drop=True).equals(new[["date", "end_date", "source_url", "actors"]].astype(got.dtypes))
    kept = frame[frame["id"].isin(existing["id"])]
    assert kept["title"].tolist() == existing["title"].tolist()


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_many_rows_after_the_last_line_are_spliced_whole(tmp_path: Path, trailing_newline: bool):
    path = tmp_path / "events.csv"
    text = events(5, optional_columns=False).to_csv(index=False, lineterminator="\n")
    path.write_text(text if trailing_newline else text.rstrip("\n"), encoding="utf-8")
    source = tmp_path / "late.csv"
    rows = [f"2099-01-01,Late event {i:05d},energy,reported,https://example.org/{i}" for i in range(1500)]
    source.write_text("date,title,category,status,source_url\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("import", str(source), "--csv", str(path))
    assert result.exit_code == 0, result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[: len(text.splitlines())] == text.splitlines()
    assert (
        lines[-1]
        == "2099-01-01-late-event-01499,2099-01-01,,Late event 01499,,energy,reported,,,,,,,https://example.org/1499"
    )
    assert len(lines) == 6 + 1500


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("ab09 -,.!Z\t")), max_size=12), max_size=8), st.integers(0, 3))
def test_runs_of_other_characters_become_one_dash_as_the_regex_makes_them(values, start):
    """``ids._dashed`` (numpy on the bytes) against the regex it stands for, on slices too."""
    text = pc.ascii_lower(pa.array(["x"] * start + values, pa.string())).slice(start)
    assert _dashed(text).to_pylist() == pc.replace_substring_regex(text, r"[^a-z0-9]+", "-").to_pylist()


@pytest.mark.parametrize("before_end", [1, 9, 40])
def test_a_value_over_two_lines_where_arrow_splits_the_file_is_read_whole(tmp_path: Path, before_end: int):
    """Arrow reads a file in blocks of 1 MiB, split at the last line end before each; the first
    reading assumes no value holds one. A quoted line end put just before that mark must still
    leave its value whole, and every record on its line."""
    head, row = "date,title,description\n", "2021,Plain,{}\n"
    rows = [head]
    size = len(head)
    while size < 2**20 - 300:
        rows.append(row.format(len(rows)))
        size += len(rows[-1])
    prefix = '2021,Split,"starts here'
    filler = "x" * (2**20 - before_end - size - len(prefix))
    rows.append(f'{prefix}{filler}\nends there"\n')
    rows += [row.format(n) for n in range(1000)]
    source = tmp_path / "split.csv"
    source.write_text("".join(rows))
    table = read_table(source)
    assert len(table.frame) == len(rows) - 1
    split = table.frame.index[table.frame["title"] == "Split"][0]
    assert table.frame.at[split, "description"] == f"starts here{filler}\nends there"
    assert table.lines[split - 1 : split + 2].tolist() == [split + 1, split + 2, split + 4]
    assert table.reader == "pyarrow"


@given(
    st.lists(st.sampled_from("abcdefgh"), max_size=12),
    st.lists(st.sampled_from("abcdefghijkl"), max_size=60),
)
def test_lookups_find_what_a_dictionary_finds_whichever_side_is_hashed(values, others):
    first = {}
    for i, other in enumerate(others):
        first.setdefault(other, i)
    assert within(values, others).tolist() == [v in first for v in values]
    assert _first_index(values, others).tolist() == [first.get(v, -1) for v in values]
