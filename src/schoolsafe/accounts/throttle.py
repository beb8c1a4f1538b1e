"""Sign-in attempts, bounded per client and in total.

A sign-in costs an Argon2 hash (about 100 MiB and a core for a tenth of a second), also for a username
that does not exist (Django hashes anyway, so that the time does not tell). Forty failed sign-ins at once
took every core and delayed alerts by seconds. So:

- per client: at most `ATTEMPTS` sign-ins that did not succeed in a `WINDOW`, counted when the attempt
  starts (so forty sent at once are bounded too) and given back when it succeeds (a school's staff behind
  one address sign in every morning). Past it: 429 with Retry-After, before any hashing;
- in total: at most `SCHOOLSAFE_PASSWORD_HASHES` password hashes at once per process (`hashers.py`).

The account lock (django-axes, by username) stays as it is. The client is known only by a keyed hash of
its address, in the cache, never stored (as the tip line's limits).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ATTEMPTS = 20
WINDOW = 600


def _key(request: HttpRequest) -> str:
    secret = hashlib.sha256(f"schoolsafe.accounts.throttle:{settings.SECRET_KEY}".encode()).digest()
    client = hmac.new(secret, (request.META.get("REMOTE_ADDR") or "unknown").encode(), hashlib.sha256)
    return f"accounts:signin:{client.hexdigest()[:32]}:{int(time.time() // WINDOW)}"


def attempt(request: HttpRequest) -> int | None:
    """Count one sign-in attempt from this client: seconds to wait when over the limit, else None."""
    key = _key(request)
    cache.add(key, 0, WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW + 5)
        count = 1
    if count <= ATTEMPTS:
        request._signin_counted = key  # type: ignore[attr-defined]
        return None
    return max(1, WINDOW - int(time.time() % WINDOW))


@receiver(user_logged_in)
def _give_back_on_success(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    key = getattr(request, "_signin_counted", None)
    if key:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(key)


def refused(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "accounts/throttled.html", {"minutes": max(1, -(-wait // 60))}, status=429)
    response["Retry-After"] = str(wait)
    return response
