"""The shipped events.csv against the Table Schema (with frictionless) and the dataset's facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from frictionless import Resource, Schema, validate

from tracker.cli import main
from tracker.contract import schema
from tracker.storage import load_events

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "tracker" / "contract" / "events.schema.json"
INVALID = Path(__file__).parent / "data" / "invalid"
# Rules tracker checks beyond what a Table Schema can say (or, for bytes, that frictionless
# silently decodes with another encoding).
BEYOND_TABLE_SCHEMA = {
    "bad_date.csv",
    "end_before_start.csv",
    "lat_without_lon.csv",
    "source_name_count.csv",
    "not_utf8.csv",
    "missing_columns.csv",  # (fieldsMatch superset: a Table Schema cannot require a column, only its values)
}


def frictionless_report(folder: Path, name: str):
    table_schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return validate(Resource(path=name, basepath=str(folder), schema=table_schema))


@pytest.fixture(scope="module")
def events():
    return load_events(ROOT / "events.csv")


def by_id(events, event_id: str):
    hits = events[events["id"] == event_id]
    assert len(hits) == 1, f"no event {event_id}"
    return hits.iloc[0]


def test_shipped_csv_is_valid_for_frictionless():
    report = frictionless_report(ROOT, "events.csv")
    assert report.flatten(["rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid


def test_shipped_csv_is_valid_for_tracker(events):
    result = CliRunner().invoke(main, ["validate", str(ROOT / "events.csv")], catch_exceptions=False)
    assert result.exit_code == 0
    latest = events["date"].iloc[int(events["start"].to_numpy().argmax())]
    assert result.output == f"{ROOT / 'events.csv'}: {len(events)} events, valid (latest {latest})\n"


def test_schema_columns_are_the_contract():
    assert schema.COLUMNS == (
        "id",
        "date",
        "end_date",
        "title",
        "short_title",
        "description",
        "category",
        "status",
        "actors",
        "location",
        "lat",
        "lon",
        "un_resolutions",
        "source_name",
        "source_url",
        "archive_urls",
    )
    assert set(schema.COLUMNS) - set(schema.HEADER_COLUMNS) == {"short_title", "archive_urls"}  # (may be absent)
    assert schema.STATUSES == ("confirmed", "reported", "alleged", "denied")
    assert set(schema.CATEGORIES) >= {
        "military",
        "arms_transfer",
        "diplomatic",
        "economic",
        "energy",
        "transport",
        "labor",
        "sanctions",
        "legal_un",
    }


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.glob("*.csv")))
def test_frictionless_agrees_on_the_invalid_files(name):
    """Each bad file breaks the Table Schema too, unless its rule is one only tracker checks."""
    assert frictionless_report(INVALID, name).valid == (name in BEYOND_TABLE_SCHEMA)


def test_dataset_size_and_sources(events):
    assert len(events) >= 40
    for urls, names in zip(events["source_urls"], events["source_names"], strict=True):
        assert urls and all(u.startswith(("http://", "https://")) for u in urls)
        assert names == [] or len(names) == len(urls)
    assert events["id"].is_unique


def test_rows_are_sorted_by_date_then_id(events):
    keys = list(zip(events["start"], events["id"], strict=True))
    assert keys == sorted(keys)


def test_imprecise_dates_stay_imprecise(events):
    # (the one year-only row, the Khasan-Rajin link, gained its day from the reopening ceremony)
    assert set(events["precision"].astype(str)) == {"day", "month"}
    assert by_id(events, "2013-khasan-rajin-rail-freight")["date"] == "2013-09-22"


def test_the_invasion_is_an_event_of_its_own(events):
    invasion = by_id(events, "2022-02-24-russia-invades-ukraine")
    assert (invasion["date"], invasion["category"], invasion["status"]) == (
        "2022-02-24",
        "military",
        "confirmed",
    )


def test_kharkiv_strike_and_hwasong_11_finding(events):
    strike = by_id(events, "2023-12-30-dprk-missiles-fired-at-ukraine")
    assert (strike["date"], strike["end_date"], strike["status"]) == (
        "2023-12-30",
        "2024-01-02",
        "denied",
    )
    assert "Kharkiv" in strike["location"]
    finding = by_id(events, "2024-04-25-un-panel-kharkiv-hwasong-11")
    assert "Hwasong-11" in finding["title"] and "Kharkiv" in finding["title"]
    assert "Kharkiv on 2 Jan 2024" in finding["description"]
    assert finding["status"] == "reported"


@pytest.mark.parametrize(
    "event_id",
    [
        "2022-09-05-us-intel-russia-buys-dprk-shells",
        "2022-11-02-white-house-artillery-shipments",
        "2022-11-dprk-rockets-missiles-wagner",
        "2023-09-07-najin-dunai-munitions-containers",
        "2023-12-30-dprk-missiles-fired-at-ukraine",
    ],
)
def test_denied_arms_transfer_accusations_are_denied(events, event_id):
    event = by_id(events, event_id)
    assert (event["category"], event["status"]) == ("arms_transfer", "denied")


def test_no_arms_transfer_accusation_is_confirmed(events):
    arms = events[events["category"] == "arms_transfer"]
    assert len(arms) >= 6
    assert "confirmed" not in set(arms["status"].astype(str))


def test_the_deployment_acknowledged_in_april_2025_is_recorded(events):
    # Moscow denied the NIS account in 2024; both governments acknowledged the deployment in
    # late April 2025, so the transport claim is reported and the Kursk deployment confirmed.
    transport = by_id(events, "2024-10-08-nis-dprk-troops-to-vladivostok")
    kursk = by_id(events, "2024-10-28-dprk-troops-kursk-pentagon")
    assert (transport["status"], kursk["status"]) == ("reported", "confirmed")
    for event in (transport, kursk):
        assert "Apr 2025" in event["description"] or "April 2025" in event["description"]
        assert any(
            u.startswith(("https://www.nknews.org/2025/04/", "https://www.politico.eu/")) for u in event["source_urls"]
        )


@pytest.mark.parametrize(
    ("event_id", "url"),
    [
        ("2009-06-12-unsc-res-1874-panel-of-experts", "https://press.un.org/en/2009/sc9679.doc.htm"),
        ("2024-03-28-russia-vetoes-panel-of-experts", "https://press.un.org/en/2024/sc15648.doc.htm"),
        ("2022-05-26-china-russia-veto-dprk-sanctions", "https://en.yna.co.kr/view/AEN20220527000400325"),
        ("2023-11-14-kozlov-delegation-pyongyang", "https://tass.com/russia/1707005"),
    ],
)
def test_corrected_rows_cite_the_primary_or_wire_source(events, event_id, url):
    assert url in by_id(events, event_id)["source_urls"]


def test_the_2010_panel_renewal_no_longer_stands_for_1874(events):
    urls = by_id(events, "2009-06-12-unsc-res-1874-panel-of-experts")["source_urls"]
    assert not any("sc9946" in u for u in urls)


def test_the_panel_veto_names_its_last_renewal(events):
    veto = by_id(events, "2024-03-28-russia-vetoes-panel-of-experts")
    assert "2680" in veto["un_resolutions"].split(";")


# Hosts that copy or aggregate others' stories: acceptable beside a better source, never alone.
SECONDARY_HOSTS = ("devdiscourse.com", "menafn.com", "today.az", "riau24.com", "tedmontgomery.com", "vietnam.vn")


def test_every_event_has_two_sources_and_none_rests_on_an_aggregator_alone(events):
    for event_id, urls in zip(events["id"], events["source_urls"], strict=True):
        assert len(urls) >= 2, event_id
        assert not all(any(h in u for h in SECONDARY_HOSTS) for u in urls), event_id


def test_the_orlov_trotters_rest_on_interfax(events):
    horses = by_id(events, "2024-08-25-orlov-trotters-by-rail")
    assert horses["status"] == "confirmed"
    assert any("interfax" in u for u in horses["source_urls"])
    assert not any("riau24" in u for u in horses["source_urls"])


def test_rail_restart_with_30_horses(events):
    rail = by_id(events, "2022-11-02-rail-restart-orlov-horses")
    assert (rail["date"], rail["category"], rail["status"]) == (
        "2022-11-02",
        "transport",
        "confirmed",
    )
    assert "30 Orlov" in rail["title"] + " " + rail["description"]


def test_syria_recognised_the_territories_first(events):
    recognition = by_id(events, "2022-07-13-dprk-recognises-dpr-lpr")
    assert recognition["category"] == "diplomatic"
    assert "Syria" in recognition["description"]
    assert "third" in recognition["description"]


@pytest.mark.parametrize(
    ("event_id", "category"),
    [
        ("2023-09-04-shoigu-joint-drills-talks", "military"),
        ("2022-12-russia-resumes-oil-deliveries", "energy"),
        ("2024-02-18-putin-aurus-gift-kim", "diplomatic"),
        ("2019-12-22-dprk-worker-repatriation-deadline", "labor"),
        ("2022-10-04-dprk-endorses-annexation", "diplomatic"),
        ("2006-10-14-unsc-res-1718-adopted", "legal_un"),
        ("2017-12-22-unsc-res-2397-oil-cap-workers", "legal_un"),
    ],
)
def test_the_seed_articles_other_events_are_there(events, event_id, category):
    assert by_id(events, event_id)["category"] == category


def test_month_precision_events_keep_their_month(events):
    oil = by_id(events, "2022-12-russia-resumes-oil-deliveries")
    assert (oil["date"], oil["precision"]) == ("2022-12", "month")
    assert (str(oil["start"].date()), str(oil["end"].date())) == ("2022-12-01", "2023-01-01")


# Every UN Security Council resolution of the DPRK sanctions regime since 1718 is an event of its own.
SANCTIONS_RESOLUTIONS = ("1718", "1874", "2087", "2094", "2270", "2321", "2356", "2371", "2375", "2397", "2680")


@pytest.mark.parametrize("resolution", SANCTIONS_RESOLUTIONS)
def test_every_dprk_sanctions_resolution_is_an_event(events, resolution):
    adopted = events[
        (events["category"] == "legal_un")
        & events["title"].str.contains(f"(?:[Rr]esolution|[Rr]es\\.) {resolution}\\b")
    ]
    assert len(adopted) == 1, f"resolution {resolution}"
    assert resolution in adopted.iloc[0]["resolution_list"]


@pytest.mark.parametrize(
    ("event_id", "date", "end_date"),
    [
        ("2022-03-02-unga-es-11-1-dprk-votes-against", "2022-03-02", ""),
        ("2024-01-14-choe-son-hui-visits-moscow", "2024-01-14", "2024-01-17"),
        ("2024-09-13-shoigu-meets-kim-pyongyang", "2024-09-13", ""),
        ("2024-11-29-belousov-visits-pyongyang", "2024-11-29", "2024-11-30"),
        ("2024-12-16-pentagon-dprk-troops-in-combat-kursk", "2024-12-16", ""),
        ("2012-09-17-russia-writes-off-dprk-soviet-debt", "2012-09-17", ""),
        ("2024-01-02-kharkiv-mass-missile-strike", "2024-01-02", ""),
    ],
)
def test_the_events_the_record_was_missing_are_there(events, event_id, date, end_date):
    event = by_id(events, event_id)
    assert (event["date"], event["end_date"]) == (date, end_date)
    assert len(event["source_urls"]) >= 2


def test_archived_copies_pair_each_source_with_its_copy_in_order():
    assert schema.archived_copies("https://a/1 | https://a/2 | https://a/3", "https://ar/1 | - ") == [
        ("https://a/1", "https://ar/1"),
        ("https://a/2", ""),
        ("https://a/3", ""),
    ]
    assert schema.archived_copies("https://a/1", "") == [("https://a/1", "")]
