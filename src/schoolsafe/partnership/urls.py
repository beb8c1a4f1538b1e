"""The partnership pages, mounted at /partnership/."""

from django.urls import path  # noqa: F401

app_name = "partnership"

# Joint meetings and action items (views.meetings).
meetings_patterns: list = []
# Information-sharing agreements and the contact directory (views.agreements).
agreements_patterns: list = []

urlpatterns = meetings_patterns + agreements_patterns
