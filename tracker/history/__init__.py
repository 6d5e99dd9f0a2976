"""The record's history from git: what each commit did to the events file, keyed by event id.

``diff_versions`` compares two versions (any revisions, or the working file); ``file_history``
lists every version on the first-parent line, each commit's change worked out from the lines
that differ between its blob and the one before, and cached by commit; ``changed_since`` resolves the filter of that name.
"""

from .changes import changed_since, keeping_changes, resolve_changed
from .gitfile import GitFile, HistoryUnavailable, RevisionError
from .log import EventVersion, Version, event_history, file_history, has_cached_history
from .rowdiff import RowDiff, diff_versions

__all__ = [
    "EventVersion",
    "GitFile",
    "HistoryUnavailable",
    "RevisionError",
    "RowDiff",
    "Version",
    "changed_since",
    "diff_versions",
    "event_history",
    "file_history",
    "has_cached_history",
    "keeping_changes",
    "resolve_changed",
]
