"""Password hashing, bounded in total (issue 25, item 1).

Argon2 with Django's costs (100 MiB, several lanes) takes a core or more for about a tenth of a second.
Forty sign-ins at once would take every core of the machine, and the alert path runs on the same cores.
At most SCHOOLSAFE_PASSWORD_HASHES hashes run at once per process; the others wait their turn (a refused
hash would read as a wrong password and count towards locking a real user's account).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

_hashing = threading.BoundedSemaphore(max(1, settings.SCHOOLSAFE_PASSWORD_HASHES))


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, same hashes), a few at a time."""

    def encode(self, password: str, salt: str) -> str:
        with _hashing:
            return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        with _hashing:
            return super().verify(password, encoded)

    def harden_runtime(self, password: str, encoded: str) -> Any:
        with _hashing:
            return super().harden_runtime(password, encoded)
