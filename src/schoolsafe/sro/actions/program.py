"""Writes to assignments, MOUs and the activity log."""

__all__: list[str] = []
