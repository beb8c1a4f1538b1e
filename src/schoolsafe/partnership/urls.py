"""The partnership pages, mounted at /partnership/."""

from django.urls import path  # noqa: F401

app_name = "partnership"

# Joint meetings and action items (views.meetings).
from schoolsafe.partnership.views import meetings as _meetings  # noqa: E402

meetings_patterns: list = [
    path("meetings/", _meetings.meeting_list, name="meeting-list"),
    path("meetings/new", _meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", _meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/edit", _meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/cancel", _meetings.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:meeting_id>/minutes", _meetings.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:meeting_id>/invitation.ics", _meetings.meeting_ics, name="meeting-ics"),
    path("meetings/<int:meeting_id>/action-items/new", _meetings.action_item_create, name="action-item-create"),
    path("action-items/", _meetings.action_item_list, name="action-item-list"),
    path("action-items/overdue", _meetings.action_item_list, {"overdue": True}, name="action-item-overdue"),
    path("action-items/<int:item_id>/", _meetings.action_item_detail, name="action-item-detail"),
]
# Information-sharing agreements and the contact directory (views.agreements).
agreements_patterns: list = []

urlpatterns = meetings_patterns + agreements_patterns
