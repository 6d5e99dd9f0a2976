"""Our dashboard and the naive baseline, measured over HTTP and in the browser."""

from __future__ import annotations

import statistics
from pathlib import Path

from .browser import click_to_redraw
from .server import Server, dependencies, figure_callback, post_callback

OURS = {
    "graph": "#timeline",
    "target": '#filter-categories input[value="military"]',
    "figure_id": "timeline",
    "first": {"url.search": ""},
    "filtered": {"url.search": "?category=arms_transfer,diplomatic,economic,energy,transport,labor,sanctions,legal_un"},
    "changed": "url.search",
}
NAIVE = {
    "graph": "#naive-timeline",
    "target": '#naive-categories input[value="military"]',
    "figure_id": "naive-timeline",
    "first": {
        "naive-categories.value": [
            "military",
            "arms_transfer",
            "diplomatic",
            "economic",
            "energy",
            "transport",
            "labor",
            "sanctions",
            "legal_un",
        ]
    },
    "filtered": {
        "naive-categories.value": [
            "arms_transfer",
            "diplomatic",
            "economic",
            "energy",
            "transport",
            "labor",
            "sanctions",
            "legal_un",
        ]
    },
    "changed": "naive-categories.value",
}


def measure_app(kind: str, csv: Path, log_dir: Path, repeat: int, browser: bool) -> dict[str, float]:
    """Start-up to first answer, one filter callback (time, bytes), browser click -> redraw, RSS."""
    spec = OURS if kind == "ours" else NAIVE
    out: dict[str, float] = {}
    starts = []
    for _ in range(max(1, min(repeat, 3)) if kind == "ours" else 1):
        server = Server(kind, csv, log_dir)
        try:
            callback = figure_callback(dependencies(server.url), spec["figure_id"])
            seconds, *_ = post_callback(server.url, callback, spec["first"], spec["changed"])
            starts.append((server.ready_s, server.ready_s + seconds))
        finally:
            server.stop()
    out["ready"] = statistics.median(s[0] for s in starts)
    out["first_answer"] = statistics.median(s[1] for s in starts)
    server = Server(kind, csv, log_dir)
    try:
        callback = figure_callback(dependencies(server.url), spec["figure_id"])
        post_callback(server.url, callback, spec["first"], spec["changed"])
        runs = [post_callback(server.url, callback, spec["filtered"], spec["changed"]) for _ in range(max(1, repeat))]
        out["callback_s"] = statistics.median(r[0] for r in runs)
        out["callback_wire"] = runs[-1][1]
        out["callback_raw"] = runs[-1][2]
        if browser:
            drawn = click_to_redraw(server.url, spec["graph"], spec["target"], repeat)
            out["first_draw"], out["click"] = drawn["first_draw"], drawn["click"]
        out.update(server.memory_mib())
    finally:
        server.stop()
    return out
