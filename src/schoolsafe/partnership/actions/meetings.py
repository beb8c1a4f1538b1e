"""Writes: meetings."""

__all__: list[str] = []
