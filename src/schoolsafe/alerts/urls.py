from django.urls import path

from schoolsafe.alerts import panic_views, views

app_name = "alerts"

urlpatterns = [
    path("", views.panic, name="panic"),
    path("dispatch/", views.console, name="console"),
    path("panic/device/", panic_views.panic_device, name="panic-device"),
    path("panic/credentials/", panic_views.panic_credentials, name="panic-credentials"),
    path("panic/credentials/<int:credential_id>/revoke/", panic_views.panic_credential_revoke,
         name="panic-credential-revoke"),
    path("history/", views.history, name="history"),
    path("<int:alert_id>/", views.incident, name="incident"),
    path("<int:alert_id>/board/", views.board, name="board"),
    path("<int:alert_id>/state.json", views.state, name="state"),
]
