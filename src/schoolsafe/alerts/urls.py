from django.urls import path

from schoolsafe.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.panic, name="panic"),
    path("dispatch/", views.console, name="console"),
    path("history/", views.history, name="history"),
    path("<int:alert_id>/", views.incident, name="incident"),
    path("<int:alert_id>/board/", views.board, name="board"),
    path("<int:alert_id>/state.json", views.state, name="state"),
]
