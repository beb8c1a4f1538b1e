"""Memoranda of understanding between an agency and a district (the ED/DOJ SECURe rubric)."""

__all__: list[str] = []
