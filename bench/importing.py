"""`tracker import` of 100,000 new rows against a bare ``pandas.read_csv`` of them plus one atomic
rewrite of the events file it makes."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from tests.synthetic import VERSION, events
from tracker.importing import Options, import_file
from tracker.storage import load_events
from tracker.storage.filewrite import atomic_write

from .generate import DATA_DIR
from .timing import median_time

IMPORT_ROWS = 100_000


def import_source(n: int = IMPORT_ROWS, data_dir: Path = DATA_DIR) -> Path:
    """A file of ``n`` new events in the contract's columns, without ids (the import makes them),
    titles marked so that none is a duplicate of a dataset's event; written once."""
    path = data_dir / f"import_{n}_v{VERSION}.csv"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        rows = events(n, seed=99, optional_columns=False).drop(columns="id")
        rows["title"] = rows["title"] + " (imported " + pd.Series(np.arange(n)).astype(str) + ")"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        rows.to_csv(tmp, index=False)
        os.replace(tmp, path)
    return path


def measure_import(csv: Path, repeat: int) -> dict[str, float]:
    """Seconds (medians): the import of IMPORT_ROWS rows into a copy of ``csv``, with no cache and
    with the cache vouching for the copy; their baseline, a bare read_csv of the rows plus one
    atomic rewrite (temp file, fsync, rename) of the result."""
    source = import_source()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp) / "events.csv"

        def fresh_copy():
            shutil.copyfile(csv, work)
            os.sync()

        fresh_copy()
        report = import_file(work, source, options=Options())
        assert len(report.added) == IMPORT_ROWS, "every row of the import is new"
        result = work.read_bytes()
        read_csv = median_time(lambda: pd.read_csv(source), repeat)
        rewrite = median_time(lambda: atomic_write(Path(tmp) / "rewrite.csv", result), repeat, setup=os.sync)
        imported = median_time(lambda: import_file(work, source), repeat, setup=fresh_copy)
        fresh_copy()
        load_events(work)  # the cache's word on these bytes (each fresh copy has them again)
        vouched = median_time(lambda: import_file(work, source), repeat, setup=fresh_copy)
    return {"import": imported, "import_vouched": vouched, "import_read_csv": read_csv, "import_rewrite": rewrite}
