from django.urls import path

from schoolsafe.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
]
