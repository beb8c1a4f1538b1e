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
mou_patterns: list = []
# Referrals and the equity dashboard (views.equity).
equity_patterns: list = []

urlpatterns = program_patterns + mou_patterns + equity_patterns
