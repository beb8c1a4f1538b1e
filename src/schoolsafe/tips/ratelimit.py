"""Rate limits for the anonymous tip line, kept without keeping who the tipster is.

A client is known only by a keyed hash of its network address, used as the name of a short-lived
counter in the cache. The address itself is never stored. The hash key mixes SECRET_KEY with a salt
that lives in the cache for an hour, so once the salt has expired nobody, not even someone holding
SECRET_KEY, can tell which address an old counter was for. Counters expire after their window.

With several app instances the cache must be shared (REDIS_URL) for the limits to be global; with
the default per-process cache each process counts on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

SALT_KEY = "tips:rl:salt"
SALT_SECONDS = 3600


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds`-long window."""

    scope: str
    count: int
    seconds: int


# Enough for a tipster who adds a second tip or corrects one; not enough to flood the line from one client.
SUBMIT = Limit("submit", 10, 600)
# Follow-up lookups and answers: a tipster checks back a few times.
LOOKUP = Limit("lookup", 30, 600)
# Wrong passphrases from one client, and against one tip code (whoever tries).
WRONG_PASSPHRASE_CLIENT = Limit("wrong-client", 10, 900)
WRONG_PASSPHRASE_CODE = Limit("wrong-code", 5, 900)


def _network(request: HttpRequest) -> str:
    """The client's address, or its /64 for IPv6 (one device holds a whole /64)."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _salt() -> str:
    salt = cache.get(SALT_KEY)
    if salt is None:
        # add() so that concurrent first requests agree on one salt.
        cache.add(SALT_KEY, secrets.token_hex(16), SALT_SECONDS)
        salt = cache.get(SALT_KEY) or ""
    return salt


def client_key(request: HttpRequest) -> str:
    """A keyed hash standing for the client, valid for the salt's lifetime; the address is dropped."""
    key = hashlib.sha256(f"schoolsafe.tips.ratelimit:{settings.SECRET_KEY}:{_salt()}".encode()).digest()
    return hmac.new(key, _network(request).encode(), hashlib.sha256).hexdigest()[:32]


def subject_key(value: str) -> str:
    """A keyed hash for something other than a client (a tip code), so the cache holds no codes."""
    key = hashlib.sha256(f"schoolsafe.tips.subject:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _counter(limit: Limit, who: str) -> tuple[str, int]:
    window = int(time.time() // limit.seconds)
    seconds_left = (window + 1) * limit.seconds - time.time()
    return f"tips:rl:{limit.scope}:{who}:{window}", max(1, math.ceil(seconds_left))


def hit(limit: Limit, who: str) -> int | None:
    """Count one event; None while within the limit, else the seconds until the window ends."""
    key, seconds_left = _counter(limit, who)
    cache.add(key, 0, limit.seconds + 5)
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, limit.seconds + 5)
        value = 1
    return seconds_left if value > limit.count else None


def exceeded(limit: Limit, who: str) -> int | None:
    """Whether the limit is already used up, without counting: seconds to wait, or None."""
    key, seconds_left = _counter(limit, who)
    value = cache.get(key) or 0
    return seconds_left if value >= limit.count else None


def reset(limit: Limit, who: str) -> None:
    cache.delete(_counter(limit, who)[0])
