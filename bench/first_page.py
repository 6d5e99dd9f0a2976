"""Page open → timeline drawn: our dashboard against a bare Dash app with one ``dcc.Graph``
(``bench/bare_app.py``) on the same events, both served by gunicorn, loaded in turn (ours, bare,
ours, ...) in a fresh browser context each time (nothing cached), median of the runs."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from .browser import ARGS, CHROMIUM
from .server import Server

# Drawn: plotly has laid the graph out and drawn its traces.
DRAWN = """sel => { const gd = document.querySelector(sel + ' .js-plotly-plot');
  return !!(gd && gd._fullLayout && gd.querySelector('.scatterlayer .trace, .barlayer .trace, .glimages')); }"""
GRAPHS = {"ours": "#timeline", "bare": "#bare-timeline"}
SHIPPED_EVENTS = Path(__file__).resolve().parent.parent / "events.csv"  # (what a new user opens)


def measure_first_page(csv: Path, log_dir: Path, runs: int = 5) -> dict[str, float]:
    """Seconds, median of ``runs`` loads each: ``first_page.ours``, ``first_page.bare``."""
    from playwright.sync_api import sync_playwright

    servers = {kind: Server(kind, csv, log_dir) for kind in GRAPHS}
    times: dict[str, list[float]] = {kind: [] for kind in GRAPHS}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                for kind in GRAPHS:  # (one load each first: the servers' own first requests)
                    _load(browser, servers[kind].url, GRAPHS[kind])
                for _ in range(runs):
                    for kind in GRAPHS:
                        times[kind].append(_load(browser, servers[kind].url, GRAPHS[kind]))
            finally:
                browser.close()
    finally:
        for server in servers.values():
            server.stop()
    return {f"first_page.{kind}": statistics.median(values) for kind, values in times.items()}


def _load(browser, url: str, graph: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(DRAWN, arg=graph, timeout=60_000)
        return time.perf_counter() - start
    finally:
        context.close()


def first_page_table(r: dict[str, float]) -> str:
    """The first-page rows: ours, the bare app, and their ratio against the target."""
    ours, bare = r.get("first_page.ours"), r.get("first_page.bare")

    def cell(value: float | None) -> str:
        return f"{value:.2f} s" if value is not None else "n/a"

    ratio = f"{ours / bare:.2f}×" if ours and bare else "n/a"
    met = "yes" if ours and bare and ours <= bare else ("**no**" if ours and bare else "n/a")
    rows = [
        ("ours: page open → timeline drawn (shipped events.csv)", cell(ours), ""),
        ("bare Dash app, one `dcc.Graph` of the same events", cell(bare), ""),
        ("… ours ÷ bare (met: " + met + ")", ratio, "≤ 1.0×"),
    ]
    head = "| first page (fresh browser context each load, apps in turn) | median | target |"
    return "\n".join([head, "|---|---|---|", *(f"| {' | '.join(row)} |" for row in rows)])
