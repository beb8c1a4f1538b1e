"""People and what they are to each organization."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from schoolsafe.access.owner import OwnedByOneOrganization, one_organization_constraint, organization_fields
from schoolsafe.access.roles import ROLE_CHOICES, ROLES


class User(AbstractUser):
    """A person who signs in: staff, officer, dispatcher, analyst."""

    full_name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Where this person usually is during the school day; prefills the panic page.
    room = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(OwnedByOneOrganization):
    """A role a person holds in one organization: an agency, a district or a school."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    agency, district, school = organization_fields("memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            one_organization_constraint("membership_one_organization"),
            models.UniqueConstraint(
                fields=["user", "role", "agency", "district", "school"], name="membership_unique"
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"

    def clean(self) -> None:
        role = ROLES.get(self.role)
        if role and self.organization_kind not in role.org_kinds:
            raise ValidationError(
                {"role": f"{role.label} is granted by an {' or '.join(sorted(role.org_kinds))}, "
                         f"not a {self.organization_kind}."}
            )


class ApiToken(models.Model):
    """A named secret with which a script or an integration calls the API as one user.

    Only a SHA-256 hash of the secret is stored: whoever reads the database cannot use a token. The
    secret is random (256 bits), so an unsalted fast hash is enough; a password hash would only slow
    every API call down. The prefix is kept in clear so that a person can tell their tokens apart.

    A token carries the assurance of whoever made it (`assurance`): a token made in a session that passed
    no second factor is never usable for a role that needs one (CJIS Security Policy 6 IA-2), even a role
    granted after the token was made; `schoolsafe.accounts.tokens` checks it on every call.
    """

    # A session signed in with a password alone.
    PASSWORD = "password"
    # A session that passed the second factor (or a password-only token confirmed later in such a session).
    SECOND_FACTOR = "second_factor"
    # The operator on the server's command line, who is accountable for the token.
    OPERATOR = "operator"
    ASSURANCE_CHOICES = [
        (PASSWORD, "password only"),
        (SECOND_FACTOR, "with a second factor"),
        (OPERATOR, "issued by the operator"),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Tokens made before this was recorded count as password-only: the safe reading of "unknown".
    assurance = models.CharField(max_length=16, choices=ASSURANCE_CHOICES, default=PASSWORD)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def lacks_second_factor(self) -> bool:
        """True when the token's user now holds a role that needs a second factor the token never had."""
        from schoolsafe.accounts.mfa import needs_mfa

        return self.assurance == self.PASSWORD and needs_mfa(self.user)


class LoginLock(models.Model):
    """A period in which an account refused every sign-in after repeated failed attempts.

    django-axes decides the lock; this row remembers it so that its start and its end are each
    written to the audit log exactly once.
    """

    username = models.CharField(max_length=150)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    locked_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Set when the end has been written to the audit log.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ended_at", "ends_at"]), models.Index(fields=["username", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.username} locked {self.locked_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ReceiveOnlyTerminal(models.Model):
    """A dispatch console in a physically secure place, registered by its agency's administrator.

    CJIS Security Policy 5.5.5 (Session Lock; AC-11 in the modernized policy) exempts from the 30-minute
    session lock devices used to perform dispatch functions in a physically secure location and
    receive-only terminals there: a dispatcher signed in on a registered terminal is not locked for being
    idle (the 12-hour limit still holds). The terminal is the browser holding the secret (a cookie set at
    registration); only its SHA-256 hash is stored.
    """

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="terminals")
    name = models.CharField(max_length=100)
    location = models.CharField(max_length=200)
    secret_hash = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency_id", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"
