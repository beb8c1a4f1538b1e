"""Keep the tipster out of the logs.

Django's request logging puts the whole HttpRequest on the log record (`record.request`); a handler
such as the admin e-mail handler prints its META, with the client's address and user agent. For the
anonymous tip line's paths the request is taken off the record before any handler sees it. The
message itself carries only the path (Django's "Not Found: /path"), which identifies nobody.
"""

from __future__ import annotations

import logging

ANONYMOUS_PREFIXES = ("/public/", "/api/v1/tips", "/api/v1/public/")


def is_anonymous_path(path: str) -> bool:
    return path.startswith(ANONYMOUS_PREFIXES)


class DropTipsterRequest(logging.Filter):
    """Removes the request object from log records about the anonymous tip line's paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and is_anonymous_path(getattr(request, "path", "") or ""):
            record.request = None
        return True


def install() -> None:
    """Attach the filter to every handler of the root and `django` loggers (a handler filter sees the
    records of all loggers below it, e.g. django.request and django.security.*)."""
    drop = DropTipsterRequest()
    for name in ("", "django"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, DropTipsterRequest) for f in handler.filters):
                handler.addFilter(drop)
    for name in ("django.request", "django.security"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropTipsterRequest) for f in logger.filters):
            logger.addFilter(drop)
