"""The rule registry (tracker/contract/rules.py): every rule in its two forms, each form refusing
the rule's own broken example, on its line and column for the exact form."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from synthetic import events

from tracker.contract import ValidationError, exact_raw, schema
from tracker.contract import fast as fast_path
from tracker.contract.columns import ArrowColumns
from tracker.contract.csvtext import header_of
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
