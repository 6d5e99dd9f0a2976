"""Edits and removals keep the cache vouching for the file they write, as adds do: the rows taken
out and put in go into the delta beside the entry, so the next writer (and the dashboard's
reload) takes the cache's word instead of validating the whole file again. Whatever the sequence
of changes, what the cache then says equals a fresh parse, and the bytes written equal those of
a file the cache does not know."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import events

from tracker.errors import TrackerError
from tracker.storage import append, cache
from tracker.storage import load as store
from tracker.storage.cacheword import byte_edits
from tracker.storage.edits import Edit, NewSource, edit_event, remove_event, remove_events
from tracker.storage.filewrite import FileRange

pytestmark = pytest.mark.usefixtures("private_cache")


def added(n: int) -> dict[str, str]:
    return {
        "date": f"{2000 + n % 40}-0{1 + n % 9}",
        "title": f"Added event number {n}",
        "category": "energy",
        "status": "reported",
        "source_url": f"https://example.org/added-{n}",
    }


OPERATIONS = {
    "status": lambda p, i, n: edit_event(p, i, Edit({"status": "denied"})),
    "date (it moves)": lambda p, i, n: edit_event(p, i, Edit({"date": f"{1995 + n % 40}-02"})),
    "title": lambda p, i, n: edit_event(p, i, Edit({"title": f'New, "quoted" title {n}\u2028here'})),
    "description over lines": lambda p, i, n: edit_event(p, i, Edit({"description": f"Two,\nlines {n}"})),
    "coordinates": lambda p, i, n: edit_event(p, i, Edit({"lat": "-0.50", "lon": "10"})),
    "a source": lambda p, i, n: edit_event(p, i, Edit(add_sources=(NewSource(f"https://example.org/s{n}", "S"),))),
    "remove": lambda p, i, n: remove_event(p, i),
    "remove two": lambda p, i, n: remove_events(p, [i, ids_of(p)[n % len(ids_of(p))]]),
    "add": lambda p, i, n: append.add_event(p, added(n)),
}


def ids_of(path: Path) -> list[str]:
    return pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)["id"].tolist()


def run(operation: str, path: Path, event_id: str, n: int):
    try:
        return OPERATIONS[operation](path, event_id, n)
    except TrackerError as refused:  # (a title clash, say: refused alike)
        return str(refused).replace("uncached.csv", "events.csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(0, 30),
    seed=st.integers(0, 2**16),
    steps=st.lists(st.tuples(st.sampled_from(sorted(OPERATIONS)), st.floats(0, 1, exclude_max=True)), max_size=8),
    newline=st.sampled_from(["\n", "\r\n"]),
    blank_line=st.booleans(),
    max_delta_rows=st.sampled_from([3, cache.MAX_DELTA_ROWS]),
    segment_bytes=st.sampled_from([300, cache.SEGMENT_BYTES]),  # (small: edits far apart in many segments)
)
def test_any_changes_in_a_row_are_served_by_the_cache(
    tmp_path_factory,
    validations,
    parses,
    count,
    seed,
    steps,
    newline,
    blank_line,
    max_delta_rows,
    segment_bytes,
    monkeypatch,
):
    monkeypatch.setattr(cache, "MAX_DELTA_ROWS", max_delta_rows)
    monkeypatch.setattr(cache, "SEGMENT_BYTES", segment_bytes)
    folder = tmp_path_factory.mktemp("files")
    text = events(count, seed=seed).to_csv(index=False, lineterminator=newline)
    if blank_line and count > 1:  # a blank line inside the file: a record's span is two lines
        first_record = text.index(newline) + len(newline)
        second = text.index(newline, first_record) + len(newline)
        text = text[:second] + newline + text[second:]
    known, unknown = folder / "events.csv", folder / "uncached.csv"
    for path in (known, unknown):
        path.write_bytes(text.encode())
    store.load_events(known)
    validations.clear(), parses.clear()
    for n, (operation, where) in enumerate(steps):
        ids = ids_of(unknown)
        if not ids and operation != "add":
            operation = "add"
        event_id = ids[int(where * len(ids))] if ids else ""
        assert run(operation, known, event_id, n) == run(operation, unknown, event_id, n)
        assert known.read_bytes() == unknown.read_bytes()
    assert validations == ["uncached.csv"] * len(steps)
    cached = store.load_events(known)
    assert parses == []
    pd.testing.assert_frame_equal(cached, store.load_events(known, cache=False), check_exact=True)


def test_an_edit_of_a_file_without_a_final_newline_leaves_the_next_reader_to_parse_it(events_csv, validations, parses):
    events_csv.write_bytes(events_csv.read_bytes().rstrip(b"\n"))
    store.load_events(events_csv)
    first = ids_of(events_csv)[0]
    edit_event(events_csv, first, Edit({"status": "denied"}))
    edit_event(events_csv, first, Edit({"status": "confirmed"}))
    assert validations == ["events.csv"]  # the first edit took the cache's word; it had none to give
    assert store.load_events(events_csv).set_index("id").at[first, "status"] == "confirmed"


def test_the_loader_takes_the_cache_word_after_edits_and_removals(events_csv, validations, parses):
    store.load_events(events_csv)
    ids = ids_of(events_csv)
    edit_event(events_csv, ids[3], Edit({"description": "A description\nover two lines"}))
    remove_event(events_csv, ids[0])
    edit_event(events_csv, ids[10], Edit({"date": "2030"}))
    parses.clear()
    frame = store.load_events(events_csv)
    assert parses == [] and validations == []
    assert frame["id"].tolist() == [*ids[1:10], *ids[11:], ids[10]]
    assert frame["_line"].tolist()[:4] == [2, 3, 4, 6]  # the edited record now takes two lines
    assert frame["description"].iloc[2] == "A description\nover two lines"


def test_byte_edits_say_what_the_pieces_change():
    pieces = [FileRange(3, 0, 10), b"new\n", FileRange(3, 14, 6), FileRange(3, 30, 5), b"end\n"]
    assert byte_edits(pieces, 35) == [(10, 4, b"new\n"), (20, 10, b""), (35, 0, b"end\n")]
    assert byte_edits([b"all new"], 5) == [(0, 5, b"all new")]
    assert byte_edits([FileRange(3, 0, 5)], 5) == []


def test_a_small_import_leaves_the_cache_vouching_for_the_file(events_csv, tmp_path, validations, parses):
    from tracker.importing import import_file

    source = tmp_path / "new.csv"
    pd.DataFrame([added(n) for n in (1, 17, 33)]).to_csv(source, index=False)
    before = len(store.load_events(events_csv))
    parses.clear()
    report = import_file(events_csv, source)
    assert len(report.added) == 3 and report.written and validations == []
    frame = store.load_events(events_csv)
    assert parses == [] and len(frame) == before + 3
    pd.testing.assert_frame_equal(frame, store.load_events(events_csv, cache=False), check_exact=True)
