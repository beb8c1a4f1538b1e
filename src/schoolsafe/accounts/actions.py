"""Every write about accounts: API tokens, second factors, account locks. Each is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.accounts.mfa import RECOVERY_CODE_COUNT, RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME
from schoolsafe.accounts.models import ApiToken, LoginLock, User
from schoolsafe.accounts.tokens import new_token
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError

# A CharField's max_length is never None (Django's check fields.E120 refuses a CharField without one).
LABEL_MAX = cast(int, ApiToken._meta.get_field("label").max_length)


class AccountError(ActionError, ValueError):
    """Input an action refuses; the message names the field."""


def _user_org(user: User) -> str:
    """The organization an account's audit rows belong to: that of the person's first membership, so the
    administrators of the agency, district or school where they work see them ("" for none: superusers)."""
    first = user.memberships.order_by("pk").first()
    if first is None:
        return ""
    return f"{first.organization_kind}:{first.agency_id or first.district_id or first.school_id}"


# --- API tokens -----------------------------------------------------------------------------------


def check_token_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise AccountError("label: give the token a name, e.g. the system that will use it")
    if len(label) > LABEL_MAX:
        raise AccountError(f"label: at most {LABEL_MAX} characters")
    return label


@transaction.atomic
def do_create_api_token(actor: Any, user: User, label: str, *, assurance: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored or shown again.

    `assurance` is how the maker signed in (`ApiToken.PASSWORD` or `SECOND_FACTOR`); left out, it is
    OPERATOR when the actor is not a person (the command line) and PASSWORD when it is.
    """
    label = check_token_label(label)
    if not user.is_active:
        raise AccountError(f"user: {user.username} is not active")
    if assurance is None:
        assurance = ApiToken.PASSWORD if getattr(actor, "is_authenticated", False) else ApiToken.OPERATOR
    from schoolsafe.accounts.tokens import hash_token

    raw, prefix = new_token()
    token = ApiToken.objects.create(user=user, label=label, prefix=prefix, secret_hash=hash_token(raw),
                                    assurance=assurance)
    record(actor, "accounts.token_created", token, organization=_user_org(user),
           summary={"user": user.username, "label": label, "prefix": prefix, "assurance": assurance})
    return token, raw


@transaction.atomic
def do_confirm_api_token(actor: Any, token: ApiToken) -> bool:
    """Raise a password-only token to second-factor assurance; the caller has checked that `actor` passed
    the second factor in this session. False when there was nothing to confirm."""
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True, assurance=ApiToken.PASSWORD).update(
        assurance=ApiToken.SECOND_FACTOR
    ):
        return False
    token.assurance = ApiToken.SECOND_FACTOR
    record(actor, "accounts.token_confirmed", token, organization=_user_org(token.user),
           summary={"user": token.user.username, "label": token.label, "prefix": token.prefix})
    return True


@transaction.atomic
def do_revoke_api_token(actor: Any, token: ApiToken) -> bool:
    """Revoke a token at once; False when it was already revoked (nothing written)."""
    now = timezone.now()
    # Conditional update: two revocations at once write one audit row.
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        return False
    token.revoked_at = now
    record(actor, "accounts.token_revoked", token, organization=_user_org(token.user),
           summary={"user": token.user.username, "label": token.label, "prefix": token.prefix})
    return True


# --- Second factor --------------------------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def do_enrol_totp(actor: Any, user: User, key_hex: str) -> tuple[TOTPDevice, list[str]]:
    """Make `key_hex` the user's authenticator (replacing any earlier one) and issue fresh recovery codes.

    The caller has checked a code made with the key, so the person holds the app that made it.
    """
    replaced = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True)
    codes = _new_recovery_codes(user)
    record(actor, "accounts.mfa_enrolled", user, organization=_user_org(user),
           summary={"device": TOTP_DEVICE_NAME, "replaced_devices": replaced})
    record(actor, "accounts.recovery_codes_generated", user, organization=_user_org(user),
           summary={"count": len(codes)})
    return device, codes


@transaction.atomic
def do_generate_recovery_codes(actor: Any, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (the old ones stop working)."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise AccountError("mfa: set up an authenticator app first")
    codes = _new_recovery_codes(user)
    record(actor, "accounts.recovery_codes_generated", user, organization=_user_org(user),
           summary={"count": len(codes)})
    return codes


@transaction.atomic
def do_enrol_demo_totp(actor: Any, user: User, key_hex: str) -> bool:
    """Give a demo user the authenticator whose codes `schoolsafe demo-otp` prints; False if it has one."""
    if TOTPDevice.objects.filter(user=user).exists():
        return False
    TOTPDevice.objects.create(user=user, name="demo authenticator", key=key_hex, confirmed=True)
    record(actor, "accounts.mfa_enrolled", user, organization=_user_org(user),
           summary={"device": "demo authenticator", "demo": True})
    return True


# --- Account locks --------------------------------------------------------------------------------


@transaction.atomic
def do_lock_account(username: str, locked_at: dt.datetime, ends_at: dt.datetime, failures: int | None) -> bool:
    """Remember and audit that `username` is locked until `ends_at`; False if that lock is already known."""
    do_end_expired_locks(now=locked_at)
    if LoginLock.objects.filter(username=username, ended_at__isnull=True).exists():
        return False
    user = User.objects.filter(username=username).first()
    lock = LoginLock.objects.create(username=username, user=user, locked_at=locked_at, ends_at=ends_at)
    record("", "accounts.locked", user, organization=_user_org(user) if user else "",
           object_type="accounts.user", object_id=str(user.pk) if user else "",
           summary={"username": username, "failures": failures, "locked_at": locked_at.isoformat(),
                    "ends_at": ends_at.isoformat()})
    from schoolsafe.accounts.tasks import end_expired_locks

    # A row, not a sleeping coroutine: the worker records the end on time even across a restart.
    transaction.on_commit(lambda: end_expired_locks.using(run_after=lock.ends_at).enqueue())
    return True


def do_end_expired_locks(now: dt.datetime | None = None) -> int:
    """Audit the end of every lock whose time is up; returns how many ended. Safe to call from anywhere."""
    now = now or timezone.now()
    ended = 0
    for lock in LoginLock.objects.filter(ended_at__isnull=True, ends_at__lte=now).select_related("user"):
        with transaction.atomic():
            # Claimed with a conditional update, so two callers never both write the end.
            if not LoginLock.objects.filter(pk=lock.pk, ended_at__isnull=True).update(ended_at=lock.ends_at):
                continue
            record("", "accounts.unlocked", lock.user,
                   organization=_user_org(lock.user) if lock.user else "",
                   object_type="accounts.user", object_id=str(lock.user_id or ""),
                   summary={"username": lock.username, "locked_at": lock.locked_at.isoformat(),
                            "ended_at": lock.ends_at.isoformat(), "recorded_at": now.isoformat()})
            ended += 1
    return ended


@transaction.atomic
def do_end_lock_early(actor: Any, username: str, reason: str) -> bool:
    """Audit that an open lock ended before its time (an administrator reset the failed attempts)."""
    now = timezone.now()
    lock = LoginLock.objects.filter(username=username, ended_at__isnull=True, ends_at__gt=now).select_related("user").first()
    if lock is None or not LoginLock.objects.filter(pk=lock.pk, ended_at__isnull=True).update(ended_at=now):
        return False
    record(actor, "accounts.unlocked", lock.user, organization=_user_org(lock.user) if lock.user else "",
           object_type="accounts.user", object_id=str(lock.user_id or ""),
           summary={"username": username, "locked_at": lock.locked_at.isoformat(), "ended_at": now.isoformat(),
                    "early": True, "reason": reason})
    return True


# --- Receive-only terminals (CJIS Security Policy 5.5.5 session-lock exemption) ------------------------


def check_terminal_fields(name: str, location: str) -> tuple[str, str]:
    name, location = (name or "").strip(), (location or "").strip()
    if not name:
        raise AccountError("name: name the console, e.g. 'Dispatch position 3'")
    if len(name) > 100:
        raise AccountError("name: at most 100 characters")
    if not location:
        # The exemption holds only in a physically secure location: the administrator says which.
        raise AccountError("location: say where the console stands (the physically secure room)")
    if len(location) > 200:
        raise AccountError("location: at most 200 characters")
    return name, location


@transaction.atomic
def do_register_terminal(actor: User, agency: Any, name: str, location: str) -> tuple[Any, str]:
    """Register a dispatch console of `agency` as a receive-only terminal; returns the row and the raw secret
    (for the console's cookie; never stored or shown again). Only the agency's administrators may."""
    from schoolsafe.accounts.models import ReceiveOnlyTerminal
    from schoolsafe.accounts.terminals import hash_secret, new_secret, terminal_admin_agencies

    if agency.pk not in terminal_admin_agencies(actor):
        raise AccountError("agency: only an administrator of the agency registers its terminals")
    name, location = check_terminal_fields(name, location)
    raw = new_secret()
    terminal = ReceiveOnlyTerminal.objects.create(
        agency=agency, name=name, location=location, secret_hash=hash_secret(raw), registered_by=actor,
        registered_at=timezone.now(),
    )
    record(actor, "accounts.terminal_registered", terminal, organization=OrgKey.agency(agency.pk),
           summary={"name": name, "location": location})
    return terminal, raw


@transaction.atomic
def do_revoke_terminal(actor: User, terminal: Any) -> bool:
    """End a terminal's exemption at once (its sessions lock when idle again); False when already revoked."""
    from schoolsafe.accounts.models import ReceiveOnlyTerminal
    from schoolsafe.accounts.terminals import terminal_admin_agencies

    if terminal.agency_id not in terminal_admin_agencies(actor):
        raise AccountError("terminal: only an administrator of the agency revokes its terminals")
    now = timezone.now()
    if not ReceiveOnlyTerminal.objects.filter(pk=terminal.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor):
        return False
    terminal.revoked_at, terminal.revoked_by = now, actor
    record(actor, "accounts.terminal_revoked", terminal, organization=OrgKey.agency(terminal.agency_id),
           summary={"name": terminal.name, "location": terminal.location})
    return True

# --- Sign-ins -------------------------------------------------------------------------------------
# CJIS Security Policy 6 AU-2: successful and failed sign-ins, second-factor failures and sign-outs are
# audit events (locks and unlocks are above). No IP address or browser description is kept: the database
# keeps none anywhere, so that the anonymous tip line's promise holds (see docs/security.md).


def do_record_sign_in(user: User) -> None:
    """The password step succeeded."""
    record(user, "accounts.signed_in", user, organization=_user_org(user),
           summary={"username": user.username, "second_factor_next": _second_factor_next(user)})


def _second_factor_next(user: User) -> bool:
    from schoolsafe.accounts.mfa import second_factor_required

    return second_factor_required(user)


def do_record_failed_sign_in(username: str, *, locked: bool) -> None:
    """A wrong password, an unknown or inactive account, or any attempt during a lock.

    An existing account is named; for a name that matches no account, the text typed is not kept (it is
    often a password typed into the wrong field).
    """
    user = User.objects.filter(username=username).first() if username else None
    summary: dict[str, Any] = {"locked": locked}
    if user is not None:
        summary["username"] = user.username
    else:
        summary["unknown_username"] = True
    record("", "accounts.sign_in_failed", user, organization=_user_org(user) if user else "",
           object_type="accounts.user", object_id=str(user.pk) if user else "", summary=summary)


def do_record_second_factor(user: User, *, passed: bool, device_kind: str = "") -> None:
    """The second step: passed with a device (the app or a recovery code), or a code refused."""
    if passed:
        record(user, "accounts.second_factor_passed", user, organization=_user_org(user),
               summary={"device": device_kind})
    else:
        record(user, "accounts.second_factor_failed", user, organization=_user_org(user), summary={})


def do_record_sign_out(user: User | None, reason: str) -> None:
    """The session ended: the person signed out, or the session locked (idle) or expired."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    record(user, "accounts.signed_out", user, organization=_user_org(user), summary={"reason": reason})


def do_record_session_locked(user: User) -> None:
    """The session locked after 30 idle minutes (kept: its stream still delivers alert headlines)."""
    record(user, "accounts.session_locked", user, organization=_user_org(user), summary={"reason": "idle"})
