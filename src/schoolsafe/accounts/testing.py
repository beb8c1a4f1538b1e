"""Test support: a signed-in test client that has also passed the second factor where the role needs it.

Tests of other capabilities are about their own pages, not about signing in; tests of MFA itself
(accounts/tests) drive the real verification with a real code instead.
"""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY


def pass_mfa(client: Any, user: Any) -> None:
    """Mark the client's session as verified with a (created if missing) authenticator of `user`."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from schoolsafe.accounts.mfa import second_factor_required

    if not second_factor_required(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
