"""Writes to MOUs."""

__all__: list[str] = []
