"""Dates at their true precision: free-form text -> ISO (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``)."""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

from ..errors import TrackerError

ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
FOUR_DIGIT_YEAR = re.compile(r"\d{4}")
PRECISIONS = ("day", "month", "year")
# The form is the precision: YYYY-MM-DD, YYYY-MM, YYYY (the only place that says so).
_LENGTHS = (10, 7, 4)
_PRECISION_BY_LENGTH = dict(zip(_LENGTHS, PRECISIONS, strict=True))
_UNIT_BY_PRECISION = {"day": "D", "month": "M", "year": "Y"}
EXAMPLES = '"2 January 2024", "2 Januari 2024", "2024-01-02", "Nov 2022", "2022-11", "2023"'

# Indonesian (and Malay) month names and abbreviations, as in the seed article.
_LOCAL_MONTHS = {
    "januari": "January",
    "februari": "February",
    "pebruari": "February",
    "maret": "March",
    "mei": "May",
    "juni": "June",
    "juli": "July",
    "agustus": "August",
    "agu": "Aug",
    "agt": "Aug",
    "oktober": "October",
    "okt": "Oct",
    "nopember": "November",
    "desember": "December",
    "des": "Dec",
}
_LOCAL_MONTH_RE = re.compile(r"\b(" + "|".join(_LOCAL_MONTHS) + r")\b", re.IGNORECASE)
# Two defaults that differ in every field: a field equal under both was in the text.
_DEFAULT_A = datetime(1904, 1, 1)
_DEFAULT_B = datetime(1908, 3, 2)


class DateParseError(TrackerError):
    """Free-form date text that cannot be read unambiguously."""


def precision_of(iso: str) -> str:
    """``day``, ``month`` or ``year`` for an ISO date string of that form."""
    return _PRECISION_BY_LENGTH[len(iso)]


def precision_codes(iso: pd.Series) -> np.ndarray:
    """Each ISO date's precision as its index in PRECISIONS (-1 for anything else)."""
    lengths = iso.str.len().to_numpy()
    return np.select([lengths == n for n in _LENGTHS], range(len(_LENGTHS)), -1).astype(np.int8)


_PADDING = {"day": "", "month": "-01", "year": "-01-01"}


def padded_date(iso: str) -> str:
    """An ISO date at any precision as its first day, ``YYYY-MM-DD``: such strings compare as the
    days do."""
    return iso + _PADDING[precision_of(iso)]


def padded_dates(iso: pd.Series) -> pd.Series:
    """ISO dates at any precision padded to their first day: 2022 -> 2022-01-01."""
    length = iso.str.len()
    return iso.where(length != 7, iso + "-01").where(length != 4, iso + "-01-01")


def first_day(iso: str) -> np.datetime64:
    """The first day of an ISO date at any precision."""
    return np.datetime64(iso, _UNIT_BY_PRECISION[precision_of(iso)]).astype("datetime64[D]")


def day_after(iso: str) -> np.datetime64:
    """The day after the last day of an ISO date at any precision (an exclusive end)."""
    return (np.datetime64(iso, _UNIT_BY_PRECISION[precision_of(iso)]) + 1).astype("datetime64[D]")


def exclusive_ends(iso: pd.Series) -> np.ndarray:
    """The day after each ISO date's last day (datetime64[D]); valid ISO dates only."""
    start = pd.to_datetime(padded_dates(iso), format="%Y-%m-%d").to_numpy()
    ends = [(start.astype(f"datetime64[{_UNIT_BY_PRECISION[p]}]") + 1).astype("datetime64[D]") for p in PRECISIONS]
    return np.choose(precision_codes(iso), ends)


def check_iso(iso: str) -> str | None:
    """Why ``iso`` is not a real ISO date at some precision, or None when it is."""
    m = ISO_DATE.fullmatch(iso)
    if not m:
        return f"{iso!r} is not an ISO date"
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as exc:
        return f"{iso!r} is not a real date ({exc})"
    return None


def parse_date(text: str) -> str:
    """Read free-form ``text`` as an ISO date that keeps the precision the text gives.

    "2 Januari 2024" -> "2024-01-02"; "Nov 2022" -> "2022-11"; "2023" -> "2023".
    Raises DateParseError for empty, unparseable or day/month-ambiguous text.
    """
    cleaned = " ".join(str(text).split())
    if not cleaned:
        raise DateParseError("date is empty", hint=f"try {EXAMPLES}")
    if ISO_DATE.fullmatch(cleaned):
        problem = check_iso(cleaned)
        if problem:
            raise DateParseError(problem, hint=f"try {EXAMPLES}")
        return cleaned
    english = _LOCAL_MONTH_RE.sub(lambda m: _LOCAL_MONTHS[m.group(1).lower()], cleaned)
    if re.match(r"\d{4}\D", english):  # year first (2024/01/02) is always year-month-day
        readings = {r for r in [_read(english, dayfirst=False)] if r}
    else:
        readings = {r for r in (_read(english, dayfirst=True), _read(english, dayfirst=False)) if r}
    if not readings:
        raise DateParseError(f"cannot read {cleaned!r} as a date", hint=f"try {EXAMPLES}")
    if not FOUR_DIGIT_YEAR.search(cleaned):
        raise DateParseError(f"{cleaned!r} has no four-digit year", hint=f"try {EXAMPLES}")
    if len(readings) > 1:
        a, b = sorted(readings)
        raise DateParseError(
            f"{cleaned!r} is ambiguous: it could be {a} or {b}",
            hint=f"write the month as a word or use YYYY-MM-DD: {EXAMPLES}",
        )
    return readings.pop()


def _read(text: str, *, dayfirst: bool) -> str | None:
    try:
        a = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
        b = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year:
        return None  # no year in the text
    if a.day == b.day and a.month == b.month:
        return f"{a.year:04d}-{a.month:02d}-{a.day:02d}"
    if a.month == b.month and a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}"
    if a.month != b.month and a.day != b.day:
        return f"{a.year:04d}"
    return None  # a day without a month
