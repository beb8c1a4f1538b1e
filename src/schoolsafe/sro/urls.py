"""The SRO program's pages, mounted at /sro/."""

from django.urls import path  # noqa: F401

app_name = "sro"

# Assignments, coverage, activity (views.program).
program_patterns: list = []
# MOUs (views.mou).
mou_patterns: list = []
# Referrals and the equity dashboard (views.equity).
from schoolsafe.sro.views import equity as _equity  # noqa: E402

equity_patterns: list = [
    path("equity/", _equity.equity_home, name="equity"),
    path("equity/schools/<int:school_id>/", _equity.equity_school, name="equity_school"),
    path("equity/districts/<int:district_id>/", _equity.equity_district, name="equity_district"),
    path("equity/enrollment/", _equity.enrollment_import, name="equity_enrollment"),
    path("referrals/", _equity.referral_list, name="referral_list"),
    path("referrals/new/", _equity.referral_new, name="referral_new"),
    path("referrals/<int:referral_id>/", _equity.referral_detail, name="referral_detail"),
]

urlpatterns = program_patterns + mou_patterns + equity_patterns
