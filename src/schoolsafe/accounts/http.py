"""Request types for code that only runs for a signed-in user, so that the type checker knows who is asking.

Django types `request.user` as a user or `AnonymousUser`; behind `login_required` (pages) or the API's
`api_auth` (django-ninja sets `request.auth` to what the authenticator returned, and both of ours leave the
same user on `request.user`) it is always one of our users. Annotate the view's `request` with one of these:
they are only annotations, Django still passes its own `HttpRequest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from schoolsafe.accounts.models import User

    class RequestUser(User):
        """The user on a request: django_otp's OTPMiddleware (settings.MIDDLEWARE) adds `is_verified()`,
        whether this session passed a second factor. A user read from the database has no such method."""

        class Meta:
            abstract = True

        def is_verified(self) -> bool: ...


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind `login_required`."""

    user: RequestUser


class ApiRequest(AuthenticatedHttpRequest):
    """The request of an API operation behind `schoolsafe.api.auth.api_auth` (every one not public by design)."""

    auth: User
