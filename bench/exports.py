"""A warm image export: the same code path as `tracker export --format png` and the dashboard."""

from __future__ import annotations

from pathlib import Path

from tracker.query import EventFilter
from tracker.storage import load_events

from .timing import median_time


def warm_png_export(csv: Path, repeat: int) -> float | None:
    """Median seconds of a PNG timeline export once Chromium is warm; None if export is not built."""
    try:
        from tracker.export import export_bytes
    except ImportError:
        return None
    frame = load_events(csv)
    run = lambda: export_bytes(frame, EventFilter(), "png", csv_path=csv)  # noqa: E731
    run()  # starts the browser: not timed
    try:
        return median_time(run, repeat)
    finally:
        _stop_kaleido()


def _stop_kaleido() -> None:
    try:
        import kaleido

        kaleido.stop_sync_server()
    except Exception:  # noqa: BLE001 - best effort: the process ends soon anyway
        pass


BRIEF_EVENTS = 1_000  # a filtered view of this many events


def briefs_and_reading(csv: Path, repeat: int) -> dict[str, float]:
    """Median seconds: the Markdown and Word briefs of a view of BRIEF_EVENTS events, and the
    reading view (``/read``, no filter: the first 2,000 events laid out) over HTTP in-process."""
    from dashboard.app import create_app
    from tracker.export import export_bytes

    frame = load_events(csv)
    view = frame.iloc[:BRIEF_EVENTS]
    client = create_app(csv).server.test_client()
    client.get("/read")  # (the app's first request: not timed)
    return {
        "brief_md": median_time(lambda: export_bytes(view, EventFilter(), "md", csv_path=csv), repeat),
        "brief_docx": median_time(lambda: export_bytes(view, EventFilter(), "docx", csv_path=csv), repeat),
        "reading_view": median_time(lambda: client.get("/read").get_data(), repeat),
    }
