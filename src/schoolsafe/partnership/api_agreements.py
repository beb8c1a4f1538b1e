"""The partnership API: information-sharing agreements and the 24/7 contact directory."""

from ninja import Router

router = Router(tags=["partnership agreements"])
