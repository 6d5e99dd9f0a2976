"""The events contract: the schema (``events.schema.json``), dates at their precision, every
rule in one registry (``rules.py``), and two ways to check a file against them: the exact path
that words every problem with its line and column, and the fast path for large valid files.

Nothing here reads or writes files: callers hand in the bytes.
"""

from .csvtext import read_raw
from .dates import DateParseError, parse_date, precision_of
from .exact import exact_raw, problems_in
from .problems import InvalidRowError, Problem, ValidationError
from .validate import check, events_and_latest, valid_raw

__all__ = [
    "DateParseError",
    "InvalidRowError",
    "Problem",
    "ValidationError",
    "check",
    "events_and_latest",
    "exact_raw",
    "parse_date",
    "precision_of",
    "problems_in",
    "read_raw",
    "valid_raw",
]
