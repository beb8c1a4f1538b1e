"""Writes to referrals, citations, arrests and enrolment counts."""

__all__: list[str] = []
