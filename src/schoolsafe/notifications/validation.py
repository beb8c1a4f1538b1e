"""Checking a channel's configuration: names, event kinds, email addresses, phone numbers and URLs.

Every problem is reported against the field a person typed it into, all at once, so a form can show
each message beside its field.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from schoolsafe.core.errors import ActionError
from schoolsafe.events.kinds import channel_kinds
from schoolsafe.notifications.addresses import literal_refusal
from schoolsafe.notifications.models import ChannelKind, NotificationChannel

# A CharField's max_length is never None (Django's check fields.E120 refuses a CharField without one).
NAME_MAX = cast(int, NotificationChannel._meta.get_field("name").max_length)
URL_MAX = 500
MAX_RECIPIENTS = 50
BODY_FORMATS = ("json", "form")
# E.164: a plus, a country code and at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


class ChannelError(ActionError, ValueError):
    """A channel configuration refused; `errors` maps each field to what is wrong with it."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def split_list(value: str | Iterable[str]) -> list[str]:
    """Items typed one per line or separated by commas or semicolons; blanks dropped, order kept, no repeats."""
    items = re.split(r"[\n,;]", value) if isinstance(value, str) else list(value)
    seen: dict[str, None] = {}
    for item in items:
        item = str(item).strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def normalize_phone(raw: str) -> str:
    """A phone number in E.164 (+13525550100), or ValueError. A 10-digit number takes the default country
    code (SCHOOLSAFE_SMS_DEFAULT_COUNTRY, 1 for North America)."""
    digits = PHONE_PUNCTUATION.sub("", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        country = str(getattr(settings, "SCHOOLSAFE_SMS_DEFAULT_COUNTRY", "1"))
        if country == "1" and len(digits) == 11 and digits.startswith("1"):
            digits = "+" + digits
        elif country and len(digits) == 10:
            digits = f"+{country}{digits}"
        else:
            # A local number without its area or country code: guessing one could text a stranger.
            digits = ""
    if not E164.match(digits):
        raise ValueError(f"“{raw}” is not a phone number; write it with its country code, e.g. +1 352 555 0100")
    return digits


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(raw: str) -> str:
    """An http(s) URL fit to send to, or ValueError. Plain http only to this machine (tests, a local
    relay) unless SCHOOLSAFE_NOTIFY_ALLOW_HTTP: alert details must not cross a network unencrypted."""
    url = (raw or "").strip()
    if not url:
        raise ValueError("give the address to send to, e.g. https://cad.example.org/hooks/schoolsafe")
    if len(url) > URL_MAX:
        raise ValueError(f"at most {URL_MAX} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"use an https:// address, not {parts.scheme + ':' if parts.scheme else 'one without a scheme'}")
    if not parts.hostname:
        raise ValueError("the address has no host name")
    if parts.username or parts.password:
        raise ValueError("do not put a user name or password in the address (for SMS, use the credential fields)")
    if parts.fragment:
        raise ValueError("the address must not have a #fragment")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError("the port is not a number between 1 and 65535") from None
    refusal = literal_refusal(parts.hostname)
    if refusal:
        raise ValueError(f"{parts.hostname} is {refusal}; send only to a public internet address (the operator "
                         "can allow private ones with SCHOOLSAFE_WEBHOOK_ALLOW_PRIVATE)")
    if parts.scheme == "http" and not _loopback(parts.hostname) and not getattr(
        settings, "SCHOOLSAFE_NOTIFY_ALLOW_HTTP", False
    ):
        raise ValueError("use https:// (plain http is allowed only to this machine)")
    return url


def check_channel_config(
    kind: str,
    *,
    name: str,
    event_kinds: Iterable[str],
    recipients: str | Iterable[str] = "",
    url: str = "",
    username: str = "",
    token: str = "",
    body_format: str = "json",
    token_required: bool = True,
) -> tuple[dict[str, Any], list[str]]:
    """The channel's `config` and its event kinds, checked; raises ChannelError naming every bad field."""
    errors: dict[str, str] = {}
    config: dict[str, Any] = {}
    if kind not in ChannelKind.values:
        raise ChannelError({"kind": f"choose one of {', '.join(ChannelKind.values)}, not “{kind}”"})
    name = (name or "").strip()
    if not name:
        errors["name"] = "give the channel a name, e.g. “Dispatch CAD webhook”"
    elif len(name) > NAME_MAX:
        errors["name"] = f"at most {NAME_MAX} characters"
    kinds = split_list(event_kinds)
    offered = channel_kinds()
    unknown = [k for k in kinds if k not in offered]
    if unknown:
        errors["event_kinds"] = f"unknown event kind {', '.join(unknown)}; choose from {', '.join(offered)}"
    elif not kinds:
        errors["event_kinds"] = "choose at least one event the channel carries"
    kinds = [k for k in offered if k in kinds]

    if kind in (ChannelKind.WEBHOOK, ChannelKind.SMS):
        try:
            config["url"] = check_url(url)
        except ValueError as exc:
            errors["url"] = str(exc)

    if kind in (ChannelKind.EMAIL, ChannelKind.SMS):
        items = split_list(recipients)
        what = "email address" if kind == ChannelKind.EMAIL else "phone number"
        if not items:
            errors["recipients"] = f"give at least one {what}"
        elif len(items) > MAX_RECIPIENTS:
            errors["recipients"] = f"at most {MAX_RECIPIENTS} recipients per channel (use a mailing list or a second channel)"
        else:
            good, bad = [], []
            for item in items:
                if kind == ChannelKind.EMAIL:
                    try:
                        validate_email(item)
                        good.append(item)
                    except ValidationError:
                        bad.append(f"“{item}” is not an email address")
                else:
                    try:
                        good.append(normalize_phone(item))
                    except ValueError as exc:
                        bad.append(str(exc))
            if bad:
                errors["recipients"] = "; ".join(bad)
            config["recipients"] = list(dict.fromkeys(good))

    if kind == ChannelKind.SMS:
        username = (username or "").strip()
        if not username:
            errors["username"] = "give the user name (account id) the SMS gateway gave you"
        elif len(username) > 200:
            errors["username"] = "at most 200 characters"
        config["username"] = username
        if token_required and not (token or "").strip():
            errors["token"] = "give the SMS gateway's token (password or API key)"
        elif len(token or "") > 200:
            errors["token"] = "at most 200 characters"
        if body_format not in BODY_FORMATS:
            errors["body_format"] = f"choose json or form, not “{body_format}”"
        config["body_format"] = body_format

    if errors:
        raise ChannelError(errors)
    return config, kinds
