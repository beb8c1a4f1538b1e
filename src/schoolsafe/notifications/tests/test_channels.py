"""Configuring channels: what is refused (each message naming its field, nothing written), what is audited,
and what the audit row never contains (the secret)."""

from __future__ import annotations

import json

import pytest

from schoolsafe.audit.models import AuditEntry
from schoolsafe.notifications.actions import (
    do_create_channel,
    do_remove_channel,
    do_rotate_channel_secret,
    do_send_test_notification,
    do_update_channel,
)
from schoolsafe.notifications.models import Delivery, NotificationChannel
from schoolsafe.notifications.validation import ChannelError


def refused(kind, organization, **fields) -> dict[str, str]:
    """The field errors of a refused create; asserts nothing was written."""
    channels, audit = NotificationChannel.objects.count(), AuditEntry.objects.count()
    fields.setdefault("name", "Channel")
    fields.setdefault("event_kinds", ["alert.raised"])
    with pytest.raises(ChannelError) as caught:
        do_create_channel("admin", organization, kind, **fields)
    assert NotificationChannel.objects.count() == channels and AuditEntry.objects.count() == audit
    return caught.value.errors


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://cad.example.org/hook", "use an https:// address, not ftp:"),
    ("cad.example.org/hook", "not one without a scheme"),
    ("javascript:alert(1)", "not javascript:"),
    ("http://cad.example.org/hook", "use https:// (plain http is allowed only to this machine)"),
    ("https://user:pw@cad.example.org/hook", "do not put a user name or password in the address"),
    ("https:///hook", "the address has no host name"),
    ("https://cad.example.org:99999/hook", "the port is not a number"),
    ("", "give the address to send to"),
])
def test_a_bad_webhook_address_is_refused_with_a_clear_message(world, url, message):
    errors = refused("webhook", world.school_a, url=url)
    assert list(errors) == ["url"]
    assert message in errors["url"]


def test_plain_http_is_accepted_to_this_machine_and_elsewhere_only_when_the_operator_allows(world, settings):
    do_create_channel("admin", world.school_a, "webhook", name="Relay", event_kinds=["alert.raised"],
                      url="http://localhost:8080/relay")
    do_create_channel("admin", world.school_a, "webhook", name="Relay 6", event_kinds=["alert.raised"],
                      url="http://[::1]:8080/relay")
    settings.SCHOOLSAFE_NOTIFY_ALLOW_HTTP = True
    channel, _ = do_create_channel("admin", world.school_a, "webhook", name="LAN", event_kinds=["alert.raised"],
                                   url="http://10.0.0.5/hook")
    assert channel.config == {"url": "http://10.0.0.5/hook"}


def test_bad_email_addresses_are_named(world):
    errors = refused("email", world.school_a, recipients="office@school-a.test\nnot-an-address\nalso@bad@x")
    assert errors == {"recipients": "“not-an-address” is not an email address; “also@bad@x” is not an email address"}
    assert refused("email", world.school_a, recipients=" \n ") == {"recipients": "give at least one email address"}


def test_bad_phone_numbers_are_named_and_good_ones_normalized(world):
    errors = refused("sms", world.school_a, url="https://sms.example.org/send", username="u", token="t",
                     recipients="+1 352 555 0100\n555-0100\ncall me")
    assert list(errors) == ["recipients"]
    assert "“555-0100” is not a phone number" in errors["recipients"]
    assert "“call me” is not a phone number" in errors["recipients"]
    channel, secret = do_create_channel(
        "admin", world.school_a, "sms", name="Phones", event_kinds=["alert.raised"], url="https://sms.example.org/send",
        username="district", token="tok", recipients="(352) 555-0100, 1-352-555-0101; +44 20 7946 0958\n+13525550100",
    )
    assert channel.config["recipients"] == ["+13525550100", "+13525550101", "+442079460958"]
    assert secret == "", "an SMS token is the administrator's own; nothing is shown back"
    assert channel.secret == "tok"


def test_an_sms_channel_needs_its_gateway_credentials(world):
    errors = refused("sms", world.school_a, url="https://sms.example.org/send", recipients="+13525550100",
                     body_format="xml")
    assert set(errors) == {"username", "token", "body_format"}


def test_event_kinds_and_name_are_checked(world):
    errors = refused("email", world.school_a, name="", event_kinds=[], recipients="a@school-a.test")
    assert set(errors) == {"name", "event_kinds"}
    errors = refused("email", world.school_a, event_kinds=["alert.raised", "alert.exploded"], recipients="a@b.test")
    assert "unknown event kind alert.exploded" in errors["event_kinds"]
    errors = refused("email", world.school_a, name="x" * 101, recipients="a@b.test")
    assert errors == {"name": "at most 100 characters"}


def test_all_problems_are_reported_at_once(world):
    errors = refused("sms", world.school_a, name="", event_kinds=[], url="ftp://x", recipients="nope")
    assert set(errors) == {"name", "event_kinds", "url", "recipients", "username", "token"}


def test_creating_a_channel_is_audited_without_its_secret(world, principal_a):
    channel, secret = do_create_channel(principal_a, world.school_a, "webhook", name="CAD",
                                        event_kinds=["alert.raised", "alert.escalated"], url="https://cad.example.org/h")
    assert secret.startswith("whsec_") and channel.secret == secret
    entry = AuditEntry.objects.get(action="notifications.create_channel")
    assert (entry.actor, entry.organization, entry.object_id) == (principal_a, f"school:{world.school_a.pk}",
                                                                   str(channel.pk))
    assert entry.summary == {"name": "CAD", "kind": "webhook", "enabled": True, "url": "https://cad.example.org/h",
                             "event_kinds": ["alert.raised", "alert.escalated"]}
    assert secret not in json.dumps(entry.summary)


def test_changing_a_channel_is_audited_with_what_changed_and_a_no_change_save_writes_nothing(world):
    channel, _ = do_create_channel("admin", world.district_a, "sms", name="Phones", event_kinds=["alert.raised"],
                                   url="https://sms.example.org/send", username="u", token="secret-token",
                                   recipients="+13525550100")
    arguments = {"name": "Phones", "event_kinds": ["alert.raised"], "enabled": True,
                 "url": "https://sms.example.org/send", "username": "u", "recipients": "+13525550100"}
    before = AuditEntry.objects.count()
    do_update_channel("admin", channel, **arguments)   # empty token: keep the stored one
    assert AuditEntry.objects.count() == before
    channel.refresh_from_db()
    assert channel.secret == "secret-token"

    do_update_channel("admin", channel, **{**arguments, "enabled": False, "token": "new-token",
                                             "recipients": "+13525550100\n+13525550199"})
    entry = AuditEntry.objects.filter(action="notifications.update_channel").get()
    assert entry.organization == f"district:{world.district_a.pk}"
    assert sorted(entry.summary["changed"]) == ["config", "enabled", "token"]
    assert "new-token" not in json.dumps(entry.summary)
    channel.refresh_from_db()
    assert (channel.enabled, channel.secret, channel.recipients) == (False, "new-token", ["+13525550100",
                                                                                          "+13525550199"])


def test_a_refused_change_leaves_the_channel_as_it_was(world):
    channel, _ = do_create_channel("admin", world.school_a, "email", name="Office", event_kinds=["alert.raised"],
                                   recipients="office@school-a.test")
    with pytest.raises(ChannelError) as caught:
        do_update_channel("admin", channel, name="Office", event_kinds=["alert.raised"], enabled=True,
                          recipients="office@school-a.test, broken")
    assert "recipients" in caught.value.errors
    channel.refresh_from_db()
    assert channel.recipients == ["office@school-a.test"]


def test_replacing_the_secret_and_removing_are_audited(world):
    channel, first = do_create_channel("admin", world.agency_a, "webhook", name="CAD", event_kinds=["alert.raised"],
                                       url="https://cad.example.org/h")
    second = do_rotate_channel_secret("admin", channel)
    channel.refresh_from_db()
    assert channel.secret == second != first
    assert do_remove_channel("admin", channel) is True
    assert do_remove_channel("admin", channel) is False, "removing twice writes one row"
    actions = list(AuditEntry.objects.filter(object_type="notifications.notificationchannel")
                   .values_list("action", "organization"))
    assert actions == [("notifications.create_channel", f"agency:{world.agency_a.pk}"),
                       ("notifications.rotate_channel_secret", f"agency:{world.agency_a.pk}"),
                       ("notifications.remove_channel", f"agency:{world.agency_a.pk}")]
    assert second not in json.dumps(list(AuditEntry.objects.values_list("summary", flat=True)))
    with pytest.raises(ChannelError):
        do_rotate_channel_secret("admin", do_create_channel("admin", world.agency_a, "email", name="E",
                                                            event_kinds=["alert.raised"], recipients="a@b.test")[0])


def test_a_test_message_creates_a_delivery_per_recipient_and_is_audited(world):
    channel, _ = do_create_channel("admin", world.school_a, "email", name="Office", event_kinds=["alert.raised"],
                                   recipients="a@school-a.test, b@school-a.test", enabled=False)
    deliveries = do_send_test_notification("admin", channel)
    assert sorted(d.recipient for d in deliveries) == ["a@school-a.test", "b@school-a.test"]
    assert {d.notification.event_kind for d in deliveries} == {"test"}
    assert Delivery.objects.count() == 2
    assert AuditEntry.objects.filter(action="notifications.send_test", object_id=str(channel.pk)).exists()
