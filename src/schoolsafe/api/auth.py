"""How API callers prove who they are: a signed-in session (browser) or a bearer token."""

from __future__ import annotations

from typing import Any

from ninja.security import SessionAuth


class SessionAuthenticated(SessionAuth):
    """A signed-in browser session (CSRF-checked for unsafe methods)."""


api_auth: list[Any] = [SessionAuthenticated()]
