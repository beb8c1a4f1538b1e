"""The SRO program's pages, mounted at /sro/."""

from django.urls import path  # noqa: F401

app_name = "sro"

# Assignments, coverage, activity (views.program).
program_patterns: list = []
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
