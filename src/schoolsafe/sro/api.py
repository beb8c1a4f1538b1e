"""The SRO program API: assignments, coverage, MOUs, activity."""

from ninja import Router

router = Router(tags=["sro"])
