"""The rule registry (tracker/contract/rules.py): every rule in its two forms, each form refusing
the rule's own broken example, on its line and column for the exact form."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from synthetic import events

from tracker.contract import ValidationError, csvtext, exact_raw, schema
from tracker.contract import fast as fast_path
from tracker.contract.columns import ArrowColumns
from tracker.contract.csvtext import byte_positions, header_of
from tracker.contract.rules import RULES, Rule, field_rules

BROKEN_ROW = 25  # the row each test breaks: line 27 of the file (header, then rows from line 2)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def valid() -> pd.DataFrame:
    return events(60)


def broken_file(valid: pd.DataFrame, rule: Rule) -> tuple[bytes, set[str]]:
    """The valid file with row BROKEN_ROW broken as ``rule.breaks`` says; the columns it changed."""
    frame = valid.copy()
    row = frame.iloc[BROKEN_ROW].to_dict()
    broken = rule.breaks(row, frame.iloc[0].to_dict())
    changed = {c for c in schema.COLUMNS if broken[c] != row[c]}
    for column in changed:
        frame.loc[BROKEN_ROW, column] = broken[column]
    return csv_bytes(frame), changed


def fast_forms_pass(rule: Rule, data: bytes, columns: set[str]) -> bool:
    """The rule's fast form on the whole parsed file (for a field rule: on each changed column
    it applies to)."""
    cols = ArrowColumns(fast_path._as_text(fast_path._parse(data, header_of(data)), ascii_only=False))
    if not rule.per_field:
        return rule.fast(cols)
    applicable = [f for f in schema.fields() if f.name in columns and rule in field_rules(f)]
    assert applicable, f"{rule.name}: its example changes no column it applies to"
    return all(rule.fast(cols, f) for f in applicable)


def test_every_rule_has_an_exact_and_a_fast_form_and_an_example():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert callable(rule.exact) and callable(rule.fast) and callable(rule.breaks), rule.name
        assert rule.fast is not rule.exact, rule.name
        assert rule.per_field != bool(rule.reads), f"{rule.name}: a field rule or a row rule"


def test_every_constraint_of_the_schema_is_checked_by_some_rule():
    for f in schema.fields():
        names = {rule.name for rule in field_rules(f)}
        expected = {
            "required": f.required,
            "unique": f.unique,
            "max_length": bool(f.max_length),
            "pattern": bool(f.pattern),
            "enum": bool(f.enum),
            "number": f.type == "number",
            "range": f.minimum is not None or f.maximum is not None,
        }
        assert names == {name for name, applies in expected.items() if applies}, f.name


def test_the_valid_file_passes_every_rule_in_both_forms(valid):
    data = csv_bytes(valid)
    assert len(exact_raw("events.csv", data)) == 60
    assert fast_path.accepted_table(data, min_rows=1) is not None
    for rule in RULES:
        columns = {f.name for f in schema.fields() if rule in field_rules(f)} if rule.per_field else set()
        assert fast_forms_pass(rule, data, columns), rule.name


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_each_rule_refuses_its_broken_example_in_both_forms(valid, rule):
    data, changed = broken_file(valid, rule)
    with pytest.raises(ValidationError) as caught:
        exact_raw("events.csv", data)
    lines = {(p.line, p.column) for p in caught.value.problems}
    assert any(line == BROKEN_ROW + 2 for line, _ in lines), (rule.name, caught.value.lines())
    assert {column for _, column in lines} <= changed | set(rule.reads), caught.value.lines()
    assert fast_path.accepted_table(data, min_rows=1) is None
    assert not fast_forms_pass(rule, data, changed), f"{rule.name}: its fast form passed its own example"


# Values near the edges of the rules that read numbers, dates, categories and source names in
# Arrow: plain and unusual numbers, real and unreal calendar dates, years at the edges.
EDGE_VALUES = {
    "lat": ["", "0", "-90", "90", "90.5", "-91", "1e1", "+5", " 7", "nan", "inf", "0x10", "12.", "4.25"],
    "date": ["2024", "2024-02", "2024-02-29", "2023-02-29", "2023-04-31", "1677-12-31", "1678", "2261-12", "2262"],
    "end_date": ["", "2023", "2024-03", "2024-02-28", "2023-02-30", "2262-01-01", "1600"],
    "category": ["", "military", "energy", "Military", "weather", "military "],
    "source_name": ["", "Reuters", "A | B", "A || B", "A | | B", "A |B"],
}
EDGE_CASES = [{c: v} for c, values in EDGE_VALUES.items() for v in values] + [
    {"date": d, "end_date": e} for d in EDGE_VALUES["date"] for e in EDGE_VALUES["end_date"]
]


def _rule_calls(rule: Rule, cols: ArrowColumns | None, frame: pd.DataFrame):
    """(fast answer, exact findings) of ``rule`` on every column it reads."""
    fields = [f for f in schema.fields() if rule in field_rules(f)] if rule.per_field else [None]
    for f in fields:
        args = (f,) if f else ()
        yield rule.fast(cols, *args), any(bool(pd.Series(m).any()) for m, *_ in rule.exact(frame, *args))


@pytest.mark.parametrize("change", EDGE_CASES, ids=lambda change: "|".join(change.values()) or "empty")
def test_no_fast_form_passes_what_its_exact_form_refuses_in_a_few_rows(valid, change):
    """On a few new rows (what an import or a commit brings) each rule is read in Arrow; a value
    its exact form refuses must never pass its fast form."""
    frame = valid.head(3).astype(str).reset_index(drop=True)
    for column, value in change.items():
        frame.loc[1, column] = value
    frame.loc[1, "lon"] = "" if frame.loc[1, "lat"] == "" else "10"
    cols = ArrowColumns(pa.table({c: pa.array(frame[c], pa.string()) for c in schema.COLUMNS}))
    answers = {rule.name: list(_rule_calls(rule, cols, frame)) for rule in RULES}
    wrong = [name for name, calls in answers.items() if any(fast and refused for fast, refused in calls)]
    assert wrong == []
    unsure = [name for name, calls in answers.items() if any(not fast and not refused for fast, refused in calls)]
    if any(refused for _, refused in answers["calendar_dates"]):  # (the order of an unreal date: left to it)
        unsure = [name for name in unsure if name != "end_not_before_date"]
    assert unsure == []  # (and none is unsure of a value it could settle)


@given(st.binary(max_size=64).map(lambda b: b.replace(b"\x00", b"\n")), st.integers(1, 9))
def test_byte_positions_are_every_occurrence_whatever_the_scan_size(data, scan_bytes):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvtext, "SCAN_BYTES", scan_bytes)
        found = byte_positions(data, b"\n").tolist()
    assert found == [i for i, byte in enumerate(data) if byte == ord("\n")]
