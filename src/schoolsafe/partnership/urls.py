"""The partnership pages, mounted at /partnership/."""

from django.urls import path  # noqa: F401

app_name = "partnership"

# Joint meetings and action items (views.meetings).
meetings_patterns: list = []
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
