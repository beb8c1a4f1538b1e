"""One base for what an action refuses, mapped to HTTP once.

An action (`do_*`) that cannot do what it is asked raises a subclass of ActionError: the message is written
for the person who asked ("the alert is already cancelled"), `field` names the input at fault (empty when
none), and `status` is the HTTP answer (400 bad input, 403 not allowed, 409 not in this state, 422 input
that fails a rule). A page or an API endpoint may catch it to answer in its own way (re-render the form
with the message beside the field); one that does not gets the same answer everywhere: the API's exception
handler (api/api.py) returns `{"detail": ...}` with the status, and ActionErrorMiddleware renders the
message on a page with the status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class ActionError(Exception):
    """What an action refuses: `message` for the user, `field` at fault (or ""), `status` the HTTP answer."""

    status: int = 400

    def __init__(self, message: str = "", field: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    @property
    def detail(self) -> str:
        """The message with the field it concerns in front ("ends_at: must be after starts_at")."""
        message = str(self)
        if self.field and not message.startswith(f"{self.field}:"):
            return f"{self.field}: {message}"
        return message


class ActionErrorMiddleware:
    """A page whose view lets an ActionError through answers with its status and message, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ActionError):
            return None
        return render(request, "core/action_error.html", {"message": exception.detail}, status=exception.status)
