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
