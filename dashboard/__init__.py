"""The analysts' Dash app: ``create_app(csv_path)`` builds it; ``dashboard.app:server`` for gunicorn."""

from .app import create_app

__all__ = ["create_app"]
