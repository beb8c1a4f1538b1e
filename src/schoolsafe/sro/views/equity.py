"""Referral records and the equity dashboard."""
