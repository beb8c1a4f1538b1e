"""The SRO program API: the MOU register."""

from ninja import Router

router = Router(tags=["sro mou"])
