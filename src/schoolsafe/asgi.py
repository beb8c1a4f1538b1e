"""The ASGI entry point: Django, the event stream beside it, and the lifespan protocol (Django does not speak it)."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsafe.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from schoolsafe.events import stream as event_stream  # noqa: E402  (needs Django set up)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await event_stream.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await event_stream.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http" and scope["path"] == event_stream.PATH and scope["method"] == "GET":
        # The event stream bypasses Django's request path (see events/stream.py for the measurements).
        await event_stream.event_stream(scope, receive, send)
        return
    await django_application(scope, receive, send)
