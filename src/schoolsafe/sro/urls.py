"""The SRO program's pages, mounted at /sro/."""

from django.urls import path  # noqa: F401

app_name = "sro"

# Assignments, coverage, activity (views.program).
program_patterns: list = []
# MOUs (views.mou).
mou_patterns: list = []
# Referrals and the equity dashboard (views.equity).
equity_patterns: list = []

urlpatterns = program_patterns + mou_patterns + equity_patterns
