"""Live data: edits to the CSV reach a running dashboard; a bad edit keeps the last good version."""

from __future__ import annotations

import pytest
from dashboard_helpers import NEW_ROW, append_row, text_of

from dashboard import views
from tracker.charts.timeline import event_ids
from tracker.query import EventFilter, filter_events
from tracker.storage import EventSource


def test_appended_row_shows_up_and_bad_edit_keeps_last_good(source, events_csv):
    first = source.snapshot()
    before = len(filter_events(first.frame, EventFilter(search="Rajin")))
    append_row(events_csv, NEW_ROW)
    view = views.render_view(source.snapshot(), "?q=Rajin")
    assert "2025-01-10-test-event" in event_ids(view.timeline)
    assert view.summary.startswith(f"{before + 1} of 47 events shown · latest event 10 Jan 2025")
    assert views.data_token(source.snapshot()) != views.data_token(first)
    append_row(events_csv, "broken,not-a-date,,x,,energy,confirmed,,,,,,,https://e.org\n")
    bad = views.render_view(source.snapshot(), "")
    assert bad.summary.startswith("47 of 47 events shown")
    assert bad.banner_hidden is False
    assert f"{events_csv}:49: date:" in text_of(bad.banner)
    assert "still showing the last good version" in text_of(bad.banner)


def test_every_worker_falls_back_to_the_same_last_good_version(events_csv, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    reader, idle = EventSource(events_csv), EventSource(events_csv)  # two workers of one server
    append_row(events_csv, NEW_ROW)
    assert len(reader.frame()) == 47  # only this worker reads the new version
    append_row(events_csv, "broken,not-a-date,,x,,energy,confirmed,,,,,,,https://e.org\n")
    shown = [s.snapshot() for s in (reader, idle)]
    assert [len(s.frame) for s in shown] == [47, 47]
    assert "2025-01-10-test-event" in set(shown[1].frame["id"])
    assert views.data_token(shown[0]) == views.data_token(shown[1])  # no flicker between workers
    assert shown[0].errors == shown[1].errors != ()


def test_a_worker_keeps_its_own_version_when_the_cache_holds_an_older_one(events_csv, monkeypatch, tmp_path):
    source = EventSource(events_csv)  # the cache now holds the 46 events
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "unwritable"))
    (tmp_path / "unwritable").write_text("a file, not a folder")
    append_row(events_csv, NEW_ROW)
    assert len(source.frame()) == 47  # read, but not cached
    monkeypatch.undo()
    append_row(events_csv, "broken,not-a-date,,x,,energy,confirmed,,,,,,,https://e.org\n")
    assert len(source.frame()) == 47
    assert source.snapshot().errors


def test_first_read_of_an_invalid_file_raises(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("id,date\n1,2\n")
    with pytest.raises(Exception, match="missing columns"):
        EventSource(bad)
