"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>" with the channel's secret.

The timestamp is inside the signed text so that a captured request cannot be replayed later with a new
timestamp; receivers reject timestamps older than five minutes (docs/webhooks.md shows how).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-SchoolSafe-Signature"
TIMESTAMP_HEADER = "X-SchoolSafe-Timestamp"
DELIVERY_HEADER = "X-SchoolSafe-Delivery"
EVENT_HEADER = "X-SchoolSafe-Event"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret (256 random bits), shown to the administrator once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-SchoolSafe-Signature value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"
