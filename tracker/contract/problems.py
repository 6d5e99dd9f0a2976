"""What is wrong with a file or a new row: each problem with its line, column and a fix-it hint."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import TrackerError

MAX_PROBLEMS = 200  # problems worded in full; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where it is, what it is and how to fix it."""

    line: int
    column: str
    message: str
    hint: str = ""

    def format(self, path: str | os.PathLike) -> str:
        """``path:LINE: column: message (hint)``; no line (or path) for a row not in a file."""
        where = f"{path}:{self.line}: " if self.line > 0 else (f"{path}: " if str(path) else "")
        column = f"{self.column}: " if self.column else ""
        return where + column + self.message + (f" ({self.hint})" if self.hint else "")


class ValidationError(TrackerError):
    """The file breaks the events contract; ``problems`` lists every breach found."""

    def __init__(self, path: str | os.PathLike, problems: list[Problem], total: int | None = None):
        self.path = str(path)
        self.problems = problems
        self.total = total if total is not None else len(problems)
        first = problems[0].format(path) if problems else f"{path}: invalid"
        more = f" (+{self.total - 1} more problems)" if self.total > 1 else ""
        super().__init__(first + more)

    def lines(self) -> list[str]:
        """Every problem as one line, then a count of any that were left out."""
        out = [p.format(self.path) for p in self.problems]
        if self.total > len(self.problems):
            out.append(f"{self.path}: … and {self.total - len(self.problems)} more problems")
        return out


class InvalidRowError(ValidationError):
    """A new row (not yet in any file) breaks the contract; problems name its options."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        super().__init__("", problems, total)
