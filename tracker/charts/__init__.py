"""Charts of a filtered frame, as plain plotly figure dicts: the timeline (with density lanes at
scale), the counts per month and the map. Shared by the dashboard and every export."""

from importlib import resources

WORLD_TOPOJSON = "world_110m.json"


def world_topojson() -> str:
    """The offline world map outlines (Natural Earth 1:110m, as plotly.js's topojson)."""
    return resources.files(__package__).joinpath(WORLD_TOPOJSON).read_text(encoding="utf-8")
