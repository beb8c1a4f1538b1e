"""The tip code and passphrase a tipster gets once, and how the passphrase is kept (hashed)."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

# No 0/O, 1/I/L, 5/S, 2/Z: read aloud over the phone or copied by hand without mistakes.
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # 31 symbols, about 4.95 bits each
PASSPHRASE_GROUPS = 4
PASSPHRASE_GROUP_LENGTH = 4


class TipPassphraseHasher(Argon2PasswordHasher):
    """Argon2id with a small memory cost.

    Argon2's default cost (100 MiB, ~150 ms) protects passwords people choose, which are guessable.
    A tip passphrase is chosen by the server: 16 symbols from 31, about 79 bits, beyond any offline
    guessing whatever the hash cost. A cheaper hash (1 MiB, one pass: about 0.5 ms) is what
    lets one process take a flood of tips after an incident. Online guessing is throttled separately.
    """

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


HASHER = TipPassphraseHasher()


def new_code() -> str:
    """A tip code like 'K7QM-XR4P' (about 38 bits; the code finds the tip, the passphrase proves it)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_passphrase() -> str:
    """A passphrase like 'kq7m-x4pt-9hzw-3nra'."""
    groups = ("".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(PASSPHRASE_GROUP_LENGTH))
              for _ in range(PASSPHRASE_GROUPS))
    return "-".join(groups)


def normalize_code(value: str) -> str:
    """What the tipster typed, tolerant of case, spaces and a missing dash."""
    cleaned = "".join(ch for ch in value.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else cleaned


def normalize_passphrase(value: str) -> str:
    cleaned = "".join(ch for ch in value.lower() if ch.isalnum())
    size = PASSPHRASE_GROUP_LENGTH
    if len(cleaned) == PASSPHRASE_GROUPS * size:
        return "-".join(cleaned[i:i + size] for i in range(0, len(cleaned), size))
    return cleaned


def hash_passphrase(passphrase: str) -> str:
    return make_password(passphrase, hasher=HASHER)


def check_passphrase(passphrase: str, encoded: str) -> bool:
    """Whether `passphrase` matches; constant-time in the comparison (Argon2's verify)."""
    if not encoded:
        return False
    try:
        return HASHER.verify(normalize_passphrase(passphrase), encoded)
    except ValueError:
        return False


# Verified against when the code is unknown, so a wrong code and a wrong passphrase take the same time.
DUMMY_HASH = ""


def dummy_check(passphrase: str) -> None:
    global DUMMY_HASH
    if not DUMMY_HASH:
        DUMMY_HASH = hash_passphrase(new_passphrase())
    check_passphrase(passphrase, DUMMY_HASH)
