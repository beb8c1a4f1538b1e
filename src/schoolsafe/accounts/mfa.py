"""Who needs a second factor, and whether a session has passed it.

CJIS Security Policy 6 (IA-2) and ASVS L2 (2.1): police roles, the threat-assessment and tip roles and
every administrator sign in with a second factor. A role's `needs_mfa` in the role table says which;
Django staff and superusers need it too, since the admin site reaches everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlencode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.oath import TOTP

from schoolsafe.access.roles import ROLES

ISSUER = "SchoolSafe"
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_DEVICE_NAME = "authenticator app"


def needs_mfa(user: Any) -> bool:
    """True when the user's roles (or staff status) require a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    from schoolsafe.access.policy import roles_of

    return any(ROLES[role].needs_mfa for role in roles_of(user) if role in ROLES)


def second_factor_required(user: Any) -> bool:
    """True when signing in as `user` takes a second factor: their roles need one, or they set one up.

    A second factor a person enrolled of their own accord is asked for too: otherwise the password alone
    opens the account and the factor protects nothing (NIST SP 800-63B 4.2: the authenticator bound to
    the account is the one used).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return needs_mfa(user) or has_totp(user)


def verified_device(session: Any, user: Any) -> Device | None:
    """The confirmed device of `user` with which this session passed MFA, if any."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def has_totp(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_totp_key() -> str:
    """A fresh 160-bit TOTP secret, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def totp_matches(key_hex: str, code: str) -> bool:
    """Whether `code` is the current TOTP (one step of drift either way) for a not yet saved key."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return False
    return TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6).verify(int(code), tolerance=1)


def provisioning_uri(username: str, key_hex: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Google Authenticator key format)."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": 6, "period": 30}
    )


def readable_secret(key_hex: str) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup: no script and no data: URI, so it passes a strict CSP."""
    import segno

    # A white quiet zone of 4 modules (ISO/IEC 18004), so phones read it on any background.
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


def demo_totp_key(username: str) -> str:
    """A demo user's TOTP secret, derived from the username so `schoolsafe demo-otp` can print codes.

    Demo data only: anybody who reads this file can compute these secrets.
    """
    return hmac.new(b"schoolsafe-demo-totp", username.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def current_code(device: Any) -> str:
    """The code a TOTP device accepts right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
