"""Assignments of officers to schools, MOUs and the activity log."""

__all__: list[str] = []
