"""One markdown table of every measure, sizes as columns, with the targets (at 1,000,000 events)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Results = dict[int, dict[str, float | None]]


@dataclass(frozen=True)
class Row:
    label: str
    value: Callable[[dict], float | None]
    unit: str  # "s", "ms", "KB", "MiB", "x"
    target: str = ""
    ok: Callable[[float], bool] | None = None
    target_size: int = 1_000_000


def _ratio(a: str, b: str) -> Callable[[dict], float | None]:
    return lambda r: r[a] / r[b] if r.get(a) is not None and r.get(b) else None


def _sum(*keys: str) -> Callable[[dict], float | None]:
    return lambda r: sum(r[k] for k in keys) if all(r.get(k) is not None for k in keys) else None


def _import_ratio(*keys: str) -> Callable[[dict], float | None]:
    """The sum of ``keys`` over the import's baseline (a bare read of the rows, one rewrite)."""
    baseline, total = _sum("import_read_csv", "import_rewrite"), _sum(*keys)
    return lambda r: total(r) / baseline(r) if total(r) is not None and baseline(r) else None


def _get(key: str, scale: float = 1.0) -> Callable[[dict], float | None]:
    return lambda r: None if r.get(key) is None else r[key] * scale


ROWS = [
    Row("bare `pandas.read_csv`", _get("read_csv"), "s"),
    Row(
        "`tracker validate`'s work, no cache (`check_events(cache=False)`: read, parse, validate)",
        _get("validate_only"),
        "s",
    ),
    Row("… ratio to read_csv", _ratio("validate_only", "read_csv"), "x", "≤ 2×", lambda v: v <= 2),
    Row(
        "load + validate + derived columns, no cache (`load_events(cache=False)`)",
        _get("load_cold"),
        "s",
    ),
    Row("… ratio to read_csv", _ratio("load_cold", "read_csv"), "x"),
    Row("load from the cache (unchanged file)", _get("load_cached"), "s"),
    Row("… ratio to read_csv", _ratio("load_cached", "read_csv"), "x", "≤ 2×", lambda v: v <= 2),
    Row("`tracker validate` command, whole process, no cache", _get("validate_cli"), "s"),
    Row("copy the file once (`shutil.copyfile`)", _get("copy"), "s"),
    Row("`tracker add`, a new event (sorts last: appended in place)", _get("add_last"), "s"),
    Row("… ratio to the copy", _ratio("add_last", "copy"), "x", "≤ 3×", lambda v: v <= 3),
    Row(
        "`tracker add`, a back-dated event (sorts inside: atomic rewrite; file loaded before: cache vouches)",
        _get("add"),
        "s",
    ),
    Row("… ratio to the copy", _ratio("add", "copy"), "x"),
    Row("copy the file once and fsync it (a durable copy)", _get("copy_fsync"), "s"),
    Row("… back-dated `tracker add` ratio to the durable copy", _ratio("add", "copy_fsync"), "x"),
    Row(
        "back-dated `tracker add`, second in a row (the cache vouches via the first add's delta)",
        _get("add_second"),
        "s",
    ),
    Row("… ratio to the copy", _ratio("add_second", "copy"), "x"),
    Row("back-dated `tracker add`, no cache (parse + validate)", _get("add_cold"), "s"),
    Row("… ratio to the copy", _ratio("add_cold", "copy"), "x"),
    Row("`tracker import` of 100,000 new rows (CSV in our columns) into the file", _get("import"), "s"),
    Row(
        "bare `pandas.read_csv` of those rows + one atomic rewrite of the file made",
        _sum("import_read_csv", "import_rewrite"),
        "s",
    ),
    Row(
        "… import ratio to that",
        lambda r: r["import"] / (r["import_read_csv"] + r["import_rewrite"]) if r.get("import") else None,
        "x",
        "≤ 3×",
        lambda v: v <= 3,
        100_000,
    ),
    Row(
        "`tracker import` of those rows, the file loaded before (the cache vouches: no re-validation)",
        _get("import_vouched"),
        "s",
    ),
    Row(
        "… import ratio to the bare read and rewrite",
        lambda r: (
            r["import_vouched"] / (r["import_read_csv"] + r["import_rewrite"]) if r.get("import_vouched") else None
        ),
        "x",
    ),
    Row(
        "`tracker import` of those rows from an http address on this machine (the cache vouches)",
        _get("import_url"),
        "s",
    ),
    Row(
        "the floor the contract sets any import: the rows read as text, every rule checked, the one rewrite",
        _get("import_floor"),
        "s",
    ),
    Row("… floor ratio to the bare read and rewrite", _import_ratio("import_floor"), "x"),
    Row(
        "… with the file re-read and validated too (a writer with no cache must)",
        _sum("import_floor", "import_floor_file"),
        "s",
    ),
    Row("… no-cache floor ratio to the bare read and rewrite", _import_ratio("import_floor", "import_floor_file"), "x"),
    Row("`tracker edit`, a new status (the cache vouches; the line rewritten in place)", _get("edit_status"), "s"),
    Row("… ratio to the copy", _ratio("edit_status", "copy"), "x"),
    Row("`tracker edit`, a new date (the cache vouches; the row moves to its sorted place)", _get("edit_date"), "s"),
    Row("`tracker remove` (the cache vouches)", _get("remove"), "s"),
    Row("`tracker remove` of ten events across the file, one write (the cache vouches)", _get("remove_ten"), "s"),
    Row("`tracker edit`, a new status, no cache (re-read and validate)", _get("edit_status_uncached"), "s"),
    Row("… ratio to the copy", _ratio("edit_status_uncached", "copy"), "x"),
    Row(
        "`tracker edit`, a second in a row (the cache vouches through the first edit's delta)", _get("edit_second"), "s"
    ),
    Row("… ratio to the copy", _ratio("edit_second", "copy"), "x"),
    Row(
        "load after an edit (the dashboard's reload: the cache vouches through the delta)", _get("load_after_edit"), "s"
    ),
    Row(
        "`tracker check-links`, 1,000 distinct URLs on 20 local hosts (16 at once, 2 per host), 100 of them dead, empty cache",
        _get("links_first"),
        "s",
    ),
    Row("… rerun within `--max-age` (every result from the cache)", _get("links_cached"), "s"),
    Row(
        "… rerun with `--find-archives`: 100 dead sources looked up in a local stand-in for the Wayback API (2 at once)",
        _get("links_archives"),
        "s",
    ),
    Row("… and again within `--max-age` (the archive's answers kept)", _get("links_archives_kept"), "s"),
    Row("dashboard restart (cache warm) → `/` answers", _get("ours.ready"), "s"),
    Row(
        "dashboard restart → first timeline callback answered",
        _get("ours.first_answer"),
        "s",
        "≤ 4 s",
        lambda v: v <= 4,
    ),
    Row("filter callback over HTTP: time", _get("ours.callback_s", 1000), "ms"),
    Row(
        "filter callback: response bytes (gzip on the wire)",
        _get("ours.callback_wire", 1 / 1000),
        "KB",
        "≤ 300 KB",
        lambda v: v <= 300,
    ),
    Row(
        "filter callback: response bytes (uncompressed JSON)",
        _get("ours.callback_raw", 1 / 1000),
        "KB",
    ),
    Row("browser: page open → timeline drawn", _get("ours.first_draw"), "s"),
    Row(
        "browser: filter click → redrawn timeline",
        _get("ours.click", 1000),
        "ms",
        "≤ 200 ms",
        lambda v: v <= 200,
    ),
    Row(
        "dashboard worker memory (largest process RSS)",
        _get("ours.worker_rss"),
        "MiB",
        "≤ 1536 MiB",
        lambda v: v <= 1536,
    ),
    Row("dashboard memory, all processes (PSS: shared pages once)", _get("ours.pss_total"), "MiB"),
    Row(
        "naive app (plotly express default: WebGL above 1,000 points): callback bytes (uncompressed)",
        _get("naive.callback_raw", 1 / 1000),
        "KB",
    ),
    Row("naive app: page open → timeline drawn", _get("naive.first_draw"), "s"),
    Row("naive app: filter click → redrawn timeline", _get("naive.click", 1000), "ms"),
    Row(
        "… naive / ours (click → redraw)",
        _ratio("naive.click", "ours.click"),
        "x",
        "≥ 20× at 100,000",
        lambda v: v >= 20,
        100_000,
    ),
    Row(
        "naive app with SVG markers (`render_mode='svg'`): page open → drawn",
        _get("naive_svg.first_draw"),
        "s",
    ),
    Row(
        "naive app with SVG markers: filter click → redrawn timeline",
        _get("naive_svg.click", 1000),
        "ms",
    ),
    Row(
        "… naive SVG / ours (click → redraw)",
        _ratio("naive_svg.click", "ours.click"),
        "x",
        "≥ 20× at 100,000",
        lambda v: v >= 20,
        100_000,
    ),
    Row("warm PNG export of the timeline (Chromium kept warm)", _get("export_png"), "s"),
    Row("Markdown brief of a 1,000-event view", _get("briefs.brief_md"), "s"),
    Row("Word brief (DOCX) of a 1,000-event view", _get("briefs.brief_docx"), "s"),
    Row("reading view `/read`, no filter (first 2,000 events laid out)", _get("briefs.reading_view"), "s"),
]


def flatten(measures: dict) -> dict[str, float | None]:
    """{"ours": {"ready": 1}} -> {"ours.ready": 1}."""
    flat: dict[str, float | None] = {}
    for key, value in measures.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def table(results: Results, notes: dict[str, str]) -> str:
    """The markdown table; a missing value shows ``notes`` for its key or "n/a"."""
    sizes = sorted(results)
    head = "| measure | " + " | ".join(f"{n:,} events" for n in sizes) + " | target | met? |"
    lines = [head, "|" + "---|" * (len(sizes) + 3)]
    for row in ROWS:
        values = [row.value(flatten(results[n])) for n in sizes]
        cells = [_cell(v, row.unit) for v in values]
        verdict = ""
        if row.ok and row.target_size in results:
            v = row.value(flatten(results[row.target_size]))
            verdict = "n/a" if v is None else ("yes" if row.ok(v) else "**no**")
        lines.append(f"| {row.label} | " + " | ".join(cells) + f" | {row.target} | {verdict} |")
    lines.extend(f"\n{key}: {text}" for key, text in notes.items())
    return "\n".join(lines)


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "x":
        return f"{value:.1f}×"
    if unit in ("ms", "KB", "MiB"):
        return f"{value:,.0f} {unit}"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
