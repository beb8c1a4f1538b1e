from django.urls import path

from schoolsafe.notifications import views

urlpatterns = [
    path("", views.channel_list, name="notifications-channels"),
    path("new/<str:kind>/", views.channel_create, name="notifications-channel-create"),
    path("<int:channel_id>/", views.channel_detail, name="notifications-channel"),
    path("<int:channel_id>/secret/", views.channel_rotate_secret, name="notifications-channel-secret"),
    path("<int:channel_id>/test/", views.channel_test, name="notifications-channel-test"),
    path("<int:channel_id>/remove/", views.channel_remove, name="notifications-channel-remove"),
]
