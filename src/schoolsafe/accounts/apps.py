from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class AccountsConfig(registry.CapabilityConfig):
    name = "schoolsafe.accounts"
    urls = (UrlMount("accounts/", "schoolsafe.accounts.urls", order=10),)
    api_routers = ("schoolsafe.accounts.api:router",)
    api_order = 10
    commands = "schoolsafe.accounts.commands"
    demo_loader = "schoolsafe.accounts.demo:load_demo"
    demo_order = 10
    nav = (
        NavEntry("Receive-only terminals", "account-terminals", order=140,
                 permission=("core.agency", "terminals"), needs_membership=True),
        NavEntry("Security", "account-mfa", order=150),
        NavEntry("API tokens", "account-tokens", order=160),
    )

    def ready(self) -> None:
        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_delete

        from schoolsafe.accounts import policies, signins  # noqa: F401 - policies: the terminals row
        from schoolsafe.accounts.lockout import on_access_attempt_deleted, on_user_locked_out
        from schoolsafe.accounts.sessions import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="schoolsafe.accounts.session_start")
        user_logged_in.connect(signins.on_user_logged_in, dispatch_uid="schoolsafe.accounts.audit_sign_in")
        user_login_failed.connect(signins.on_user_login_failed, dispatch_uid="schoolsafe.accounts.audit_failure")
        user_logged_out.connect(signins.on_user_logged_out, dispatch_uid="schoolsafe.accounts.audit_sign_out")
        user_locked_out.connect(on_user_locked_out, dispatch_uid="schoolsafe.accounts.locked")
        post_delete.connect(on_access_attempt_deleted, sender=AccessAttempt, dispatch_uid="schoolsafe.accounts.reset")
