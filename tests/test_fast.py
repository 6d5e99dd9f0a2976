"""The fast path (tracker/fastcsv.py) only ever says "surely valid", and then gives exactly the
frame the exact path gives; anything else goes to the exact path, which words the problems."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import events as synthetic_events

from tracker.contract import ValidationError, check, columns, read_raw, schema, valid_raw
from tracker.contract import fast as fastcsv
from tracker.contract import validate as validate_module
from tracker.storage import load as store

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "tests" / "data" / "events.csv").read_bytes()
INVALID = ROOT / "tests" / "data" / "invalid"
EXPECTED = json.loads((INVALID / "expected.json").read_text(encoding="utf-8"))


def csv_bytes(frame: pd.DataFrame, newline: str = "\n") -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator=newline)
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    """2,000 generated events: every category, status, precision, spans, lists, coordinates."""
    return synthetic_events(2_000)


def exact(data: bytes, path: str = "events.csv") -> pd.DataFrame:
    return read_raw(path, data)


def test_shipped_file_fast_frame_is_the_exact_frame():
    fast = fastcsv.accepted_raw(SHIPPED, min_rows=0)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, exact(SHIPPED))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_generated_file_fast_frame_is_the_exact_frame(synthetic, newline):
    data = csv_bytes(synthetic, newline)
    fast = fastcsv.accepted_raw(data, min_rows=0)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, exact(data))
    assert fast["_line"].tolist() == list(range(2, 2_002))


def test_bom_quotes_and_no_final_newline_still_take_the_fast_path(synthetic):
    frame = synthetic.head(50).copy()
    frame.loc[3, "title"] = 'The "Hwasong-11" finding, in full'
    data = b"\xef\xbb\xbf" + csv_bytes(frame).rstrip(b"\n")
    fast = fastcsv.accepted_raw(data, min_rows=0)
    assert fast is not None
    assert fast.loc[3, "title"] == 'The "Hwasong-11" finding, in full'
    pd.testing.assert_frame_equal(fast, exact(data))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.replace(b"\n", b"\n\n", 2), "a blank line (the exact path skips it)"),
        (
            lambda d: d.replace(b"Officials confirmed", b'"Officials\nconfirmed', 1).replace(
                b"imagery.", b'imagery."', 1
            ),
            "a line break inside quotes",
        ),
        (lambda d: d.replace(b",confirmed,", b',confirmed,"', 1), "an unclosed quote"),
        (lambda d: d.replace(b",confirmed,", b',conf"irmed,', 1), "a stray quote"),
        (lambda d: d.replace(b",confirmed,", b",confirmed\t,", 1), "a tab"),
        (lambda d: d.replace(b"\n", b"\r", 1), "a bare carriage return"),
    ],
)
def test_anything_unusual_goes_to_the_exact_path(synthetic, change, why):
    data = csv_bytes(synthetic.head(200))
    changed = change(data)
    assert changed != data
    assert fastcsv.accepted_raw(changed, min_rows=0) is None, why


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_invalid_file_is_refused_by_the_fast_path(name):
    assert fastcsv.accepted_raw((INVALID / name).read_bytes(), min_rows=0) is None


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("id", "2020-01-01-DUP", "id: '2020-01-01-DUP' is not valid"),
        ("date", "2021-02-29", "date: '2021-02-29' is not a real calendar date"),
        ("end_date", "1990", "end_date: '1990' is before the date"),
        ("category", "legal-un", "category: 'legal-un' is not allowed"),
        ("lat", "91", "lat: '91' is out of range"),
        (
            "source_url",
            "javascript:alert(1)",
            "source_url: 'javascript:alert(1)' uses a scheme that is never linked",
        ),
        (
            "source_name",
            "A | B | C",
            "source_name: gives a different number of names than source_url has URLs",
        ),
    ],
)
def test_a_bad_value_in_a_large_file_is_worded_by_the_exact_path(tmp_path, synthetic, column, value, message):
    frame = pd.concat([synthetic] * 11, ignore_index=True)  # 22,000 rows: over MIN_ROWS
    frame["id"] = frame["id"] + "-" + frame.index.astype(str)
    frame.loc[15_000, column] = value
    if column == "lat":
        frame.loc[15_000, "lon"] = "10"
    if column == "source_url":
        frame.loc[15_000, "source_name"] = ""
    data = csv_bytes(frame)
    with pytest.raises(ValidationError) as caught:
        valid_raw(tmp_path / "events.csv", data)
    assert str(caught.value).startswith(f"{tmp_path / 'events.csv'}:15002: {message}")


def test_a_duplicate_id_far_apart_is_found(synthetic):
    frame = synthetic.copy()
    frame.loc[1_900, "id"] = frame.loc[5, "id"]
    assert fastcsv.accepted_raw(csv_bytes(frame), min_rows=0) is None


def test_large_valid_file_loads_through_the_fast_path_with_the_same_frame(tmp_path, synthetic, monkeypatch):
    frame = pd.concat([synthetic] * 11, ignore_index=True)
    frame["id"] = frame["id"] + "-" + frame.index.astype(str)
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes(frame))
    calls = []
    real = fastcsv.accepted_raw
    monkeypatch.setattr(validate_module, "accepted_raw", lambda data: calls.append(1) or real(data))
    loaded = store.load_events(path, cache=False)
    assert calls == [1]
    expected = store.typed(exact(path.read_bytes()))
    pd.testing.assert_frame_equal(loaded, expected)
    assert loaded["start"].notna().all() and (loaded["end"] > loaded["start"]).all()


# ------------------------------------------------------------ property: fast never accepts more

ALPHABET = list(',"\r\n\t x;|-:0129aé\x00\x7f')
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def agrees_with_exact(data: bytes) -> bool:
    """Whether the fast path accepted ``data`` (then with exactly the exact path's frame)."""
    fast = fastcsv.accepted_raw(data, min_rows=0)
    if fast is None:
        return False
    try:
        slow = valid_raw("events.csv", data)  # (small: the exact path)
    except ValidationError as exc:
        pytest.fail(f"the fast path accepted what the exact path refuses: {exc}")
    pd.testing.assert_frame_equal(fast, slow)
    return True


def assert_some_accepted(accepted: list[bool]) -> None:
    """A run in which the fast path accepted no generated case proves nothing about agreement."""
    print(f"fast path accepted {sum(accepted)} of {len(accepted)} generated cases")
    assert sum(accepted) > 0, f"the fast path accepted none of {len(accepted)} generated cases"


CHANGED_VALUES = st.dictionaries(
    st.sampled_from(schema.COLUMNS),
    st.text(st.sampled_from(ALPHABET + list("RUS.&'é2024")), max_size=12),
    min_size=1,
    max_size=4,
)


@pytest.mark.slow
def test_mutated_shipped_file_fast_path_never_accepts_what_the_exact_path_refuses():
    accepted: list[bool] = []

    @FUZZ
    @given(
        at=st.integers(0, 3000),
        insert=st.text(st.sampled_from(ALPHABET), max_size=8),
        cut=st.integers(0, 8),
    )
    def mutated(at, insert, cut):
        accepted.append(agrees_with_exact(SHIPPED[:at] + insert.encode("utf-8") + SHIPPED[at + cut :]))

    mutated()
    assert_some_accepted(accepted)


@pytest.mark.slow
def test_changed_fields_fast_path_never_accepts_what_the_exact_path_refuses(synthetic):
    accepted: list[bool] = []

    @FUZZ
    @given(changes=CHANGED_VALUES)
    def changed(changes):
        frame = synthetic.head(30).copy()
        for column, value in changes.items():
            frame.loc[7, column] = value
        accepted.append(agrees_with_exact(csv_bytes(frame)))

    changed()
    assert_some_accepted(accepted)


@pytest.mark.slow
@pytest.mark.parametrize("repeated", [0, 10**9], ids=["every-value", "distinct-values"])
def test_both_ways_of_checking_a_column_agree_with_the_exact_path(synthetic, repeated):
    """Every column checked on every value (0), or on its distinct values (10**9)."""
    accepted: list[bool] = []

    @FUZZ
    @given(changes=CHANGED_VALUES)
    def changed(changes):
        frame = synthetic.head(30).copy()
        for column, value in changes.items():
            frame.loc[11, column] = value
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(columns, "REPEATED", repeated)
            accepted.append(agrees_with_exact(csv_bytes(frame)))

    changed()
    assert_some_accepted(accepted)


def large_file(synthetic: pd.DataFrame, **at_15000: str) -> bytes:
    frame = pd.concat([synthetic] * 11, ignore_index=True)  # 22,000 rows: over MIN_ROWS
    frame["id"] = frame["id"] + "-" + frame.index.astype(str)
    for column, value in at_15000.items():
        frame.loc[15_000, column] = value
    return csv_bytes(frame)


def test_check_counts_the_events_and_finds_the_latest_date(synthetic):
    data = large_file(synthetic)
    table = fastcsv.accepted_table(data, whole=False)
    assert table is not None and "description" not in table.column_names  # (proved by line lengths)
    assert check("events.csv", data) == (22_000, synthetic["date"].max())


@pytest.mark.parametrize(("length", "valid"), [(20_000, True), (20_001, False)])
def test_a_description_past_the_first_mib_is_still_held_to_its_limit(tmp_path, synthetic, length, valid):
    data = large_file(synthetic, description="d" * length)
    assert (
        fastcsv.accepted_table(data, whole=False) is not None
        if valid
        else fastcsv.accepted_table(data, whole=False) is None
    )
    if valid:
        assert check(tmp_path / "events.csv", data)[0] == 22_000
    else:
        with pytest.raises(ValidationError) as caught:
            check(tmp_path / "events.csv", data)
        assert str(caught.value).startswith(
            f"{tmp_path / 'events.csv'}:15002: description: is 20001 characters long, over the limit of 20000"
        )


def test_a_large_file_with_bytes_that_are_not_utf8_goes_to_the_exact_path(tmp_path, synthetic):
    data = large_file(synthetic, title="Cafe-MARK strike").replace(b"e-MARK", b"\xe9")  # (Latin-1)
    assert fastcsv.accepted_table(data) is None
    with pytest.raises(ValidationError, match="is not UTF-8 text"):
        check(tmp_path / "events.csv", data)


def test_a_large_non_ascii_file_takes_the_fast_path_as_text(synthetic):
    data = large_file(synthetic, title="Pyongyang–Moscow rail link, ‘restarted’")
    fast = fastcsv.accepted_raw(data)
    assert fast is not None
    assert fast.loc[15_000, "title"] == "Pyongyang–Moscow rail link, ‘restarted’"
    pd.testing.assert_frame_equal(fast, exact(data))
