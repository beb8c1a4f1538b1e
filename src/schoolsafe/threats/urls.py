from django.urls import path

from schoolsafe.threats import views

app_name = "threats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refer/", views.refer, name="refer"),
    path("refer/thanks/", views.referred, name="referred"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/export/", views.export, name="export"),
    path("cases/<int:case_id>/notes/<int:note_id>/", views.note_detail, name="note"),
    path("cases/<int:case_id>/follow-ups/<int:follow_up_id>/", views.follow_up, name="follow-up"),
    path("cases/<int:case_id>/<slug:step>/", views.case_step, name="step"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("teams/<int:team_id>/members/<int:member_id>/<slug:what>/", views.team_member, name="team-member"),
    path("reports/", views.report, name="report"),
]
