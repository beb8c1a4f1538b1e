from django.contrib.auth import views as auth_views
from django.urls import path

from schoolsafe.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.mfa_settings, name="account-mfa"),
    path("security/authenticator/", views.mfa_enrol, name="account-mfa-enrol"),
    path("security/verify/", views.mfa_verify, name="account-mfa-verify"),
    path("security/recovery-codes/", views.mfa_recovery_codes, name="account-mfa-recovery"),
    path("tokens/", views.tokens, name="account-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="account-token-revoke"),
    path("terminals/", views.terminals, name="account-terminals"),
    path("terminals/<int:terminal_id>/revoke/", views.terminal_revoke, name="account-terminal-revoke"),
    path("tokens/<int:token_id>/confirm/", views.token_confirm, name="account-token-confirm"),
]
