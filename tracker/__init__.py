"""sanctions-tracker: dated, sourced sanctions events in one CSV; library, CLI and exports."""

from .append import add_event
from .errors import TrackerError
from .query import EventFilter, filter_events, from_query, to_query
from .store import load_events
from .validate import Problem, ValidationError

__all__ = ["EventFilter", "Problem", "TrackerError", "ValidationError", "add_event",
           "filter_events", "from_query", "load_events", "to_query"]  # fmt: skip
