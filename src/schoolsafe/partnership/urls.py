"""The partnership pages, mounted at /partnership/."""

app_name = "partnership"

urlpatterns: list = []
