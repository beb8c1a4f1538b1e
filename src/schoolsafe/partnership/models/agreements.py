"""The partnership: agreements."""

__all__: list[str] = []
