"""The analysts' Dash app (built in the dashboard issue)."""
