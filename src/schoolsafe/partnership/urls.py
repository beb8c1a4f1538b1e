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
from schoolsafe.partnership.views import agreements as _agreements  # noqa: E402

agreements_patterns: list = [
    path("agreements/", _agreements.agreement_list, name="agreement_list"),
    path("agreements/new/", _agreements.agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/", _agreements.agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/status/", _agreements.agreement_status, name="agreement_status"),
    path("directory/", _agreements.directory_index, name="directory_index"),
    path("directory/schools/<int:school_id>/", _agreements.directory_school, name="directory_school"),
    path("directory/schools/<int:school_id>/add/", _agreements.directory_school_add, name="directory_school_add"),
    path("directory/agencies/<int:agency_id>/", _agreements.directory_agency, name="directory_agency"),
    path("directory/agencies/<int:agency_id>/add/", _agreements.directory_agency_add, name="directory_agency_add"),
    path("directory/entries/<int:entry_id>/verify/", _agreements.directory_verify, name="directory_verify"),
]

urlpatterns = meetings_patterns + agreements_patterns
