"""The partnership API: joint meetings and action items."""

from ninja import Router

router = Router(tags=["partnership"])
