"""The partnership API."""

from ninja import Router

router = Router(tags=["partnership"])
