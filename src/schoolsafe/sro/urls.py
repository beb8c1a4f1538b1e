"""The SRO program's pages, mounted at /sro/."""

from django.urls import path

from schoolsafe.sro.views import equity, mou, program

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
mou_patterns: list = [
    path("mou/", mou.mou_list, name="mou-list"),
    path("mou/new/", mou.mou_create, name="mou-create"),
    path("mou/<int:mou_id>/", mou.mou_detail, name="mou-detail"),
    path("mou/<int:mou_id>/sections/<slug:key>/", mou.mou_section, name="mou-section"),
    path("mou/<int:mou_id>/signatories/", mou.mou_signatory, name="mou-signatory"),
    path("mou/<int:mou_id>/sign/", mou.mou_sign, name="mou-sign"),
    path("mou/<int:mou_id>/signed-file/", mou.mou_signed_file, name="mou-signed-file"),
    path("mou/<int:mou_id>/signed-file/upload/", mou.mou_signed_file_upload, name="mou-signed-file-upload"),
    path("mou/<int:mou_id>/pdf/", mou.mou_pdf_view, name="mou-pdf"),
]
# Referrals and the equity dashboard (views.equity).
equity_patterns: list = [
    path("equity/", equity.equity_home, name="equity"),
    path("equity/schools/<int:school_id>/", equity.equity_school, name="equity-school"),
    path("equity/districts/<int:district_id>/", equity.equity_district, name="equity-district"),
    path("equity/enrollment/", equity.enrollment_import, name="equity-enrollment"),
    path("referrals/", equity.referral_list, name="referral-list"),
    path("referrals/new/", equity.referral_new, name="referral-new"),
    path("referrals/<int:referral_id>/", equity.referral_detail, name="referral-detail"),
]

urlpatterns = program_patterns + mou_patterns + equity_patterns
