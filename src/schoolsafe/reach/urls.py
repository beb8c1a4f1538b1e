from django.urls import path

from schoolsafe.reach import views

app_name = "reach"

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("icons/schoolsafe-<int:size>.png", views.icon, name="icon"),
    path("takeover/<int:alert_id>/", views.takeover, name="takeover"),
]
