"""The platform administrator's menu leads only to pages that open."""

from __future__ import annotations

import re

import pytest

from schoolsafe.testing.personas import client_for


@pytest.mark.django_db
def test_26_19_every_menu_entry_of_the_platform_administrator_opens(world, django_user_model):
    admin = django_user_model.objects.create_superuser("root_admin", "root@example.org", "x" * 20)
    client = client_for(admin)
    home = client.get("/").content.decode()
    nav = home.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert "/admin/" in links and "/audit/" in links
    broken = {link: client.get(link).status_code for link in links if client.get(link).status_code >= 400}
    assert broken == {}
