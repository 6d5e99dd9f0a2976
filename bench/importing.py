"""`tracker import` of 100,000 new rows against a bare ``pandas.read_csv`` of them plus one atomic
rewrite of the events file it makes."""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from tests.synthetic import VERSION, events
from tracker.contract import schema, valid_raw
from tracker.contract.fast import table_accepted
from tracker.importing import Options, import_file
from tracker.storage import load_events
from tracker.storage.filewrite import atomic_write

from .generate import DATA_DIR
from .timing import interleaved_times

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
    atomic rewrite (temp file, fsync, rename) of the result; and the floor any import that keeps
    the contract stands on (``import_floor``: the rows read as text and checked by the rules'
    fast forms, plus that rewrite; ``import_floor_file``: the file re-read and validated); and
    the vouched import of the same rows fetched from an http address on this machine."""
    source = import_source()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp, served(source) as address:
        work = Path(tmp) / "events.csv"

        cache_dir, runs = os.environ.get("TRACKER_CACHE_DIR"), itertools.count()

        def fresh_copy():
            shutil.copyfile(csv, work)
            os.sync()

        def uncached_copy():  # an empty cache: no word on any bytes
            os.environ["TRACKER_CACHE_DIR"] = str(Path(tmp) / f"no-cache-{next(runs)}")
            fresh_copy()

        def vouched_copy():  # the cache's word on these bytes (each fresh copy has them again)
            _set_cache_dir(cache_dir)
            fresh_copy()
            load_events(work)

        uncached_copy()
        report = import_file(work, source, options=Options())
        assert len(report.added) == IMPORT_ROWS, "every row of the import is new"
        result = work.read_bytes()
        rows = _contract_rows(source, report.added.sort_values("_line")["id"])
        events_bytes = csv.read_bytes()

        def floor():
            assert table_accepted(rows(pcsv.read_csv(source, convert_options=_AS_TEXT)))
            atomic_write(Path(tmp) / "rewrite.csv", result)

        # (in turn, each round: the rewrite's fsync varies with the disk more than anything here)
        times = interleaved_times(
            {
                "import_read_csv": lambda: pd.read_csv(source),
                "import_rewrite": lambda: atomic_write(Path(tmp) / "rewrite.csv", result),
                "import": lambda: import_file(work, source),
                "import_vouched": lambda: import_file(work, source),
                "import_url": lambda: import_file(work, address),
                "import_floor": floor,
                "import_floor_file": lambda: valid_raw(csv, events_bytes),
            },
            repeat,
            {
                "import_rewrite": os.sync,
                "import": uncached_copy,
                "import_vouched": vouched_copy,
                "import_url": vouched_copy,
                "import_floor": os.sync,
            },
        )
        _set_cache_dir(cache_dir)
    return times


@contextmanager
def served(path: Path):
    """The address of ``path`` on a web server of this machine's, while it runs."""
    handler = functools.partial(_Quiet, directory=str(path.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{path.name}"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


_AS_TEXT = pcsv.ConvertOptions(column_types={name: pa.string() for name in schema.COLUMNS}, strings_can_be_null=False)


def _contract_rows(source: Path, ids: pd.Series):
    """A function making the rows ``source`` reads as (a table of its text) a table in the
    contract's columns, with the ids the import gave them (the rules need every column)."""
    ids = pa.array(ids.to_numpy(dtype=object), type=pa.string())

    def rows(table: pa.Table) -> pa.Table:
        empty = pa.array([""] * table.num_rows, type=pa.string())
        given = {"id": ids, **{name: table[name] for name in table.column_names}}
        return pa.table({name: given.get(name, empty) for name in schema.COLUMNS})

    return rows


def _set_cache_dir(path: str | None) -> None:
    if path is None:
        os.environ.pop("TRACKER_CACHE_DIR", None)
    else:
        os.environ["TRACKER_CACHE_DIR"] = path
