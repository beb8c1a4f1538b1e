"""The partnership pages, mounted at /partnership/."""

from django.urls import path

from schoolsafe.partnership.views import agreements, meetings

app_name = "partnership"

# Joint meetings and action items (views.meetings).
meetings_patterns: list = [
    path("meetings/", meetings.meeting_list, name="meeting-list"),
    path("meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:meeting_id>/minutes/", meetings.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:meeting_id>/invitation.ics", meetings.meeting_ics, name="meeting-ics"),
    path("meetings/<int:meeting_id>/action-items/new/", meetings.action_item_create, name="action-item-create"),
    path("action-items/", meetings.action_item_list, name="action-item-list"),
    path("action-items/overdue/", meetings.action_item_list, {"overdue": True}, name="action-item-overdue"),
    path("action-items/<int:item_id>/", meetings.action_item_detail, name="action-item-detail"),
]
# Information-sharing agreements and the contact directory (views.agreements).
agreements_patterns: list = [
    path("agreements/", agreements.agreement_list, name="agreement-list"),
    path("agreements/new/", agreements.agreement_create, name="agreement-create"),
    path("agreements/<int:agreement_id>/", agreements.agreement_detail, name="agreement-detail"),
    path("agreements/<int:agreement_id>/status/", agreements.agreement_status, name="agreement-status"),
    path("directory/", agreements.directory_index, name="directory-index"),
    path("directory/schools/<int:school_id>/", agreements.directory_school, name="directory-school"),
    path("directory/schools/<int:school_id>/add/", agreements.directory_school_add, name="directory-school-add"),
    path("directory/agencies/<int:agency_id>/", agreements.directory_agency, name="directory-agency"),
    path("directory/agencies/<int:agency_id>/add/", agreements.directory_agency_add, name="directory-agency-add"),
    path("directory/entries/<int:entry_id>/verify/", agreements.directory_verify, name="directory-verify"),
]

urlpatterns = meetings_patterns + agreements_patterns
