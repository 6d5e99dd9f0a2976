"""Values derived from one version of the events frame, computed once per process and frame.

A reloaded file gives a new frame object, so a new version is recomputed; entries hold only a
weak reference to their frame, so a replaced frame (hundreds of MB at a million rows) is freed.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from tracker.query import EventFilter, filter_mask, replace


class FrameMemo:
    """A small LRU cache of values computed from a frame, keyed by (that frame object, key)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[weakref.ref, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, frame: pd.DataFrame, key: Hashable, build: Callable[[pd.DataFrame], Any]) -> Any:
        """``build(frame)``, cached for this very frame object under ``key``."""
        slot = (id(frame), key)
        with self._lock:
            hit = self._entries.get(slot)
            if hit is not None and hit[0]() is frame:
                self._entries.move_to_end(slot)
                return hit[1]
        value = build(frame)  # outside the lock: two threads may both build the same value
        with self._lock:
            self._entries[slot] = (weakref.ref(frame), value)
            self._entries.move_to_end(slot)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


# Per-frame facts (sort ranks, dropdown items, the latest date): few, reused by every request.
_derived = FrameMemo(64)
# Per-filter arrays (masks, ordered rows; up to a few MB each at a million events): the last few
# filters, so that the table's block requests reuse the work of the render that preceded them.
per_filter = FrameMemo(12)


def per_frame(frame: pd.DataFrame, key: Hashable, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(frame)``, computed once per loaded frame and ``key``."""
    return _derived.get(frame, key, build)


def filter_masks(frame: pd.DataFrame, f: EventFilter) -> tuple[np.ndarray, np.ndarray]:
    """(rows ``f`` keeps, rows kept by every part of ``f`` but the categories), cached.

    Both come from ``tracker.query.filter_mask``, the one filter; ``filter_mask`` is a
    conjunction of its parts, so the first is the second narrowed by the category part.
    """

    def build(fr: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        others = filter_mask(fr, replace(f, categories=None))
        mask = others if f.categories is None else others & filter_mask(fr, EventFilter(categories=f.categories))
        for array in (mask, others):
            array.flags.writeable = False
        return mask, others

    return per_filter.get(frame, ("masks", f, f.changed_ids), build)
