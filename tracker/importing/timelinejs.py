"""TimelineJS's Google Sheets template (Year, Month, Day, Time, End Year, ..., Headline, Text,
Media, Media Credit, ..., Type, Group, Background) in the contract's columns.

The date keeps the precision the sheet gives: a Year alone is a year, Year and Month a month.
Headline and Text may hold HTML (TimelineJS shows it): it is read as plain text. Media, when it
is a link, is the source and Media Credit its name. Group is the category when it names one.
Title and era rows are not events: they are reported and left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from ..contract import schema
from .mapping import Finding, Mapped, empty_rows, labelled
from .readers import Table

COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)
READ = ("Year", "Month", "Day", "End Year", "End Month", "End Day", "Headline", "Text", "Media", "Media Credit")
READ += ("Type", "Group")
NOT_EVENTS = {"title": "a title slide, not an event", "era": "an era, not an event"}
WHOLE_NUMBER = r"-?\d+"
LINK = r"https?://\S+"


def is_timelinejs(table: Table) -> bool:
    """Whether the header is TimelineJS's template (its Year and Headline columns)."""
    return {"Year", "Headline"} <= set(table.frame.columns)


def map_timelinejs(table: Table) -> Mapped:
    frame = _with_template_columns(table.frame)
    mapped = Mapped(empty_rows(table), {}, format="a TimelineJS sheet")
    kind = frame["Type"].str.lower()
    for name, why in NOT_EVENTS.items():
        mapped.skipped += [(int(line), why) for line in table.lines[(kind == name).to_numpy()]]
    for ours, parts in (("date", ("Year", "Month", "Day")), ("end_date", ("End Year", "End Month", "End Day"))):
        mapped.rows[ours] = _iso_dates(mapped, frame, ours, parts)
    mapped.rows["title"] = plain_text(frame["Headline"], one_line=True)
    mapped.rows["description"] = plain_text(frame["Text"])
    link = frame["Media"].str.fullmatch(LINK).fillna(False).astype(bool)
    mapped.rows["source_url"] = frame["Media"].where(link, "")
    mapped.rows["source_name"] = plain_text(frame["Media Credit"], one_line=True).where(link, "")
    mapped.rows["category"] = _categories(mapped, frame["Group"])
    mapped.labels.update(
        title=labelled("Headline", "title"),
        description=labelled("Text", "description"),
        source_url=labelled("Media", "source_url"),
        source_name=labelled("Media Credit", "source_name"),
        category=labelled("Group", "category"),
    )
    mapped.ignored = [c for c in table.frame.columns if c not in READ]
    events = ~kind.isin(list(NOT_EVENTS)).to_numpy()
    mapped.rows = mapped.rows[events]
    mapped.findings = [_only(f, events) for f in mapped.findings]
    return mapped


def _with_template_columns(frame: pd.DataFrame) -> pd.DataFrame:
    missing = {c: pd.Series("", index=frame.index, dtype=str) for c in COLUMNS if c not in frame}
    return frame.assign(**missing) if missing else frame


def _only(finding: Finding, events: np.ndarray) -> Finding:
    message = finding.message if isinstance(finding.message, str) else finding.message[events]
    return Finding(finding.mask[events], finding.column, finding.label, message, finding.hint, finding.unless_default)


def _iso_dates(mapped: Mapped, frame: pd.DataFrame, ours: str, parts: tuple[str, str, str]) -> pd.Series:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from the year, month and day cells (the rules then
    check the calendar); a finding for a cell that is not a whole number, or a day without a
    month, or a month without a year."""
    year, month, day = (frame[p].str.replace(r"[\s,]", "", regex=True) for p in parts)
    label = labelled("/".join(parts), ours)
    mapped.labels[ours] = label
    for name, cells in zip(parts, (year, month, day), strict=True):
        bad = ((cells != "") & ~cells.str.fullmatch(WHOLE_NUMBER).fillna(False)).to_numpy()
        if bad.any():
            text = "'" + frame[name] + "' is not a whole number"
            mapped.findings.append(Finding(bad, ours, name, text, "give the year, month and day as numbers"))
    gap = ((day != "") & (month == "")) | ((month != "") & (year == ""))
    if gap.to_numpy().any():
        hint = f"give {parts[1]} with {parts[2]}, and {parts[0]} with {parts[1]}"
        mapped.findings.append(Finding(gap.to_numpy(), ours, label, "a day or month without the larger part", hint))
    iso = year.where(month == "", year + "-" + month.str.zfill(2))
    return iso.where(day == "", iso + "-" + day.str.zfill(2)).where(year != "", "")


def _categories(mapped: Mapped, group: pd.Series) -> pd.Series:
    """Group as a category where it names one (its code or its label, case aside); a finding
    for a Group that names none, unless --category gives those rows one."""
    names = {}
    for value, category in schema.categories().items():
        names[_key(value)] = value
        names[_key(category.label)] = value
    category = group.map(_key).map(names).fillna("").astype(str) if len(group) else group
    unknown = ((group != "") & (category == "")).to_numpy()
    if unknown.any():
        text = "'" + group + "' is not a category"
        hint = "use one of: " + ", ".join(schema.CATEGORIES) + "; or give --category for these rows"
        mapped.findings.append(Finding(unknown, "category", "Group", text, hint, unless_default=True))
    return category


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", str(text).strip().casefold())


class _Text(HTMLParser):
    """The text of an HTML fragment; block elements end a line."""

    BLOCKS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")


def html_to_text(html: str, one_line: bool = False) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(line for line in lines if line)
    return " ".join(text.split()) if one_line else text


def plain_text(values: pd.Series, one_line: bool = False) -> pd.Series:
    """``values`` with HTML read as text (only those holding ``<`` or ``&``, once per value)."""
    marked = values.str.contains(r"[<&]", regex=True).fillna(False).astype(bool)
    if not marked.any():
        return values
    codes, distinct = pd.factorize(values[marked])
    text = np.asarray([html_to_text(v, one_line) for v in distinct], dtype=object)[codes]
    out = values.copy()
    out[marked] = text
    return out
