"""parse_date: free-form text -> ISO at the precision the text gives, or a refusal with examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.contract.dates import EXAMPLES, DateParseError, check_iso, parse_date, precision_of


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2 January 2024", "2024-01-02"),
        ("2 Januari 2024", "2024-01-02"),
        ("  2   january  2024 ", "2024-01-02"),
        ("Jan 2, 2024", "2024-01-02"),
        ("2024-01-02", "2024-01-02"),
        ("2024/01/02", "2024-01-02"),
        ("2024-1-2", "2024-01-02"),
        ("13/2/2024", "2024-02-13"),
        ("24 Feb. 2022", "2022-02-24"),
        ("2024-02-29", "2024-02-29"),
        ("Nov 2022", "2022-11"),
        ("November 2022", "2022-11"),
        ("2022-11", "2022-11"),
        ("Sept 2022", "2022-09"),
        ("2023", "2023"),
        ("1945", "1945"),
    ],
)
def test_english_and_iso_forms_keep_their_precision(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("5 Maret 2023", "2023-03-05"),
        ("17 Mei 2023", "2023-05-17"),
        ("Mei 2024", "2024-05"),
        ("17 Agustus 1945", "1945-08-17"),
        ("Agu 2020", "2020-08"),
        ("1 Oktober 2022", "2022-10-01"),
        ("Okt 2022", "2022-10"),
        ("25 Desember 2023", "2023-12-25"),
        ("Desember 2023", "2023-12"),
        ("Des 2020", "2020-12"),
        ("Februari 2024", "2024-02"),
        ("Pebruari 2024", "2024-02"),
        ("Juni 2022", "2022-06"),
        ("Juli 2022", "2022-07"),
        ("Nopember 2022", "2022-11"),
        ("2 JANUARI 2024", "2024-01-02"),
    ],
)
def test_indonesian_month_names(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1/2/2024", "'1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01"),
        ("02-01-2024", "'02-01-2024' is ambiguous: it could be 2024-01-02 or 2024-02-01"),
        ("junk", "cannot read 'junk' as a date"),
        ("2 Januari 2024 dan", "cannot read '2 Januari 2024 dan' as a date"),
        ("May 32 2024", "cannot read 'May 32 2024' as a date"),
        ("", "date is empty"),
        ("   ", "date is empty"),
        ("99", "'99' has no four-digit year"),
        ("2 Jan", "cannot read '2 Jan' as a date"),
        ("January", "cannot read 'January' as a date"),
        ("1 2 3", "'1 2 3' has no four-digit year"),
        ("2023-02-29", "'2023-02-29' is not a real date (day is out of range for month)"),
        ("2024-13", "'2024-13' is not a real date (month must be in 1..12)"),
        ("2024-00", "'2024-00' is not a real date (month must be in 1..12)"),
        ("2024-01-00", "'2024-01-00' is not a real date (day is out of range for month)"),
    ],
)
def test_refusals_say_why(text, message):
    with pytest.raises(DateParseError) as info:
        parse_date(text)
    assert info.value.message == message
    assert EXAMPLES in info.value.hint


def test_refusal_hint_lists_working_examples():
    with pytest.raises(DateParseError) as info:
        parse_date("1/2/2024")
    assert str(info.value) == (
        "'1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01 (write the month as a word "
        'or use YYYY-MM-DD: "2 January 2024", "2 Januari 2024", "2024-01-02", "Nov 2022", '
        '"2022-11", "2023")'
    )


def test_every_example_in_the_hint_parses():
    for example in EXAMPLES.split(", "):
        assert parse_date(example.strip('"'))


@pytest.mark.parametrize(("iso", "precision"), [("2024-01-02", "day"), ("2022-11", "month"), ("2023", "year")])
def test_precision_is_the_form(iso, precision):
    assert precision_of(iso) == precision


@pytest.mark.parametrize(
    ("iso", "problem"),
    [
        ("2024-01-02", None),
        ("2024-02", None),
        ("0001", None),
        ("2024-2-1", "'2024-2-1' is not an ISO date"),
        ("2024-02-30", "'2024-02-30' is not a real date (day is out of range for month)"),
    ],
)
def test_check_iso(iso, problem):
    assert check_iso(iso) == problem


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_a_real_iso_date_or_a_date_parse_error(text):
    try:
        iso = parse_date(text)
    except DateParseError as exc:
        assert exc.message and exc.hint
    else:
        assert check_iso(iso) is None
