"""The public portal, mounted at /public/: every page is open to anyone, with the language in the URL."""

from django.urls import include, path, register_converter

from schoolsafe.core.portal import LangConverter
from schoolsafe.public import views

register_converter(LangConverter, "lang")

app_name = "public"

urlpatterns = [
    path("", views.root, name="root"),
    path("<lang:lang>/", views.home, name="home"),
    path("<lang:lang>/safety/", views.safety, name="safety"),
    path("<lang:lang>/resources/", views.resources, name="resources"),
    path("<lang:lang>/privacy/", views.privacy, name="privacy"),
    path("<lang:lang>/campaigns/", views.campaigns, name="campaigns"),
    path("<lang:lang>/campaigns/<slug:slug>/", views.campaign, name="campaign"),
    path("<lang:lang>/events/", views.events, name="events"),
    path("<lang:lang>/events.ics", views.events_ics, name="events-ics"),
    path("<lang:lang>/statistics/", views.statistics, name="statistics"),
    path("<lang:lang>/", include("schoolsafe.tips.public_urls")),
]
