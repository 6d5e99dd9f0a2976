"""The exact path: every breach of the contract's rules, each worded with its line and column."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from . import schema
from .csvtext import read_raw
from .problems import MAX_PROBLEMS, Problem, ValidationError
from .rules import exact_findings


def exact_raw(path: str | os.PathLike, data) -> pd.DataFrame:
    """The raw frame of ``data`` (the bytes of ``path``), or ValidationError with every problem."""
    raw = read_raw(path, bytes(data))
    problems, total = problems_in(raw)
    if problems:
        raise ValidationError(path, problems, total)
    return raw


def problems_in(frame: pd.DataFrame, found: list | None = None) -> tuple[list[Problem], int]:
    """Every breach of the contract in a raw frame: (first MAX_PROBLEMS, total count); ``found``
    the rules' findings on it when the caller has them already."""
    found = exact_findings(frame) if found is None else found
    problems: list[Problem] = []
    total = 0
    lines = frame["_line"]
    for mask, column, message, hint in found:
        flags = np.asarray(mask, dtype=bool)
        if not flags.any():  # the common case: skip the index lookup
            continue
        hits = frame.index[flags]
        total += len(hits)
        for i in hits[: MAX_PROBLEMS - len(problems)]:
            value = frame.at[i, column] if column in frame else ""
            text = message.format(value=_show(value), other=_other(frame, column, i), length=len(str(value)))
            problems.append(Problem(int(lines[i]), column, text, hint))
    order = {name: i for i, name in enumerate(schema.COLUMNS)}
    problems.sort(key=lambda p: (p.line, order.get(p.column, -1)))
    return problems, total


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _other(frame: pd.DataFrame, column: str, i: int) -> str:
    if column not in frame:
        return ""
    same = frame.index[frame[column] == frame.at[i, column]]
    return str(int(frame["_line"][same[0]]))
