"""Checking mapped rows as ``tracker add`` checks one: every rule of the contract's registry, run
on all rows at once (the rules' fast forms first; their exact forms word what they find), plus
what the mapping found. Refused rows are worded with their line in the input file and the input
column; rows the input holds twice are duplicates of the first."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import Problem, problems_in, schema
from ..contract.fast import rows_accepted
from ..contract.problems import MAX_PROBLEMS
from ..contract.rules import exact_findings
from .ids import assign_ids, same_day_title_keys
from .mapping import Mapped


@dataclass(frozen=True)
class Duplicate:
    """A row not added: ``line`` in the input has ``what`` (the same id, or the same date and
    title) as the event at ``other_line`` of ``where`` (the events file, or the input itself),
    whose id is ``other``."""

    line: int
    what: str
    where: str
    other_line: int
    other: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}: duplicate of {self.where}:{self.other_line} ({self.other}): {self.what}"


@dataclass
class Checked:
    """The rows that pass (``good``, with provisional ids and ``given``: whether the input gave
    the id), the problems of the others (the first ones worded) and the duplicates within."""

    good: pd.DataFrame
    given: np.ndarray
    problems: list[Problem]
    total_problems: int
    refused_rows: int
    duplicates: list[Duplicate] = field(default_factory=list)
    keys: pa.Array | None = None  # the good rows' same_day_title_keys, worked out once


def check_rows(mapped: Mapped, source: str) -> Checked:
    """Check every mapped row; ``source`` names the input file in duplicates."""
    rows = mapped.rows.reset_index(drop=True)
    given = (rows["id"] != "").to_numpy()
    rows["id"] = assign_ids(rows, given, pd.Series([], dtype=str))
    refused = np.zeros(len(rows), dtype=bool)
    covered = {c: np.zeros(len(rows), dtype=bool) for c in schema.COLUMNS}
    problems, total = [], 0
    for finding in mapped.findings:
        refused |= finding.mask
        covered[finding.column] |= finding.mask
        hits = np.flatnonzero(finding.mask)
        total += len(hits)
        for i in hits[: max(0, MAX_PROBLEMS - len(problems))]:
            message = finding.message if isinstance(finding.message, str) else finding.message.iloc[i]
            problems.append(Problem(int(rows["_line"].iloc[i]), finding.label, message, finding.hint))
    if len(rows) and not rows_accepted(rows):
        found = [(np.asarray(m, dtype=bool) & ~covered[c], c, msg, hint) for m, c, msg, hint in exact_findings(rows)]
        for mask, *_ in found:
            refused |= mask
        worded, count = problems_in(rows, found)
        problems += _relabelled(worded, mapped, rows)
        total += count
    problems.sort(key=lambda p: p.line)
    good = rows[~refused]
    keys = same_day_title_keys(good)
    duplicates, twice = _twice(good, keys, source)
    keep = ~twice
    checked = Checked(good[keep], given[~refused][keep], problems[:MAX_PROBLEMS], total, int(refused.sum()))
    checked.duplicates, checked.keys = duplicates, keys.filter(pa.array(keep)) if twice.any() else keys
    return checked


def _relabelled(problems: list[Problem], mapped: Mapped, rows: pd.DataFrame) -> list[Problem]:
    """The rules' problems, each column named as the input names it for that row."""
    index = {line: i for i, line in enumerate(rows["_line"].tolist())} if problems else {}
    return [Problem(p.line, mapped.label(p.column, index[p.line]), p.message, p.hint) for p in problems]


def _twice(good: pd.DataFrame, keys: pa.Array, source: str) -> tuple[list[Duplicate], np.ndarray]:
    """Rows whose date and title (case aside: ``keys``) an earlier good row of the input has."""
    codes = pc.dictionary_encode(keys).indices.to_numpy()
    twice = pd.Series(codes).duplicated(keep="first").to_numpy()
    if not twice.any():
        return [], twice
    keys = keys.to_numpy(zero_copy_only=False)
    first = good[~twice]
    first_by_key = dict(zip(keys[~twice], zip(first["_line"], first["id"], strict=True), strict=True))
    duplicates = []
    for key, line in zip(keys[twice], good["_line"][twice], strict=True):
        other_line, other = first_by_key[key]
        duplicates.append(Duplicate(int(line), "the same date and title", source, int(other_line), other))
    return duplicates, twice
