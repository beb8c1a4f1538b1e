"""Every demo login opens every page its navigation offers, on the whole demo county (every app's demo data):
what a newcomer does first after `make demo`."""

from __future__ import annotations

import pytest

from schoolsafe.accounts.county import DEMO_LOGINS, load_demo
from schoolsafe.accounts.models import User
from schoolsafe.testing.personas import client_for

pytestmark = pytest.mark.django_db

def test_every_demo_login_opens_every_page_of_its_navigation():
    load_demo()
    opened: dict[str, list[str]] = {}
    for username, _ in DEMO_LOGINS:
        client = client_for(User.objects.get(username=username))
        home = client.get("/")
        assert home.status_code == 200, username
        links = [item["url"] for item in home.context["nav_items"] if not item["url"].startswith("/admin/")]
        assert all(f'href="{url}"' in home.content.decode() for url in links), username
        for url in links:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url, response.status_code)
        opened[username] = links
    # The navigation offers the new capability pages to the people they are for.
    assert {"/sro/coverage/", "/sro/activity/", "/sro/mou/"} <= set(opened["supervisor"])
    assert "/sro/activity/" in opened["sro"]
    assert {"/sro/equity/", "/partnership/meetings/", "/partnership/directory/"} <= set(opened["director"])
    assert "/sro/equity/" not in opened["teacher"]
