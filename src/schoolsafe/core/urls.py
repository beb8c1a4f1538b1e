from django.urls import path

from schoolsafe.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:school_id>/", views.school_detail, name="school-detail"),
]
