"""Checking that an events file's links still work: every source URL and archived copy is
visited (``probe.py``), results are kept with their time in the cache folder (``cache.py``) and
reported per distinct URL with the events citing it (``check.py``). A result and its states
(``result.py``) need no web client; the visiting half is loaded when first asked for."""

from .result import DEAD, DOUBTFUL, OK, LinkResult

_VISITING = {"LinkEntry": "check", "LinkReport": "check", "check_links": "check", "ProbeOptions": "probe"}


def __getattr__(name: str):
    """``check_links`` and its kin, imported on first use (the dashboard only reads kept results)."""
    if name in _VISITING:
        from importlib import import_module

        return getattr(import_module(f".{_VISITING[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEAD", "DOUBTFUL", "OK", "LinkEntry", "LinkReport", "LinkResult", "ProbeOptions", "check_links"]
