"""Referrals, citations and arrests of students by school officers, and enrolment by group."""

__all__: list[str] = []
