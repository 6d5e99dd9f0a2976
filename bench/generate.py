"""The benchmark's datasets: synthetic events files (``tests/synthetic.py``) written once.

``dataset(n)`` writes ``bench/data/events_<n>.csv`` once and returns its path.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.synthetic import VERSION, events

DATA_DIR = Path(__file__).resolve().parent / "data"


def dataset(n: int, data_dir: Path = DATA_DIR) -> Path:
    """The path of a valid ``n``-event file, generating it on first use."""
    path = data_dir / f"events_{n}_v{VERSION}.csv"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        events(n, optional_columns=False).to_csv(tmp, index=False)  # (the same files as before those columns)
        os.replace(tmp, path)
    return path


if __name__ == "__main__":  # pragma: no cover
    import sys

    for size in sys.argv[1:] or ("1000",):
        print(dataset(int(size)))
