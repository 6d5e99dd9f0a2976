"""A large file's columns as Arrow arrays, for the fast forms of the rules (``rules.py``).

A rule that looks at one value at a time runs its exact form on a column's distinct values
when the column repeats itself (categories, dates), else on every value; each column is
dictionary-encoded at most once, for whichever rule needs its codes first.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SAMPLE_ROWS = 10_000
REPEATED = 4  # a column whose sample repeats each value this often is checked per distinct value


class ArrowColumns:
    """The parsed file (``table``: every field's text) and what the fast forms derive from it."""

    def __init__(self, table: pa.Table):
        self.table = table
        self._encoded: dict[str, tuple[pa.Array, np.ndarray]] = {}
        self._every_value: dict[str, bool] = {}
        self._lock = threading.Lock()

    def __contains__(self, name: str) -> bool:
        return name in self.table.column_names

    def __getitem__(self, name: str) -> pa.ChunkedArray:
        return self.table[name]

    def encoded(self, name: str) -> tuple[pa.Array, np.ndarray]:
        """(distinct values, each row's code): dictionary-encoded once, for any rule."""
        with self._lock:
            done = self._encoded.get(name)
        if done is None:  # (two threads may both encode: same result, no harm)
            encoded = pc.dictionary_encode(self.table[name].combine_chunks())
            done = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
            with self._lock:
                self._encoded[name] = done
        return done

    def every_value(self, name: str) -> bool:
        """Whether a per-value check must see every value (the column does not repeat itself)."""
        if name not in self._every_value:
            sample = self.table[name].slice(0, SAMPLE_ROWS)
            self._every_value[name] = len(pc.unique(sample)) * REPEATED >= len(sample)
        return self._every_value[name]

    def per_value(self, name: str, encode: bool = False) -> pd.DataFrame:
        """A one-column frame of the values a per-value rule must see: the distinct ones when the
        column repeats itself (or ``encode``: from its dictionary encoding), else all of them."""
        column = self.table[name]
        if encode:
            values = self.encoded(name)[0]
        elif not self.every_value(name):
            values = pc.unique(column)
        else:
            values = column
        return values.to_pandas().to_frame(name)

    def max_bytes(self, name: str) -> int:
        """The longest value's length in bytes (no value has more characters than bytes)."""
        return pc.max(pc.binary_length(self.table[name])).as_py() or 0

    def min_bytes(self, name: str) -> int:
        return pc.min(pc.binary_length(self.table[name])).as_py() or 0
