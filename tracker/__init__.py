"""sanctions-tracker: dated, sourced sanctions events in one CSV; library, CLI and exports.

The packages, from the bottom up (``docs/architecture.md``): ``contract`` (the rules), ``storage``
(files, cache, writers), ``query`` (the one filter), ``charts`` and ``export``, then ``cli``.
"""

from .contract import Problem, ValidationError
from .errors import TrackerError
from .query import EventFilter, filter_events, from_query, to_query
from .storage import add_event, load_events

__all__ = [
    "EventFilter",
    "Problem",
    "TrackerError",
    "ValidationError",
    "add_event",
    "filter_events",
    "from_query",
    "load_events",
    "to_query",
]
