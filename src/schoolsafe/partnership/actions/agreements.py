"""Writes: agreements."""

__all__: list[str] = []
