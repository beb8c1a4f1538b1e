"""API tokens: how a raw token is made, hashed and resolved to its user.

A token reads `ss_<prefix>_<secret>`; the prefix (8 hex characters) is stored in clear to identify the
token in lists, and the whole string is hashed with SHA-256 for lookup. Writes (create, revoke) are in
`schoolsafe.accounts.actions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from schoolsafe.accounts.models import User

TOKEN_SCHEME = "ss"
# Writing last_used_at on every call would turn each API read into a write; once a minute is enough
# to answer "is this integration still in use?".
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (raw token, prefix)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}", prefix


INVALID = "invalid or revoked API token"
# RFC 9470 (OAuth 2.0 step-up authentication): the credential is valid but its authentication is too weak.
NEEDS_SECOND_FACTOR = (
    "this API token was made without a second factor, which your roles now need: confirm it on the "
    "API tokens page after signing in with your second factor, or make a new token there"
)


def user_for_token(raw: str) -> User | None:
    """The active user of a live, usable API token, or None for an unknown, revoked, inactive or
    suspended one."""
    return resolve_token(raw)[0]


def resolve_token(raw: str) -> tuple[User | None, str]:
    """(the token's user, "") for a usable token, else (None, why it is refused)."""
    from schoolsafe.accounts.models import ApiToken

    if not raw or len(raw) > 200:
        return None, INVALID
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=hash_token(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None, INVALID
    if token.lacks_second_factor():
        # Suspended, not revoked: confirming it in a session that passed the second factor restores it.
        return None, NEEDS_SECOND_FACTOR
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional: concurrent calls write once, and a token revoked meanwhile is not touched.
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user, ""
