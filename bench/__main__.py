"""``python -m bench``: generate the datasets, measure, print one table, write bench/results/."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

from . import machine
from .changes import measure_edits, measure_links
from .core import measure_core
from .dashboard_bench import measure_app
from .exports import briefs_and_reading, warm_png_export
from .first_page import SHIPPED_EVENTS, first_page_table, measure_first_page
from .generate import dataset
from .history import history_table, measure_history
from .importing import measure_import
from .report import table

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,100000,1000000", help="comma-separated event counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (the median is shown)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,100000 and 2 runs each")
    parser.add_argument("--naive-max", type=int, default=100_000, help="largest size the naive app is run on")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to skip: core,import,edit,links,dashboard,browser,naive,naive_svg,export,history,"
        "first_page,briefs",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results/")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "1000,100000", 2
    return args


def run(args: argparse.Namespace) -> tuple[dict, dict]:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results: dict[int, dict] = {}
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for n in sizes:
            results[n] = measure_size(n, args, Path(tmp), notes)
    if any(n > args.naive_max for n in sizes):
        notes["naive app"] = f"not run above {args.naive_max:,} events (it sends every point)"
    return results, notes


def measure_size(n: int, args: argparse.Namespace, tmp: Path, notes: dict[str, str]) -> dict:
    """Every measure on the ``n``-event dataset; a failing part is noted, the others still run."""
    csv = dataset(n)
    print(f"== {n:,} events: {csv} ({csv.stat().st_size / 2**20:.0f} MiB)", flush=True)
    os.environ["TRACKER_CACHE_DIR"] = str(tmp / f"cache-{n}")
    skip = set(filter(None, args.skip.split(",")))
    browser = "browser" not in skip
    got: dict = {}
    parts = {
        "core": lambda: got.update(measure_core(csv, args.repeat)),
        "import": lambda: got.update(measure_import(csv, args.repeat)),
        "edit": lambda: got.update(measure_edits(csv, args.repeat)),
        "links": lambda: got.update(measure_links(args.repeat)),
        "dashboard": lambda: got.update(ours=measure_app("ours", csv, tmp, args.repeat, browser)),
        "naive": lambda: got.update(naive=measure_app("naive", csv, tmp, args.repeat, browser)),
        "naive_svg": lambda: got.update(naive_svg=measure_app("naive_svg", csv, tmp, min(args.repeat, 3), browser)),
        "export": lambda: got.update(export_png=warm_png_export(csv, args.repeat)),
        "briefs": lambda: got.update(briefs=briefs_and_reading(csv, min(args.repeat, 3))),
        "history": lambda: got.update(history=measure_history(args.repeat, tmp, browser)),
        "first_page": lambda: got.update(first_page=measure_first_page(SHIPPED_EVENTS, tmp, max(5, args.repeat))),
    }
    if n > args.naive_max:
        skip.update(("naive", "naive_svg"))
    if n != min(int(s) for s in args.sizes.split(",") if s):
        skip.update(("links", "history", "first_page"))  # (none depends on the dataset: measured once)
    if not browser:
        skip.add("first_page")
    for name, part in parts.items():
        if name in skip:
            continue
        try:
            part()
            print(f"   {name}: done", flush=True)
        except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
            notes[f"{name} at {n:,}"] = f"failed: {exc!r}"[:300]
            traceback.print_exc()
    return got


def main(argv=None) -> None:
    args = parse_args(argv)
    results, notes = run(args)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            f"# Benchmark ({when})",
            "",
            *[f"- {line}" for line in machine.describe()],
            f"- Runs: median of {args.repeat}; sizes {args.sizes}",
            "",
            table(results, notes),
            "",
            history_table(next((r["history"] for r in results.values() if "history" in r), {})),
            "",
            first_page_table(next((r["first_page"] for r in results.values() if "first_page" in r), {})),
            "",
        ]
    )
    print(text)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.md").write_text(text, encoding="utf-8")
        (RESULTS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d}.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
