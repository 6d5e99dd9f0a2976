"""Facts about whole Arrow columns (tracker/contract/arrowtext.py): exact, never a guess."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.contract import arrowtext, schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "tests" / "data" / "events.csv").read_bytes()
INVALID = ROOT / "tests" / "data" / "invalid"
EXPECTED = json.loads((INVALID / "expected.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------ the pieces checked on every value


def chunked(values: list[str], sizes: list[int], skip: int) -> pa.ChunkedArray:
    """``values`` as Arrow chunks of ``sizes``, the first sliced ``skip`` values in (an offset)."""
    head = pa.array(["x"] * skip + values[: sizes[0]], pa.string()).slice(skip)
    rest, at = [], sizes[0]
    for size in sizes[1:]:
        rest.append(pa.array(values[at : at + size], pa.string()))
        at += size
    return pa.chunked_array([head, *rest, pa.array(values[at:], pa.string())], pa.string())


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.text(st.sampled_from(list("ab-é\x00 ")), max_size=20), max_size=40),
    sizes=st.lists(st.integers(0, 10), min_size=1, max_size=4),
    skip=st.integers(0, 3),
)
def test_all_distinct_is_exactly_no_repeated_value(values, sizes, skip):
    column = chunked(values, sizes, skip)
    assert column.to_pylist() == values
    assert arrowtext.all_distinct(column) == (len(set(values)) == len(values))


def test_a_fingerprint_collision_falls_back_to_the_exact_count(monkeypatch):
    monkeypatch.setattr(arrowtext, "fingerprints", lambda chunk: np.zeros(len(chunk), np.uint64))
    assert arrowtext.all_distinct(pa.chunked_array([pa.array(["a", "b", "c"])])) is True
    assert arrowtext.all_distinct(pa.chunked_array([pa.array(["a", "b", "a"])])) is False


def test_equal_values_get_equal_fingerprints_whatever_their_neighbours():
    values = [
        "2024-01-02-strike",
        "2024-01-02-strike-and-more",
        "2024-01-02-strike",
        "x" * 17 + "-tail",
    ]
    prints = arrowtext.fingerprints(pa.array(values))
    assert prints[0] == prints[2]
    assert len(set(prints.tolist())) == 3


def test_only_the_title_pattern_is_taken_as_not_blank():
    assert [f.name for f in schema.fields() if f.pattern and arrowtext.is_non_blank(f.pattern)] == [
        "title",
        "short_title",
    ]
    assert not arrowtext.is_non_blank(r"[^a]*[^\sa][^a]*")  # (not only control characters)


@pytest.mark.parametrize(
    ("title", "graphic"),
    [
        ("Kharkiv strike", True),
        (" leading space", False),
        ("Érable", False),
        ("", False),
        ("9", True),
    ],
)
def test_titles_starting_with_a_printable_ascii_character_surely_are_not_blank(title, graphic):
    assert arrowtext.starts_graphic(pa.chunked_array([pa.array(["x", title]).slice(1)])).tolist() == [graphic]


def test_urls_are_counted_by_their_separators():
    urls = pa.array(
        [
            "https://a.org",
            "https://a.org | https://b.org",
            "https://a.org | https://b.org | https://c.org",
        ]
    )
    assert arrowtext.bytes_per_value(urls.slice(1), ord("|")).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("pattern", "may"),
    [
        ("[a-z0-9]+(-[a-z0-9]+)*", False),
        (r'https?://[^\s|"<>]+( \| https?://[^\s|"<>]+)*', False),
        (r"[^\x00-\x1f\x7f]*", False),
        (r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*", True),  # (\n allowed: a description's)
        (r"a.b", False),
        (r"(?s)a.b", True),
        (r"(?s:a.)b", True),
        (r"x\sy", True),
        (r"[\S]", False),
        (r"[^\S]", True),
        (r"\D", True),
        (r"\w+", False),
        (r"a|\n", True),
        (r"[\t-\r]", True),
        (r"[^a]", True),
        (r"(a)\1", True),  # (a back reference: unsure)
        (r"(", True),  # (not a pattern: unsure)
    ],
)
def test_patterns_that_may_match_a_line_break_are_told_apart(pattern, may):
    assert arrowtext.may_match_newline(pattern) is may


@pytest.mark.parametrize(
    ("pattern", "exact"),
    [("[a-z0-9]+(-[a-z0-9]+)*", True), ("[a-z]+", True), (r"\bab", True), ("a$", False)],
)
def test_joined_values_match_when_each_value_does(pattern, exact):
    """Never more than each value allows; exactly that, but for anchors (which only refuse)."""
    for values in (
        ["ab", "a-b", "ab-c1"],
        ["ab", "a--b"],
        ["ab", "A"],
        ["a", "a", "ab"],
        ["a"],
        ["ab", "ab"],
    ):
        column = pa.chunked_array(
            [
                pa.array(values[:1], pa.string()),
                pa.array([], pa.string()),
                pa.array(values[1:], pa.string()),
            ]
        )
        each = all(re.fullmatch(pattern, v) for v in values)
        joined = arrowtext.all_match(column, pattern)
        assert joined == each if exact else (each or not joined), (pattern, values)
