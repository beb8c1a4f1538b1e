"""The SRO program's pages, mounted at /sro/."""

from django.urls import path

from schoolsafe.sro.views import program

app_name = "sro"

# Assignments, coverage, activity (views.program).
program_patterns: list = [
    path("assignments/", program.assignment_list, name="assignments"),
    path("assignments/new/", program.assignment_new, name="assignment-new"),
    path("assignments/<int:assignment_id>/", program.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/change/", program.assignment_change, name="assignment-change"),
    path("assignments/<int:assignment_id>/end/", program.assignment_end, name="assignment-end"),
    path("coverage/", program.coverage_board, name="coverage"),
    path("coverage/map/", program.coverage_map, name="coverage-map"),
    path("coverage/schools/<int:school_id>/hours/", program.coverage_hours, name="coverage-hours"),
    path("activity/", program.activity_index, name="activity"),
    path("activity/log/", program.activity_quick, name="activity-quick"),
    path("activity/officers/<int:officer_id>/<str:month>/", program.activity_officer_report, name="activity-officer"),
    path("activity/schools/<int:school_id>/<str:month>/", program.activity_school_report, name="activity-school"),
]
# MOUs (views.mou).
from schoolsafe.sro.views import mou as _mou  # noqa: E402

mou_patterns: list = [
    path("mou/", _mou.mou_list, name="mou_list"),
    path("mou/new/", _mou.mou_create, name="mou_create"),
    path("mou/<int:mou_id>/", _mou.mou_detail, name="mou_detail"),
    path("mou/<int:mou_id>/sections/<slug:key>/", _mou.mou_section, name="mou_section"),
    path("mou/<int:mou_id>/signatories/", _mou.mou_signatory, name="mou_signatory"),
    path("mou/<int:mou_id>/sign/", _mou.mou_sign, name="mou_sign"),
    path("mou/<int:mou_id>/signed-file/", _mou.mou_signed_file, name="mou_signed_file"),
    path("mou/<int:mou_id>/signed-file/upload/", _mou.mou_signed_file_upload, name="mou_signed_file_upload"),
    path("mou/<int:mou_id>/pdf/", _mou.mou_pdf_view, name="mou_pdf"),
]
# Referrals and the equity dashboard (views.equity).
equity_patterns: list = []

urlpatterns = program_patterns + mou_patterns + equity_patterns
