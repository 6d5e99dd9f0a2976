"""Component ids: every id the layout and the callbacks share, in one place."""

URL = "url"
HEADER_SUMMARY = "header-summary"
ERROR_BANNER = "error-banner"

CATEGORIES = "filter-categories"
SINCE = "filter-since"
UNTIL = "filter-until"
STATUSES = "filter-statuses"
ACTORS = "filter-actors"
RESOLUTIONS = "filter-resolutions"
PRECISIONS = "filter-precisions"
SEARCH = "filter-search"
CHANGED_SINCE = "filter-changed-since"
CHANGED_PRESETS = "changed-since-presets"  # the control's datalist
CHANGED_NOTE = "changed-since-note"
RESET = "filter-reset"

TIMELINE = "timeline"
COUNTS = "counts"
MAP = "map"
GRID = "grid"
DETAILS = "details"
EMPTY_NOTE = "empty-note"
CHANGES = "changes-panel"
DATA_VERSION = "data-version"
SHOWN = "shown"  # the URL and reset clicks the last render carried out
POLL = "data-poll"

# the export panel (dashboard/export_controls.py)
EXPORT_BUTTON = "export-button"
EXPORT_DOWNLOAD = "export-download"
EXPORT_STATUS = "export-status"

# the link to the reading view (dashboard/reading.py), carrying the URL's filter
READ_LINK = "read-link"
