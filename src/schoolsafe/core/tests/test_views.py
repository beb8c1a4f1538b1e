"""The home page (my schools) and a school's page, as a signed-in user sees them."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.urls import reverse

from schoolsafe.testing.personas import client_for


def test_home_lists_the_users_schools_only(world, director_a):
    response = client_for(director_a).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "School A High" in html and "School A Elementary" in html
    assert "School B High" not in html
    assert reverse("school-detail", args=[world.school_a.pk]) in html
    assert "2 schools" in html


def test_home_of_a_teacher_shows_their_school(world, teacher_a):
    html = client_for(teacher_a).get("/").content.decode()
    assert "School A High" in html
    assert "School A Elementary" not in html and "School B High" not in html


def test_home_search_narrows_the_list(world, director_a):
    html = client_for(director_a).get("/?q=elementary").content.decode()
    assert "School A Elementary" in html and "School A High" not in html


def test_home_of_a_user_without_membership_says_what_to_do(world, outsider):
    html = client_for(outsider).get("/").content.decode()
    assert "not a member of any school" in html
    assert "School A High" not in html


def test_school_page_shows_details_and_a_map_with_its_data(world, teacher_a, settings):
    settings.SCHOOLSAFE_TILE_URL = ""
    school = world.school_a
    response = client_for(teacher_a).get(reverse("school-detail", args=[school.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{school.name}</h1>" in html
    assert "District A" in html and "Agency A Police" in html
    assert 'id="school-map"' in html
    assert 'aria-label="Map of School A High' in html
    # The map's data travels as JSON in the page (no tile server needed to place the school).
    match = re.search(r'<script id="school-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "map data script missing"
    data = json.loads(match.group(1))
    assert data["center"] == [school.latitude, school.longitude]
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [school.longitude, school.latitude]}
    assert data["features"][0]["properties"]["name"] == "School A High"
    assert data["tiles"] == ""
    assert "leaflet/leaflet.js" in html


def test_school_map_uses_a_tile_server_only_when_one_is_configured(world, teacher_a, settings):
    settings.SCHOOLSAFE_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    html = client_for(teacher_a).get(reverse("school-detail", args=[world.school_a.pk])).content.decode()
    match = re.search(r'<script id="school-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(match.group(1))["tiles"] == "https://tiles.example.test/{z}/{x}/{y}.png"


def test_school_without_coordinates_says_so_instead_of_an_empty_map(world, director_a):
    world.school_a2.latitude = world.school_a2.longitude = None
    world.school_a2.save()
    html = client_for(director_a).get(reverse("school-detail", args=[world.school_a2.pk])).content.decode()
    assert "No location recorded" in html
    assert 'id="school-map"' not in html


def test_another_districts_school_page_is_404(world, teacher_a, director_a):
    assert client_for(teacher_a).get(reverse("school-detail", args=[world.school_b.pk])).status_code == 404
    assert client_for(director_a).get(reverse("school-detail", args=[world.school_b.pk])).status_code == 404
    assert client_for(director_a).get(reverse("school-detail", args=[987654321])).status_code == 404


def test_anonymous_is_sent_to_sign_in(world):
    # `/` itself is the front door (the public portal or the staff sign-in): see test_landing.py.
    for path in (reverse("school-detail", args=[world.school_a.pk]),):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={path}"
