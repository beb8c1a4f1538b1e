"""One URL map for the whole site: each registered app's URL modules at the prefixes it declares
(schoolsafe.registry), in their declared order."""

from django.contrib import admin
from django.urls import include, path

from schoolsafe.api.api import api
from schoolsafe.registry import url_mounts

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    *(path(mount.prefix, include(mount.module)) for mount in url_mounts()),
]
