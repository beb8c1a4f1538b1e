"""Test helpers for signing in the way a person does: password, then the code their app shows."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp

from schoolsafe.conftest import PASSWORD


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def code_for_key(key_hex: str) -> str:
    """The 6-digit code an authenticator app shows now for this secret (RFC 6238: SHA-1, 30 s steps)."""
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6):06d}"
