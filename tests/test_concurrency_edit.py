"""Edits and removals while other processes add events: nothing is lost, nothing is torn."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_concurrency import append_many, ids_in, start

from tracker.storage import edits, load_events
from tracker.storage import writer as events_writer

pytestmark = pytest.mark.slow
ADDERS, ADDS_EACH = 4, 25


def edit_many(path: str, ids: list[str]) -> None:
    """Half the events get a new status in place, the other half a new date (they move)."""
    events_writer.LOCK_TIMEOUT_S = 600
    for i, event_id in enumerate(ids):
        values = {"status": "alleged"} if i % 2 else {"date": "2030", "end_date": ""}
        edits.edit_event(path, event_id, edits.Edit(values=values))


def remove_many(path: str, ids: list[str]) -> None:
    events_writer.LOCK_TIMEOUT_S = 600
    for event_id in ids:
        edits.remove_event(path, event_id)


def test_edits_and_removals_beside_concurrent_adds_lose_nothing(events_csv: Path):
    before = ids_in(events_csv)
    edited, removed = before[:20], before[20:30]
    procs = [start(append_many, str(events_csv), w, ADDS_EACH) for w in range(ADDERS)]
    procs += [start(edit_many, str(events_csv), edited), start(remove_many, str(events_csv), removed)]
    for proc in procs:
        proc.join(300)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    after = load_events(events_csv, cache=False)
    assert len(after) == len(before) + ADDERS * ADDS_EACH - len(removed)
    assert {f"Writer {w} event {i}" for w in range(ADDERS) for i in range(ADDS_EACH)} <= set(after["title"])
    assert not set(removed) & set(after["id"])
    by_id = after.set_index("id")
    assert by_id.loc[edited[1::2], "status"].tolist() == ["alleged"] * 10
    assert by_id.loc[edited[0::2], "date"].tolist() == ["2030"] * 10
    assert after["id"].is_unique
    order = list(zip(after["start"], after["id"], strict=True))
    assert order == sorted(order), "rows stay in (date, id) order"
