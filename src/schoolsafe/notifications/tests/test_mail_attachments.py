"""Attachments on the worker's mail: kept on the WorkerMail row, attached when the worker sends it."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from schoolsafe.notifications.mail import attempt_mail, queue_mail

pytestmark = pytest.mark.django_db


def test_text_and_binary_attachments_reach_the_smtp_server(smtp_server):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    png = b"\x89PNG\r\n\x1a\n\xff\x00"
    mail = queue_mail("test.attachments", "Invitation", "See the attached file.", ["pat@example.test"],
                      attachments=[("invite.ics", ics, "text/calendar; method=REQUEST"),
                                   ("logo.png", png, "image/png")])
    mail.refresh_from_db()
    assert [a["filename"] for a in mail.attachments] == ["invite.ics", "logo.png"]
    assert mail.attachments[1]["base64"] is True
    assert attempt_mail(mail.pk) == "delivered"
    [received] = smtp_server.wait_for(1)
    message = message_from_bytes(received.as_bytes(), policy=policy.default)
    parts = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert parts["invite.ics"].get_content_type() == "text/calendar"
    assert parts["invite.ics"].get_param("method") == "REQUEST"
    assert parts["invite.ics"].get_payload(decode=True).decode().replace("\r\n", "\n") == ics.replace("\r\n", "\n")
    assert parts["logo.png"].get_payload(decode=True) == png
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain" and not p.get_filename())
    assert body.get_content().strip() == "See the attached file."


def test_a_mail_without_attachments_is_unchanged(smtp_server):
    mail = queue_mail("test.plain", "Plain", "No file.", ["pat@example.test"])
    assert mail.attachments == []
    assert attempt_mail(mail.pk) == "delivered"
    [received] = smtp_server.wait_for(1)
    assert not received.is_multipart()
