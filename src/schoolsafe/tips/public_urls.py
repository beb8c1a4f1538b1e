"""The tipster's pages, mounted inside the public portal (/public/<lang>/report/, /public/<lang>/follow-up/)."""

from django.urls import path

from schoolsafe.tips import public_views

urlpatterns = [
    path("report/", public_views.report, name="report"),
    path("follow-up/", public_views.follow_up, name="follow-up"),
]
