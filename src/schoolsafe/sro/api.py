"""The SRO program API: assignments, coverage, activity."""

from ninja import Router

router = Router(tags=["sro"])
