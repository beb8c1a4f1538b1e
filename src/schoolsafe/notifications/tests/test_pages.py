"""The notification settings pages, per persona: administrators of an organization configure its channels;
everyone else finds no such page (404)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from schoolsafe.audit.models import AuditEntry
from schoolsafe.notifications.actions import do_create_channel
from schoolsafe.notifications.models import Delivery, NotificationChannel
from schoolsafe.testing.personas import client_for, make_person

WEBHOOK = {"name": "Dispatch CAD", "event_kinds": ["alert.raised", "alert.escalated"], "enabled": "on",
           "url": "https://cad.example.org/hooks/schoolsafe"}


@pytest.fixture
def channel_a(world):
    channel, _ = do_create_channel("admin", world.school_a, "email", name="School A office",
                                   event_kinds=["alert.raised"], recipients="office@school-a.test")
    return channel


@pytest.fixture
def principal_b(world):
    return make_person("principal_b", "school_admin", world.school_b, "school")


@pytest.fixture
def agency_admin_a(world):
    return make_person("agency_admin_a", "agency_admin", world.agency_a, "agency")


def test_a_principal_creates_a_webhook_and_sees_its_secret_once(world, principal_a):
    client = client_for(principal_a)
    page = client.get(reverse("notifications-channel-create", args=["webhook"]))
    assert page.status_code == 200
    assert f'value="school:{world.school_a.pk}"' in page.content.decode()
    assert f'value="district:{world.district_a.pk}"' not in page.content.decode()

    response = client.post(reverse("notifications-channel-create", args=["webhook"]),
                           {**WEBHOOK, "organization": f"school:{world.school_a.pk}"})
    assert response.status_code == 200
    channel = NotificationChannel.objects.get()
    html = response.content.decode()
    assert "it is shown only this once" in html
    assert channel.secret in html
    assert (channel.school, channel.kind, channel.event_kinds) == (world.school_a, "webhook",
                                                                   ["alert.raised", "alert.escalated"])

    detail = client.get(reverse("notifications-channel", args=[channel.pk]))
    assert detail.status_code == 200
    assert channel.secret not in detail.content.decode()
    listing = client.get(reverse("notifications-channels"))
    assert "Dispatch CAD" in listing.content.decode()


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world, principal_a):
    client = client_for(principal_a)
    response = client.post(reverse("notifications-channel-create", args=["sms"]), {
        "organization": f"school:{world.school_a.pk}", "name": "Phones", "event_kinds": ["alert.raised"],
        "url": "ftp://sms.example.org", "username": "u", "token": "t", "body_format": "json",
        "recipients": "+13525550100\nnot a number"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "use an https:// address, not ftp:" in html
    assert "“not a number” is not a phone number" in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<textarea[^>]*aria-describedby="id_recipients_error id_recipients_helptext"', html)
    assert not NotificationChannel.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="notifications.").exists()


def test_an_organization_the_user_does_not_administer_cannot_be_chosen(world, principal_a):
    response = client_for(principal_a).post(reverse("notifications-channel-create", args=["webhook"]),
                                            {**WEBHOOK, "organization": f"school:{world.school_b.pk}"})
    assert response.status_code == 400
    assert not NotificationChannel.objects.exists()


def test_a_director_configures_the_districts_schools_too(world, director_a, channel_a):
    client = client_for(director_a)
    page = client.get(reverse("notifications-channel-create", args=["email"])).content.decode()
    assert f'value="district:{world.district_a.pk}"' in page and f'value="school:{world.school_a2.pk}"' in page
    assert f'value="school:{world.school_b.pk}"' not in page
    assert client.get(reverse("notifications-channel", args=[channel_a.pk])).status_code == 200


def test_changing_a_channel_from_its_page(world, principal_a, channel_a):
    client = client_for(principal_a)
    response = client.post(reverse("notifications-channel", args=[channel_a.pk]), {
        "name": "School A office", "event_kinds": ["alert.raised", "alert.all_clear"],
        "recipients": "office@school-a.test\nnurse@school-a.test"})
    assert response.status_code == 302
    channel_a.refresh_from_db()
    assert channel_a.enabled is False, "an unticked box disables the channel"
    assert channel_a.recipients == ["office@school-a.test", "nurse@school-a.test"]
    assert channel_a.event_kinds == ["alert.raised", "alert.all_clear"]


def test_the_test_button_queues_a_test_delivery_and_the_log_shows_it(world, principal_a, channel_a):
    client = client_for(principal_a)
    response = client.post(reverse("notifications-channel-test", args=[channel_a.pk]), follow=True)
    assert response.status_code == 200
    assert Delivery.objects.filter(channel=channel_a, notification__event_kind="test").count() == 1
    html = response.content.decode()
    assert "SchoolSafe test message: School A office" in html
    assert "office@school-a.test" in html
    assert "retried after 10 s, 30 s, 90 s, 5 min, 15 min and 30 min; then the delivery is marked failed" in html


def test_removing_a_channel(world, principal_a, channel_a):
    client = client_for(principal_a)
    assert client.post(reverse("notifications-channel-remove", args=[channel_a.pk])).status_code == 302
    assert client.get(reverse("notifications-channel", args=[channel_a.pk])).status_code == 404
    channel_a.refresh_from_db()
    assert channel_a.removed_at is not None and not channel_a.enabled


@pytest.mark.parametrize("persona", ["teacher_a", "dispatcher", "principal_b", "agency_admin_a", "outsider"])
def test_a_channel_is_a_404_for_everyone_else(request, world, channel_a, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("notifications-channel", args=[channel_a.pk])).status_code == 404
    for name in ("notifications-channel-test", "notifications-channel-remove"):
        assert client.post(reverse(name, args=[channel_a.pk])).status_code == 404
    assert not Delivery.objects.exists()
    channel_a.refresh_from_db()
    assert channel_a.removed_at is None


@pytest.mark.parametrize("persona", ["teacher_a", "dispatcher", "outsider"])
def test_the_settings_pages_do_not_exist_for_non_administrators(request, world, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("notifications-channels")).status_code == 404
    assert client.get(reverse("notifications-channel-create", args=["email"])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert reverse("notifications-channels") not in home


def test_anonymous_visitors_are_sent_to_sign_in(world, channel_a):
    from django.test import Client

    response = Client().get(reverse("notifications-channel", args=[channel_a.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_navigation_offers_the_page_to_administrators(world, principal_a):
    home = client_for(principal_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications-channels")}"' in home


@pytest.mark.parametrize("kind", ["email", "webhook", "sms"])
def test_pages_carry_no_inline_script_or_style(world, principal_a, channel_a, kind):
    client = client_for(principal_a)
    pages = [client.get(reverse("notifications-channels")), client.get(reverse("notifications-channel-create", args=[kind])),
             client.get(reverse("notifications-channel", args=[channel_a.pk]))]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "Content-Security-Policy" in page.headers
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline <script>"
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
