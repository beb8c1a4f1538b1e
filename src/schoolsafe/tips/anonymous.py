"""What every anonymous tip-line request goes through: the same-origin check and the rate limits.

Why no CSRF token: CSRF protection exists because a browser sends a signed-in user's cookies along with
a forged cross-site request. A tipster has no account and we give them no cookie, so a forged request
carries no authority: whoever forges a tip could just as well send it themselves. A CSRF token would
need a cookie (a per-browser identifier, the very thing we promise not to set). Instead, public POSTs
are refused when the browser says they come from another site (Origin, Sec-Fetch-Site), and every
client is rate limited.
"""

from __future__ import annotations

import math

from django.http import HttpRequest

from schoolsafe.tips import ratelimit


def cross_site(request: HttpRequest) -> bool:
    """True when the browser reports that this request was sent from another site's page."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # Not a browser form post from another site (browsers send Origin on cross-site POSTs).
    return origin != f"{request.scheme}://{request.get_host()}"


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def submit_limit(request: HttpRequest) -> int | None:
    """Count one submission from this client; seconds to wait when over the limit, else None."""
    return ratelimit.hit(ratelimit.SUBMIT, ratelimit.client_key(request))


def lookup_blocked(request: HttpRequest) -> int | None:
    """Whether this client may not try a passphrase now (seconds to wait).

    Only the client's own counters block before the passphrase is checked: the tip code's counter
    (wrong passphrases from anyone) must not, or whoever knows a code could lock its tipster out of the
    follow-up by sending five wrong passphrases. The right passphrase always opens."""
    client = ratelimit.client_key(request)
    return ratelimit.hit(ratelimit.LOOKUP, client) or ratelimit.exceeded(ratelimit.WRONG_PASSPHRASE_CLIENT, client)


def wrong_passphrase(request: HttpRequest, code: str) -> int | None:
    """Count a wrong passphrase against the client and the tip code; seconds to wait when either is now
    over its limit (the answer is then 429, still without saying whether the code exists)."""
    by_client = ratelimit.hit(ratelimit.WRONG_PASSPHRASE_CLIENT, ratelimit.client_key(request))
    by_code = ratelimit.hit(ratelimit.WRONG_PASSPHRASE_CODE, ratelimit.subject_key(code))
    return by_client or by_code
