"""Reviewed content for the red-flag screen (data only; loaded with importlib.resources)."""
