"""Deterministic synthetic events of any number, valid under the events contract: the test data
of the tests and the benchmark (never of events.csv).

``events(n)`` is seeded numpy, so the same rows on every machine. The mix imitates real trackers: about 85% day, 10% month
and 5% year precision, about 10% spans, every category and status, actors, resolutions, one or
two sources, and coordinates on about a third of the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.contract import schema

VERSION = 1  # bump when the output changes, so files made from it are made again
SEED = 20240102
FIRST_DAY = np.datetime64("1995-01-01", "D").astype(np.int64)
LAST_DAY = np.datetime64("2025-12-31", "D").astype(np.int64)

CATEGORY_WEIGHTS = (0.16, 0.14, 0.14, 0.12, 0.08, 0.1, 0.06, 0.12, 0.08)
STATUS_WEIGHTS = (0.55, 0.25, 0.14, 0.06)
ACTORS = ("RUS", "PRK", "CHN", "USA", "UNSC", "EU", "IRN", "KOR", "JPN", "UKR", "Wagner", "G7")
PLACES = (
    ("Vladivostok", 43.115, 131.885),
    ("Rajin port", 42.25, 130.3),
    ("Pyongyang", 39.019, 125.738),
    ("Moscow", 55.756, 37.617),
    ("Khasan", 42.424, 130.64),
    ("Nakhodka", 42.824, 132.873),
    ("UN Headquarters, New York", 40.749, -73.968),
    ("Kharkiv", 49.993, 36.231),
    ("Vostochny Cosmodrome", 51.884, 128.333),
    ("Sea of Japan", 40.0, 135.0),
)
VERBS = ("ships", "signs", "announces", "denies", "inspects", "sanctions", "transfers", "reports")
OBJECTS = (
    "artillery shells to the front",
    "a port-access agreement",
    "new designations",
    "a rail freight route",
    "oil above the cap",
    "labourers for construction sites",
    "a missile test near the border",
    "a joint naval drill",
    "a banking workaround",
    "a panel of experts finding",
)
SENTENCES = (
    "Officials confirmed the shipment, citing satellite imagery.",
    "The report, based on customs records, was not independently verified.",
    "Both governments denied the claim; analysts disputed the denial.",
    "The measure follows earlier designations, and widens their scope.",
    "",
)
DOMAINS = (
    "https://www.reuters.com/world/",
    "https://www.nknews.org/",
    "https://press.un.org/en/",
    "https://38north.org/",
    "https://www.gov.uk/government/news/",
)
SOURCE_NAMES = ("Reuters", "NK News", "UN Press", "38 North", "GOV.UK")
RESOLUTIONS = ("1718", "1874", "2087", "2094", "2270", "2321", "2371", "2375", "2397")


def events(n: int, seed: int = SEED, optional_columns: bool = True) -> pd.DataFrame:
    """``n`` valid events as a frame of strings in contract column order, sorted by date then id;
    without ``optional_columns``, only the columns every file has (as files made before them)."""
    rng = np.random.default_rng(seed)
    day = rng.integers(FIRST_DAY, LAST_DAY + 1, n).astype("datetime64[D]")
    precision = rng.choice(3, n, p=(0.85, 0.10, 0.05))
    date = _iso(day, precision)
    span = rng.random(n) < 0.10
    end_day = day + rng.integers(1, 400, n).astype("timedelta64[D]")
    end_date = np.where(span, _iso(end_day, precision), "")
    category = np.asarray(schema.CATEGORIES)[rng.choice(9, n, p=CATEGORY_WEIGHTS)]
    frame = pd.DataFrame(
        {
            "date": date,
            "end_date": end_date,
            "title": _title(rng, n),
            "description": _pick(rng, SENTENCES, n) + " " + _pick(rng, SENTENCES, n),
            "category": category,
            "status": np.asarray(schema.STATUSES)[rng.choice(4, n, p=STATUS_WEIGHTS)],
            "actors": _joined(rng, ACTORS, n, empty=0.05, most=4),
            "un_resolutions": _joined(rng, RESOLUTIONS, n, empty=0.7, most=3),
        },
        dtype=str,
    )
    frame["description"] = frame["description"].str.strip()
    frame["id"] = _ids(frame, n)
    frame["_sort"] = frame["date"].str.pad(10, side="right", fillchar="0")  # the padded date
    _add_places(frame, rng, n)
    _add_sources(frame, rng, n)
    frame = frame.sort_values(["_sort", "id"], kind="stable").drop(columns="_sort").reset_index(drop=True)
    if not optional_columns:
        return frame[list(schema.HEADER_COLUMNS)]
    _add_optional_columns(frame, np.random.default_rng(seed + 1))  # (its own draws: the rest stays the same)
    return frame[list(schema.COLUMNS)]


def _add_optional_columns(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Short titles on about a fifth of the rows; archived copies of about a quarter's sources."""
    n = len(frame)
    short = rng.random(n) < 0.2
    frame["short_title"] = np.where(short, frame["title"].str.slice(0, 40).str.strip(), "")
    archived = rng.random(n) < 0.25
    copies = (
        frame["source_url"]
        .str.split(" | ", regex=False)
        .map(
            lambda urls: " | ".join(
                "https://web.archive.org/web/2024/" + u if i == 0 else "-" for i, u in enumerate(urls)
            )
        )
    )
    frame["archive_urls"] = np.where(archived, copies, "")


def _iso(day: np.ndarray, precision: np.ndarray) -> np.ndarray:
    out = np.datetime_as_string(day, unit="D").astype("<U10")
    out[precision == 1] = np.datetime_as_string(day.astype("datetime64[M]"), unit="M")[precision == 1]
    out[precision == 2] = np.datetime_as_string(day.astype("datetime64[Y]"), unit="Y")[precision == 2]
    return out


def _pick(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> pd.Series:
    return pd.Series(np.asarray(pool)[rng.integers(0, len(pool), n)], dtype=str)


def _title(rng: np.random.Generator, n: int) -> pd.Series:
    number = pd.Series(rng.integers(1, 100_000, n)).astype(str)
    return _pick(rng, ACTORS, n) + " " + _pick(rng, VERBS, n) + " " + _pick(rng, OBJECTS, n) + " (case " + number + ")"


def _joined(rng: np.random.Generator, pool, n: int, empty: float, most: int) -> np.ndarray:
    """Random ``;``-joined subsets of ``pool``, drawn from 256 precomputed combinations."""
    combos = [";".join(rng.choice(pool, rng.integers(1, most + 1), replace=False)) for _ in range(256)]
    out = np.asarray(combos)[rng.integers(0, 256, n)]
    return np.where(rng.random(n) < empty, "", out)


def _ids(frame: pd.DataFrame, n: int) -> pd.Series:
    slug = frame["category"].str.replace("_", "-")
    return frame["date"] + "-" + slug + "-" + pd.Series(np.arange(n)).astype(str)


def _add_places(frame: pd.DataFrame, rng: np.random.Generator, n: int) -> None:
    place = rng.integers(0, len(PLACES), n)
    located = rng.random(n) < 0.6
    coords = located & (rng.random(n) < 0.55)
    names = np.asarray([p[0] for p in PLACES])[place]
    jitter = rng.normal(0, 0.05, (2, n))
    lat = np.round(np.asarray([p[1] for p in PLACES])[place] + jitter[0], 3).clip(-90, 90)
    lon = np.round(np.asarray([p[2] for p in PLACES])[place] + jitter[1], 3).clip(-180, 180)
    frame["location"] = np.where(located, names, "")
    frame["lat"] = np.where(coords, pd.Series(lat).map("{:.3f}".format), "")
    frame["lon"] = np.where(coords, pd.Series(lon).map("{:.3f}".format), "")


def _add_sources(frame: pd.DataFrame, rng: np.random.Generator, n: int) -> None:
    first, second = rng.integers(0, len(DOMAINS), (2, n))
    two = rng.random(n) < 0.35
    named = rng.random(n) < 0.9
    number = pd.Series(np.arange(n)).astype(str)
    url1 = pd.Series(np.asarray(DOMAINS)[first]) + "story-" + number
    url2 = pd.Series(np.asarray(DOMAINS)[second]) + "item/" + number
    frame["source_url"] = url1.where(~two, url1 + " | " + url2)
    name1 = pd.Series(np.asarray(SOURCE_NAMES)[first])
    names = name1.where(~two, name1 + " | " + pd.Series(np.asarray(SOURCE_NAMES)[second]))
    frame["source_name"] = names.where(named, "")
