"""The server's VAPID key pair (RFC 8292): generated once into the data folder, like the secret key.

A push service accepts messages for a subscription only when they are signed with the key the browser was
given at subscribe time (`applicationServerKey`), so the key must survive restarts and be the same on every
instance: keep the data folder, or set SCHOOLSAFE_VAPID_PRIVATE_KEY (PEM) on every instance.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid


@functools.cache
def vapid() -> Vapid:
    """The VAPID signer (its private key from the environment, or from the data folder, created once)."""
    given = os.environ.get("SCHOOLSAFE_VAPID_PRIVATE_KEY", "").strip()
    if given:
        return Vapid.from_pem(given.encode())
    path = settings.DATA_DIR / "vapid_private_key.pem"
    try:
        return Vapid.from_pem(path.read_bytes())
    except FileNotFoundError:
        pass
    key = Vapid()
    key.generate_keys()
    # O_EXCL: two processes starting together must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Vapid.from_pem(path.read_bytes())
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_pem())
    return key


def application_server_key() -> str:
    """The public key as the browser's `pushManager.subscribe()` takes it: base64url, uncompressed P-256 point."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subject() -> str:
    """Who the push service may contact about our messages (RFC 8292 §2.1 "sub"): a mailto: or https: URL."""
    return str(getattr(settings, "SCHOOLSAFE_VAPID_SUBJECT", "") or "mailto:safety@schoolsafe.invalid")
