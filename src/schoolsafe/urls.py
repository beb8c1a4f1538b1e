"""One URL map for the whole site."""

from django.contrib import admin
from django.urls import include, path

from schoolsafe.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("schoolsafe.accounts.urls")),
    path("audit/", include("schoolsafe.audit.urls")),
    path("notifications/", include("schoolsafe.notifications.urls")),
    path("threats/", include("schoolsafe.threats.urls")),
    path("alerts/", include("schoolsafe.alerts.urls")),
    # The public portal: no sign-in, open to anyone (the MFA/session rules apply to signed-in users only).
    path("public/", include("schoolsafe.public.urls")),
    path("tips/", include("schoolsafe.tips.urls")),
    # The installable app's service worker, manifest and icons, at the root (reach/views.py).
    path("", include("schoolsafe.reach.urls")),
    path("", include("schoolsafe.plans.urls")),
    path("", include("schoolsafe.core.urls")),
]
