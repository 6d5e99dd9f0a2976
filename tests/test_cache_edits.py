"""`tracker edit` and `tracker remove` take the cache's word on a file it knows, as `tracker add`
does: no full validation, and exactly the bytes, return values and refusals of a file the cache
does not know. The edited record is read whole from the file's bytes (the cache holds typed
values: "1.50" would come back as 1.5)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import events

from tracker.errors import TrackerError
from tracker.storage import append, writer
from tracker.storage import load as store
from tracker.storage.edits import Edit, NewSource, edit_event, remove_event

pytestmark = pytest.mark.usefixtures("private_cache")

# Rows beside the shipped ones: a quoted description over two lines, coordinates whose text a
# number would not keep, a title holding U+2028 and U+0085 unquoted, a span.
EXTRA = [
    {
        "date": "2023-09-13",
        "title": "Summit over two lines",
        "description": 'Two lines,\nand "quotes"',
        "category": "diplomatic",
        "status": "reported",
        "lat": "1.50",
        "lon": "-2.0",
        "source_url": "https://example.org/summit",
        "source_name": "Example",
    },
    {
        "date": "2024-02-29",
        "title": "Text\u2028with a line separator\x85and a next-line",  # (not line ends in a CSV record)
        "category": "labor",
        "status": "reported",
        "source_url": "https://example.org/odd",
    },
    {
        "date": "2030",
        "end_date": "2031",
        "title": "The last event",
        "category": "energy",
        "status": "alleged",
        "source_url": "https://example.org/last",
    },
]
SUMMIT = "2023-09-13-summit-over-two-lines"
LAST = "2030-the-last-event"
FIRST = "2006-10-14-unsc-res-1718-adopted"
ODD = "2024-02-29-text-with-a-line-separator-and"

CHANGES = {
    "status in place": lambda p: edit_event(p, SUMMIT, Edit({"status": "confirmed"})),
    "a new date moves it": lambda p: edit_event(p, SUMMIT, Edit({"date": "2024-01-02"})),
    "a source added": lambda p: edit_event(p, SUMMIT, Edit(add_sources=(NewSource("https://example.org/b", "B"),))),
    "the last one edited": lambda p: edit_event(p, LAST, Edit({"status": "denied"})),
    "odd separators in the title": lambda p: edit_event(p, ODD, Edit({"status": "confirmed"})),
    "nothing to change": lambda p: edit_event(p, SUMMIT, Edit({"status": "reported"})),
    "the first one removed": lambda p: remove_event(p, FIRST),
    "a two-line one removed": lambda p: remove_event(p, SUMMIT),
    "the last one removed": lambda p: remove_event(p, LAST),
}


@pytest.fixture
def known_and_unknown(events_csv: Path, validations: list[str]) -> tuple[Path, Path]:
    """(the file with the extra rows, loaded so the cache knows it; a byte-equal copy it does not)."""
    for row in EXTRA:
        append.add_event(events_csv, row)
    uncached = events_csv.with_name("uncached.csv")
    uncached.write_bytes(events_csv.read_bytes())
    store.load_events(events_csv)
    validations.clear()
    return events_csv, uncached


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_the_cache_vouches_for_writes_what_a_full_validation_writes(known_and_unknown, validations, change):
    known, unknown = known_and_unknown
    assert change(known) == change(unknown)
    assert validations == ["uncached.csv"]
    assert known.read_bytes() == unknown.read_bytes()


def test_the_edited_record_keeps_the_files_text(known_and_unknown):
    known, _ = known_and_unknown
    edited = edit_event(known, SUMMIT, Edit({"status": "confirmed"}))
    assert (edited.old["lat"], edited.old["lon"], edited.old["description"]) == (
        "1.50",
        "-2.0",
        'Two lines,\nand "quotes"',
    )
    assert edited.changed == ["status"]
    text = known.read_text(encoding="utf-8")
    assert (
        f'{SUMMIT},2023-09-13,,Summit over two lines,"Two lines,\nand ""quotes""",diplomatic,confirmed,,,1.50,-2.0,'
        in text
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda p: edit_event(p, "2023-09-13-summit-over-two-line", Edit({"status": "confirmed"})),
        lambda p: remove_event(p, "2030-the-last-even"),
        lambda p: edit_event(p, SUMMIT, Edit({"title": "The last event", "date": "2030"})),
        lambda p: edit_event(p, SUMMIT, Edit({"id": FIRST})),
        lambda p: edit_event(p, SUMMIT, Edit({"lat": "95"})),
    ],
    ids=["unknown id", "unknown id to remove", "same date and title", "an id taken", "a bad value"],
)
def test_refusals_the_cache_vouches_for_read_as_without_it(known_and_unknown, validations, change):
    messages = []
    for path in known_and_unknown:
        before = path.read_bytes()
        with pytest.raises(TrackerError) as refused:
            change(path)
        assert path.read_bytes() == before
        messages.append(str(refused.value).replace("uncached.csv", "events.csv"))
    assert messages[0] == messages[1]
    assert validations == ["uncached.csv"]


def test_a_file_changed_behind_the_cache_is_validated_again(known_and_unknown, validations):
    known, _ = known_and_unknown
    data = known.read_bytes()
    known.write_bytes(data.replace(b"reported,,,1.50,-2.0", b"reported,,,1.25,-2.0"))  # (same size)
    edited = edit_event(known, SUMMIT, Edit({"status": "confirmed"}))
    assert validations == ["events.csv"]
    assert edited.old["lat"] == "1.25"
    assert b"confirmed,,,1.25,-2.0" in known.read_bytes()


SHAPES = {
    "CRLF": lambda data: data.replace(b"\n", b"\r\n"),
    "no final newline": lambda data: data.rstrip(b"\n"),
    "a byte-order mark": lambda data: b"\xef\xbb\xbf" + data,
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("change", ["the last one edited", "a new date moves it", "the last one removed"])
def test_files_of_every_shape_are_changed_alike_with_and_without_the_cache(
    known_and_unknown, validations, shape, change
):
    for path in known_and_unknown:
        path.write_bytes(shape(path.read_bytes()))
    store.load_events(known_and_unknown[0])
    assert CHANGES[change](known_and_unknown[0]) == CHANGES[change](known_and_unknown[1])
    assert validations == ["uncached.csv"]
    assert known_and_unknown[0].read_bytes() == known_and_unknown[1].read_bytes()


OPERATIONS = {
    "status": lambda p, i: edit_event(p, i, Edit({"status": "denied"})),
    "date": lambda p, i: edit_event(p, i, Edit({"date": "2001-02"})),
    "title": lambda p, i: edit_event(p, i, Edit({"title": 'A new, "quoted"\ntitle\u2028here'})),
    "coordinates": lambda p, i: edit_event(p, i, Edit({"lat": "-0.50", "lon": "10"})),
    "remove": remove_event,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(1, 40),
    seed=st.integers(0, 2**16),
    operation=st.sampled_from(sorted(OPERATIONS)),
    where=st.floats(0, 1, exclude_max=True),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
)
def test_any_change_is_written_alike_with_and_without_the_cache(
    tmp_path_factory, validations, count, seed, operation, where, newline, final_newline
):
    folder = tmp_path_factory.mktemp("files")
    rows = events(count, seed=seed)
    text = rows.to_csv(index=False, lineterminator=newline)
    known, unknown = folder / "events.csv", folder / "uncached.csv"
    for path in (known, unknown):
        path.write_bytes((text if final_newline else text.removesuffix(newline)).encode())
    store.load_events(known)
    validations.clear()
    event_id = rows["id"].iloc[int(where * count)]
    results = []
    for path in (known, unknown):
        try:
            results.append(OPERATIONS[operation](path, event_id))
        except TrackerError as refused:  # (a title clash, say: refused alike)
            results.append(str(refused).replace("uncached.csv", "events.csv"))
    assert results[0] == results[1]
    assert validations == ["uncached.csv"]
    assert known.read_bytes() == unknown.read_bytes()


def test_a_plan_that_fails_on_the_cache_path_falls_back_to_the_full_read(known_and_unknown, validations, monkeypatch):
    def broken(*args):
        raise ValueError("a reading the cache path got wrong")

    monkeypatch.setattr(writer, "claimed_record", broken)
    known, unknown = known_and_unknown
    assert edit_event(known, SUMMIT, Edit({"status": "confirmed"})) == edit_event(
        unknown, SUMMIT, Edit({"status": "confirmed"})
    )
    assert validations == ["events.csv", "uncached.csv"]
    assert known.read_bytes() == unknown.read_bytes()


def test_edits_in_a_row_after_an_add_are_each_served_by_the_cache(known_and_unknown, validations, parses):
    added = {"date": "2023-09-13", "title": "Added after the load", "category": "energy", "status": "reported"}
    added["source_url"] = "https://example.org/added"
    assert [append.add_event(path, added) for path in known_and_unknown] == ["2023-09-13-added-after-the-load"] * 2
    for event_id in ("2023-09-13-added-after-the-load", SUMMIT, LAST):
        edited = [edit_event(path, event_id, Edit({"status": "denied"})) for path in known_and_unknown]
        assert edited[0] == edited[1]
        assert known_and_unknown[0].read_bytes() == known_and_unknown[1].read_bytes()
    assert validations == ["uncached.csv"] * 4
    cached = store.load_events(known_and_unknown[0])
    assert parses == []
    pd.testing.assert_frame_equal(cached, store.load_events(known_and_unknown[0], cache=False), check_exact=True)
    assert (cached.set_index("id").loc[[SUMMIT, LAST], "status"] == "denied").all()
