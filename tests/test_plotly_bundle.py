"""The dashboard's own plotly.js (dashboard/assets/plotly-tracker.min.js, made by
scripts/build-plotly-bundle.sh) holds every trace type the dashboard draws and every patch in
scripts/plotly-patches/; the first-page benchmark's baseline is a bare Dash app."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from synthetic import events

from bench.first_page import first_page_table
from dashboard import views, zoom
from tracker.query import EventFilter
from tracker.storage import Snapshot, load_events

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dashboard" / "assets" / "plotly-tracker.min.js"
PATCHES = ROOT / "scripts" / "plotly-patches"
BANNER = re.compile(
    r"/\*\* plotly\.js v[\d.]+ \(MIT, Plotly, Inc\.\), partial bundle: ([a-z ,]+); patched: ([a-z -]*) \*/"
)


def banner() -> re.Match:
    text = BUNDLE.read_text(encoding="utf-8")[:300]
    found = BANNER.match(text)
    assert found, text
    return found


def bundled_traces() -> set[str]:
    return set(banner().group(1).replace(",", " ").split())


def drawn_types(view: views.View) -> set[str]:
    return {t.get("type", "scatter") for fig in (view.timeline, view.counts, view.map) for t in fig.get("data", [])}


def test_the_bundle_holds_every_trace_type_the_dashboard_draws(events_csv, tmp_path):
    many = events(30_000)
    many.to_csv(tmp_path / "many.csv", index=False)
    shipped = Snapshot(events_csv, load_events(events_csv), None)
    big = Snapshot(tmp_path / "many.csv", load_events(tmp_path / "many.csv", cache=False), None)
    drawn = drawn_types(views.filter_view(shipped, EventFilter())) | drawn_types(views.filter_view(big, EventFilter()))
    relayout = {"xaxis.range[0]": "2010-03-01", "xaxis.range[1]": "2010-04-01"}
    drawn |= {t.get("type", "scatter") for t in zoom.zoomed_timeline(big.frame, EventFilter(), relayout)["data"]}
    assert {"scatter", "bar", "scattergeo"} <= drawn  # (marks, density lanes and counts, the map)
    assert drawn <= bundled_traces(), "rebuild it: scripts/build-plotly-bundle.sh (with the new trace type)"


def test_the_bundle_carries_every_patch_and_each_says_why():
    patches = sorted(PATCHES.glob("*.patch"))
    assert patches
    assert banner().group(2).split() == [p.stem for p in patches], "rebuild it: scripts/build-plotly-bundle.sh"
    for patch in patches:
        why, _, diff = patch.read_text(encoding="utf-8").partition("diff --git ")
        assert len(why.split()) > 20 and diff.startswith("a/src/"), patch.name


def test_the_bundle_is_a_third_of_plotly_js():
    import plotly

    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert BUNDLE.stat().st_size < 0.4 * full.stat().st_size


def test_the_bare_app_loads_nothing_of_ours():
    code = "import sys, bench.bare_app as b; b.create_app('events.csv'); print(sorted(m for m in sys.modules if m.split('.')[0] in ('dashboard', 'tracker', 'dash_ag_grid')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=BUNDLE.parents[2]
    )
    assert out.stdout.strip() == "[]"


def test_the_first_page_table_says_whether_the_target_is_met():
    table = first_page_table({"first_page.ours": 2.5, "first_page.bare": 3.0}).splitlines()
    assert table[2] == "| ours: page open → timeline drawn (shipped events.csv) | 2.50 s |  |"
    assert table[4] == "| … ours ÷ bare (met: yes) | 0.83× | ≤ 1.0× |"
    assert "(met: **no**) | 1.20×" in first_page_table({"first_page.ours": 3.6, "first_page.bare": 3.0})
    assert "| n/a |" in first_page_table({})
