"""Checking that an events file's links still work: every source URL and archived copy is
visited (``probe.py``), results are kept with their time in the cache folder (``cache.py``) and
reported per distinct URL with the events citing it (``check.py``)."""

from .check import LinkEntry, LinkReport, check_links
from .probe import DEAD, DOUBTFUL, OK, LinkResult, ProbeOptions

__all__ = ["DEAD", "DOUBTFUL", "OK", "LinkEntry", "LinkReport", "LinkResult", "ProbeOptions", "check_links"]
