"""Property: any row ``tracker add`` accepts loads back identically; a refused row changes nothing."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.contract import schema
from tracker.storage import load_events

HEADER = ",".join(schema.HEADER_COLUMNS)
BASE = (
    HEADER + "\n" + '2006-10-14-res-1718,2006-10-14,,Resolution 1718,"Line one,\nline ""two""",legal_un,confirmed,'
    "UNSC;PRK,New York,40.749,-73.968,1718,UN,https://press.un.org/a\n"
    + "2022-11-rockets,2022-11,,Rockets for Wagner,,arms_transfer,denied,USA;PRK,,,,1718,,https://a.org/c\n"
)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# One-line text: no control characters (unicode, commas and quotes welcome).
LINE_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
# Description text: also line breaks and tabs.
TEXT_PIECES = st.one_of(st.text(LINE_CHARS, max_size=12), st.sampled_from(["\n", "\r\n", "\t", ",", '"', '""', "\n\n"]))


@st.composite
def dates(draw) -> tuple[str, str, date]:
    """(free-form text, expected ISO, first day) at a random precision and in a random style."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    precision = draw(st.sampled_from(["day", "month", "year"]))
    if precision == "year":
        return str(day.year), f"{day.year:04d}", date(day.year, 1, 1)
    iso = day.isoformat() if precision == "day" else day.isoformat()[:7]
    names = draw(st.sampled_from([MONTHS, BULAN, [m[:3] for m in MONTHS], None]))
    if names is None:
        return iso, iso, day if precision == "day" else day.replace(day=1)
    month = names[day.month - 1]
    if precision == "month":
        return f"{month} {day.year}", iso, day.replace(day=1)
    return (
        draw(st.sampled_from([f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}"])),
        iso,
        day,
    )


def one_line(min_size=0, max_size=60):
    return st.text(LINE_CHARS, min_size=min_size, max_size=max_size).filter(lambda s: min_size == 0 or s.strip())


def joined(strategy, sep: str, max_size=3):
    return st.lists(strategy, min_size=1, max_size=max_size).map(sep.join)


ACTOR = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.&'-]{0,8}( [A-Za-z0-9.&'-]{1,6})?", fullmatch=True)
URL = st.from_regex(
    r"https?://[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,30})?",
    fullmatch=True,
)
NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|"),
    min_size=1,
    max_size=20,
).filter(str.strip)


@st.composite
def rows(draw) -> tuple[list[str], dict[str, str]]:
    """(``tracker add`` arguments, the contract columns expected back) for a valid event."""
    text, iso, first = draw(dates())
    expected = {c: "" for c in schema.COLUMNS}
    expected.update(
        date=iso,
        title=draw(one_line(1, 300)).strip(),
        category=draw(st.sampled_from(schema.CATEGORIES)),
        status=draw(st.sampled_from(schema.STATUSES)),
    )
    args = [
        "--date",
        text,
        "--title=" + expected["title"],
        "--category",
        expected["category"],
        "--status",
        expected["status"],
    ]
    if draw(st.booleans()):
        end_text, end_iso, end_first = draw(dates())
        if end_first >= first + timedelta(days=366):
            args.append("--end-date=" + end_text)
            expected["end_date"] = end_iso
    optional = {
        "description": st.lists(TEXT_PIECES, max_size=16).map("".join).map(str.strip),
        "location": one_line().map(str.strip),
        "actors": st.lists(ACTOR, min_size=1, max_size=4).map(";".join),
        "un_resolutions": st.lists(st.integers(1, 9999).map(str), min_size=1, max_size=4).map(";".join),
    }
    for column, strategy in optional.items():
        if draw(st.booleans()):
            expected[column] = draw(strategy)
            args.append(f"--{column.replace('_', '-')}={expected[column]}")
    if draw(st.booleans()):
        lat, lon = draw(st.floats(-90, 90)), draw(st.floats(-180, 180))
        args += [f"--lat={lat!r}", f"--lon={lon!r}"]
        expected.update(lat=lat, lon=lon)
    urls = draw(st.lists(URL, min_size=1, max_size=3))
    args += [f"--source-url={u}" for u in urls]
    expected["source_url"] = " | ".join(urls)
    if draw(st.booleans()):
        names = draw(st.lists(NAME, min_size=len(urls), max_size=len(urls)))
        args += [f"--source-name={n}" for n in names]
        expected["source_name"] = " | ".join(n.strip() for n in names)
    if draw(st.booleans()):
        expected["id"] = draw(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True))
        args.append("--id=" + expected["id"])
    return args, expected


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory):
    """Keep the parsed-frame cache of the many throwaway files in a temporary folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_CACHE_DIR", str(tmp_path_factory.mktemp("tracker-cache")))
        yield


def _add(args: list[str]) -> tuple[object, bytes, bytes, Path, tempfile.TemporaryDirectory]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "events.csv"
    path.write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(main, ["add", "--csv", str(path), *args], catch_exceptions=False)
    return result, BASE.encode(), path.read_bytes(), path, folder


@SETTINGS
@given(rows())
def test_an_accepted_row_loads_back_identically(row):
    args, expected = row
    result, before, after, path, folder = _add(args)
    with folder:
        assert result.exit_code == 0, result.output
        new_id = result.output.strip()
        if expected["id"]:
            assert new_id == expected["id"]
        frame = load_events(path)
        assert len(frame) == 3
        got = frame[frame["id"] == new_id].iloc[0]
        for column in schema.COLUMNS:
            if column in ("lat", "lon"):
                assert got[column] == expected[column] if expected[column] != "" else pd.isna(got[column])
            elif column != "id":
                assert str(got[column]) == expected[column], column
        keys = list(zip(frame["start"], frame["id"], strict=True))
        assert keys == sorted(keys)
        assert _is_one_insertion(before, after)


def _is_one_insertion(before: bytes, after: bytes) -> bool:
    """``after`` is ``before`` with bytes inserted at one place (the old bytes untouched)."""
    prefix = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before))
    tail = len(before) - prefix
    return len(after) > len(before) and after[len(after) - tail :] == before[prefix:]


ANY_TEXT = st.text(max_size=40)


@SETTINGS
@given(
    date_text=st.one_of(ANY_TEXT, dates().map(lambda d: d[0])),
    title=ANY_TEXT,
    description=ANY_TEXT,
    actors=ANY_TEXT,
    lat=ANY_TEXT,
    lon=ANY_TEXT,
    resolutions=ANY_TEXT,
    url=st.one_of(ANY_TEXT, URL),
    name=ANY_TEXT,
    event_id=ANY_TEXT,
)
def test_any_input_is_either_added_cleanly_or_changes_nothing(
    date_text, title, description, actors, lat, lon, resolutions, url, name, event_id
):
    args = [
        f"--date={date_text}",
        f"--title={title}",
        "--category=military",
        "--status=alleged",
        f"--description={description}",
        f"--actors={actors}",
        f"--lat={lat}",
        f"--lon={lon}",
        f"--un-resolutions={resolutions}",
        f"--source-url={url}",
        f"--source-name={name}",
        f"--id={event_id}",
    ]
    result, before, after, path, folder = _add(args)
    with folder:
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            frame = load_events(path)
            assert len(frame) == 3
            got = frame[frame["id"] == result.output.strip()].iloc[0]
            assert got["title"] == title.strip()
            assert got["description"] == description.strip()
        else:
            assert "Error: " in result.output
            assert after == before
            assert sorted(p.name for p in path.parent.iterdir()) in (
                ["events.csv"],
                ["events.csv", "events.csv.lock"],
            )
