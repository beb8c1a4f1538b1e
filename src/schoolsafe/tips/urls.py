"""The tip line's staff pages, mounted at /tips/ (signed in; second factor required for analysts)."""

from django.urls import path

from schoolsafe.tips import views

app_name = "tips"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("phone/", views.phone_tip, name="phone"),
    path("reports/annual.csv", views.annual_report, name="annual-report"),
    path("<int:tip_id>/", views.detail, name="detail"),
    path("<int:tip_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:tip_id>/<slug:verb>/", views.act, name="act"),
]
