"""The public portal: every page open to anyone, in English and Spanish, with no cookie."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from schoolsafe.public.models import Campaign, PublicEvent

PAGES = ["", "report/", "follow-up/", "safety/", "resources/", "privacy/", "events/", "campaigns/", "statistics/"]


@pytest.fixture
def content(world):
    campaign = Campaign.objects.create(
        slug="say-something", title_en="Say Something Week", title_es="Semana Di Algo", summary_en="Tell a trusted adult.",
        summary_es="Díselo a un adulto de confianza.", body_en="All week long.", district=world.district_a,
        starts_on=timezone.localdate() - dt.timedelta(days=1), published=True)
    start = timezone.now() + dt.timedelta(days=2)
    PublicEvent.objects.create(title_en="Family safety night", title_es="Noche de seguridad familiar", location="Gym",
                               starts_at=start, ends_at=start + dt.timedelta(hours=2), campaign=campaign, published=True)
    PublicEvent.objects.create(title_en="Draft event", location="x", starts_at=start, ends_at=start, published=False)
    return campaign


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("lang", "marker"), [("en", "Report a concern"), ("es", "Reportar una preocupación")])
def test_every_page_opens_without_signing_in_in_both_languages(world, content, page, lang, marker):
    client = Client()
    response = client.get(f"/public/{lang}/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html and marker in html
    assert response["Content-Language"] == lang
    other = "es" if lang == "en" else "en"
    assert f'href="/public/{other}/{page}" hreflang="{other}"' in html  # the language switch keeps the page
    assert not response.cookies and not client.cookies


def test_the_root_sends_the_browser_to_its_language(db):
    assert Client().get("/public/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").url == "/public/es/"
    assert Client().get("/public/", HTTP_ACCEPT_LANGUAGE="de-DE").url == "/public/en/"


def test_campaigns_and_events_show_in_the_readers_language(world, content):
    en = Client().get("/public/en/").content.decode()
    es = Client().get("/public/es/").content.decode()
    assert "Say Something Week" in en and "Family safety night" in en and "Draft event" not in en
    assert "Semana Di Algo" in es and "Noche de seguridad familiar" in es
    page = Client().get("/public/es/campaigns/say-something/").content.decode()
    # No Spanish body: the English one stands in.
    assert "Díselo a un adulto de confianza." in page and "All week long." in page
    assert Client().get("/public/en/campaigns/nope/").status_code == 404


def test_an_unknown_language_is_not_a_page(db):
    assert Client().get("/public/fr/").status_code == 404


def test_static_pages_may_be_cached_and_tip_pages_may_not(world):
    assert Client().get("/public/en/safety/")["Cache-Control"] == "public, max-age=3600"
    assert Client().get("/public/en/report/")["Cache-Control"] == "no-store"
    assert Client().get("/public/en/follow-up/")["Cache-Control"] == "no-store"
