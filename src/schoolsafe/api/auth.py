"""How API callers prove who they are: a bearer token (integrations, scripts) or a signed-in session (browser)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`: the token's user, with exactly that user's permissions. No CSRF:
    a browser never sends this header on its own, so a forged cross-site request cannot carry it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from schoolsafe.accounts.tokens import resolve_token

        user, refused = resolve_token(token)
        if user is None:
            # A wrong token is an error, not a reason to fall back to a session cookie sent alongside.
            raise HttpError(401, refused)
        request.user = user
        return user


class SessionAuthenticated(SessionAuth):
    """A signed-in browser session (CSRF-checked for unsafe methods); session rules and MFA are
    enforced before this by schoolsafe.accounts.middleware."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie, no session to forge: a caller without credentials is told to authenticate
        # (401), not that a CSRF check failed (403), which django-ninja would answer for an unsafe method.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


api_auth: list[Any] = [BearerToken(), SessionAuthenticated()]
