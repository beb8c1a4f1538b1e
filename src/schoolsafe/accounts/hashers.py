"""Password hashing, bounded in total and at low priority.

Argon2 with Django's costs (100 MiB, eight lanes hashed in threads of its own) takes every core of the
machine for about a tenth of a second. Forty sign-ins at once kept both cores busy and delayed alerts by
seconds. Hashes run in a pool of SCHOOLSAFE_PASSWORD_HASHES threads at low CPU priority (core/lowpriority.py):
a few at a time, and never before the alert path when it needs a core. The others wait their turn (a refused
hash would read as a wrong password and count towards locking a real user's account).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from schoolsafe.core.lowpriority import LowPriorityPool

HASHING = LowPriorityPool(settings.SCHOOLSAFE_PASSWORD_HASHES, "password-hash")


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, same hashes), in the low-priority hashing pool."""

    def encode(self, password: str, salt: str) -> str:
        return HASHING.run(super().encode, password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        return HASHING.run(super().verify, password, encoded)

    def harden_runtime(self, password: str, encoded: str) -> Any:
        return HASHING.run(super().harden_runtime, password, encoded)
