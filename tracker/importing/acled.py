"""ACLED's export (event_id_cnty, event_date, time_precision, event_type, sub_event_type,
actor1, actor2, country, location, latitude, longitude, source, notes) in the contract's columns.

- The date is read as ACLED writes it (``dd-mm-yyyy``, or ISO, or as ``tracker add`` reads
  free-form text); ``time_precision`` 1 keeps the day, 2 (a week or part of a month: ACLED codes
  its middle day) and 3 (only the month) keep the month of that day.
- ``event_type`` gives the category where one fits (battles, explosions and violence against
  civilians are military); any other needs ``--category``.
- The title says what, who and where; actors are actor1 and actor2, without ACLED's period
  suffix such as ``(2000-)``; the location is ``location, country``.
- ``source`` names the sources, but ACLED gives no URL: ``--source-url`` gives every row one.
- The id is ``acled-`` and event_id_cnty (ACLED keeps it across updates), so importing a newer
  export again finds the events already there as duplicates.
"""

from __future__ import annotations

import pandas as pd

from ..contract import schema
from .mapping import Finding, Mapped, Stage, empty_rows, free_form_dates, labelled, silent
from .readers import Table

CATEGORY_OF_TYPE = {
    "battles": "military",
    "explosions/remote violence": "military",
    "violence against civilians": "military",
}
PRECISIONS = {"1": 10, "2": 7, "3": 7}  # time_precision -> length of the ISO date kept
READ = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "location",
    "latitude",
    "longitude",
    "source",
    "notes",
)
DAY_MONTH_YEAR = r"(\d{2})[-/](\d{2})[-/](\d{4})"


def is_acled(table: Table) -> bool:
    return {"event_date", "event_type"} <= set(table.frame.columns)


def map_acled(table: Table, stage: Stage = silent) -> Mapped:
    frame = table.frame.assign(**{c: "" for c in READ if c not in table.frame})
    mapped = Mapped(empty_rows(table), {}, format="an ACLED export")
    rows = mapped.rows
    rows["date"] = frame["event_date"].str.replace(DAY_MONTH_YEAR, r"\3-\2-\1", regex=True)
    mapped.labels["date"] = labelled("event_date", "date")
    free_form_dates(mapped, "date", stage)
    _precision(mapped, frame["time_precision"])
    rows["category"] = frame["event_type"].str.lower().map(CATEGORY_OF_TYPE).fillna("").astype(str)
    mapped.labels["category"] = labelled("event_type", "category")
    unknown = ((frame["event_type"] != "") & (rows["category"] == "")).to_numpy()
    if unknown.any():
        text = "'" + frame["event_type"] + "' is not a category of the tracker"
        hint = "give --category for these rows (" + ", ".join(schema.CATEGORIES) + ")"
        mapped.findings.append(Finding(unknown, "category", "event_type", text, hint, unless_default=True))
    actors = [_actor(frame[c]) for c in ("actor1", "actor2")]
    rows["actors"] = (actors[0] + ";" + actors[1]).str.strip(";")
    rows["title"] = _title(frame)
    rows["location"] = (frame["location"] + ", " + frame["country"]).str.strip(", ")
    rows["lat"], rows["lon"] = frame["latitude"], frame["longitude"]
    rows["source_name"], rows["description"] = frame["source"], frame["notes"]
    given = frame["event_id_cnty"] != ""
    rows["id"] = ("acled-" + frame["event_id_cnty"].str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True)).where(
        given, ""
    )
    mapped.labels.update(
        actors=labelled("actor1/actor2", "actors"),
        title=labelled("event_type/actor1/actor2/location", "title"),
        location=labelled("location/country", "location"),
        lat=labelled("latitude", "lat"),
        lon=labelled("longitude", "lon"),
        source_name=labelled("source", "source_name"),
        description=labelled("notes", "description"),
        id=labelled("event_id_cnty", "id"),
    )
    mapped.ignored = [c for c in table.frame.columns if c not in READ]
    return mapped


def _precision(mapped: Mapped, precision: pd.Series) -> None:
    dates = mapped.rows["date"]
    bad = ((precision != "") & ~precision.isin(list(PRECISIONS))).to_numpy()
    if bad.any():
        text = "'" + precision + "' is not 1, 2 or 3"
        mapped.findings.append(Finding(bad, "date", "time_precision", text, "ACLED codes 1 (day), 2 (week), 3 (month)"))
    month = precision.isin(["2", "3"]) & (dates.str.len() == 10)
    mapped.rows["date"] = dates.where(~month, dates.str.slice(0, 7))


def _actor(names: pd.Series) -> pd.Series:
    """An ACLED actor as the contract's actors allow: its period suffix dropped, other
    characters outside letters, digits and ``.&'-`` read as spaces."""
    out = names.str.replace(r"\s*\(\d{4}-(\d{4})?\)", "", regex=True)
    out = out.str.replace(r"[^A-Za-z0-9 .&'-]+", " ", regex=True)
    return out.str.replace(r"\s+", " ", regex=True).str.strip()


def _title(frame: pd.DataFrame) -> pd.Series:
    """``Air/drone strike: Military Forces of Russia and Civilians in Kharkiv, Ukraine``."""
    what = frame["sub_event_type"].where(frame["sub_event_type"] != "", frame["event_type"])
    who = frame["actor1"].where(frame["actor2"] == "", frame["actor1"] + " and " + frame["actor2"])
    who = who.str.replace(r"\s*\(\d{4}-(\d{4})?\)", "", regex=True)
    where = (frame["location"] + ", " + frame["country"]).str.strip(", ")
    title = (what + ": " + who).where(who != "", what) + (" in " + where).where(where != "", "")
    limit = schema.field("title").max_length
    return title.where(title.str.len() <= limit, title.str.slice(0, limit - 1) + "…")
