"""The partnership: meetings."""

__all__: list[str] = []
