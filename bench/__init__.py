"""The scale benchmark: ``python -m bench`` (see bench/__main__.py)."""
