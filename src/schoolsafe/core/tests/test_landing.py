"""The public finds the tip line from the site's front door."""

from __future__ import annotations

import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_26_9_the_front_door_and_the_sign_in_page_lead_the_public_to_the_tip_line():
    client = Client()
    # `/` for a visitor: a choice between the public portal and the staff sign-in, not the sign-in itself.
    landing = client.get("/")
    assert landing.status_code == 200
    page = landing.content.decode()
    assert 'href="/public/en/report/">Send an anonymous tip</a>' in page
    assert 'href="/public/"' in page and 'href="/accounts/login/">Staff sign in</a>' in page
    # Each link leads somewhere that works without an account.
    for href in re.findall(r'href="(/public/[^"]*)"', page):
        assert client.get(href, follow=True).status_code == 200, href

    # Someone who reaches the sign-in page (a bookmark, a staff page's redirect) is told where the public goes.
    login = client.get("/accounts/login/?next=/alerts/").content.decode()
    assert "anonymous tips" in login and 'href="/public/"' in login


@pytest.mark.django_db
def test_26_9_signed_in_staff_still_get_their_schools_at_the_front_door(principal_a):
    from schoolsafe.testing.personas import client_for

    page = client_for(principal_a).get("/").content.decode()
    assert "<h1>My schools</h1>" in page and "School A High" in page
