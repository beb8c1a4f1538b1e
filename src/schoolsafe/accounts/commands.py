"""`schoolsafe token ...` and `schoolsafe demo-otp`: account commands for the operator.

Imported before Django is set up: only argparse at the top level.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

ACTOR = "schoolsafe (command line)"


def _fail(message: str) -> int:
    # One line and a non-zero status; not CommandError, which `python -m schoolsafe.cli` would import twice.
    print(f"schoolsafe: error: {message}", file=sys.stderr)
    return 2


def add_commands(sub: Any) -> dict[str, Any]:
    token = sub.add_parser("token", help="create, list and revoke API tokens")
    parser_class = getattr(sub, "_parser_class", argparse.ArgumentParser)
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", parser_class=parser_class)
    token_sub.required = True
    create = token_sub.add_parser("create", help="create a token; the token is the last line printed")
    create.add_argument("--user", required=True, help="username the token acts as")
    create.add_argument("--label", default="", help="what will use the token (default: 'command line')")
    listing = token_sub.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--user", help="only this user's tokens")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    revoke = token_sub.add_parser("revoke", help="revoke a token by its id or its prefix")
    revoke.add_argument("token", help="the id or the 8-character prefix shown by 'token list'")

    otp = sub.add_parser("demo-otp", help="print a demo user's current sign-in code (demo data only)")
    otp.add_argument("user", help="demo username, e.g. dispatcher")
    return {"token": cmd_token, "demo-otp": cmd_demo_otp}


def cmd_token(args: argparse.Namespace) -> int:
    from schoolsafe.accounts import actions
    from schoolsafe.accounts.models import ApiToken, User

    if args.token_command == "create":
        user = User.objects.filter(username=args.user).first()
        if user is None:
            return _fail(f"--user: no user named {args.user!r}")
        try:
            token, raw = actions.do_create_api_token(ACTOR, user, args.label or "command line")
        except actions.AccountError as exc:
            return _fail(str(exc))
        print(f"Created token {token.pk} “{token.label}” for {user.username} (prefix {token.prefix}).")
        print("It carries exactly this user's permissions. Keep it secret; it is not shown again:")
        print(raw)
        return 0
    if args.token_command == "list":
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if args.user:
            tokens = tokens.filter(user__username=args.user)
        if not args.all:
            tokens = tokens.filter(revoked_at__isnull=True)
        print(f"{'id':>5}  {'prefix':<8}  {'user':<16}  {'created':<16}  {'last used':<16}  label")
        for t in tokens:
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            label = t.label + (" (revoked)" if t.revoked_at else "")
            print(f"{t.pk:>5}  {t.prefix:<8}  {t.user.username:<16}  {t.created_at:%Y-%m-%d %H:%M}  {used:<16}  {label}")
        return 0
    # revoke
    ref = args.token.strip()
    tokens = ApiToken.objects.select_related("user")
    # A prefix is 8 hex characters and may be all digits: try it as a prefix first.
    found = list(tokens.filter(prefix=ref.lower())[:2]) if len(ref) == 8 else []
    if not found and ref.isdigit():
        found = list(tokens.filter(pk=int(ref)))
    if not found:
        return _fail(f"token: no token with id or prefix {ref!r} (see 'schoolsafe token list')")
    if len(found) > 1:
        return _fail(f"token: prefix {ref!r} matches several tokens; give the id instead")
    token = found[0]
    if actions.do_revoke_api_token(ACTOR, token):
        print(f"Revoked token {token.pk} “{token.label}” of {token.user.username}.")
    else:
        print(f"Token {token.pk} “{token.label}” of {token.user.username} was already revoked.")
    return 0


def _missing_database() -> str:
    """Why there is no SchoolSafe database to read, naming where it was looked for; "" when there is one."""
    from pathlib import Path

    from django.conf import settings
    from django.db import DatabaseError, connection

    where = (f"the data folder {settings.DATA_DIR} (SCHOOLSAFE_DATA)" if connection.vendor == "sqlite"
             else "the database DATABASE_URL names")
    hint = "run 'schoolsafe demo' first, or point SCHOOLSAFE_DATA at the demo's data folder"
    # Checked before connecting: SQLite would create an empty database file on the first query.
    if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).is_file():
        return f"no SchoolSafe database in {where}: {hint}"
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        return f"cannot open the database in {where} ({exc}): {hint}"
    if "accounts_user" not in tables:
        return f"the database in {where} has no SchoolSafe tables: {hint}"
    return ""


def cmd_demo_otp(args: argparse.Namespace) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from schoolsafe.accounts.county import is_demo_database
    from schoolsafe.accounts.mfa import current_code

    missing = _missing_database()
    if missing:
        return _fail(missing)
    if not is_demo_database():
        return _fail("demo-otp works only on demo data (this database was not made by 'schoolsafe demo')")
    device = TOTPDevice.objects.filter(user__username=args.user, confirmed=True).first()
    if device is None:
        return _fail(f"{args.user!r} is not a demo user with an authenticator")
    print(current_code(device))
    return 0
