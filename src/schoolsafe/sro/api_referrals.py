"""The SRO program API: referrals, citations and arrests, enrolment, equity aggregates."""

from ninja import Router

router = Router(tags=["sro referrals"])
