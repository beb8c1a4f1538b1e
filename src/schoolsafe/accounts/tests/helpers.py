"""Test helpers for signing in the way a person does: password, then the code their app shows."""

from __future__ import annotations

from django.test import Client

from schoolsafe.testing.personas import PASSWORD, code_for_key

__all__ = ["code_for_key", "sign_in"]


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)
