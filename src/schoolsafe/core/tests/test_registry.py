"""The app registry: an app adds itself to the whole from its own folder and one INSTALLED_APPS line, and the
navigation shows each entry exactly to the roles the access policy names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

from schoolsafe import registry
from schoolsafe.access.policy import allowed_roles_for_label
from schoolsafe.access.roles import ROLES
from schoolsafe.testing.factories import MembershipFactory, UserFactory
from schoolsafe.testing.personas import pass_mfa

THROWAWAY = {
    "__init__.py": "",
    "apps.py": '''
        from schoolsafe import registry
        from schoolsafe.registry import NavEntry, PageAssets, UrlMount


        class ThrowawayConfig(registry.CapabilityConfig):
            name = "throwaway"
            nav = (NavEntry("Throwaway", "throwaway-page", order=55, permission=("core.school", "change")),)
            urls = (UrlMount("throwaway/", "throwaway.urls"),)
            api_routers = ("throwaway.api:router",)
            commands = "throwaway.commands"
            demo_loader = "throwaway.demo:load_demo"
            worker_loops = ("throwaway.loops:start",)
            page_assets = (PageAssets(css=("throwaway/page.css",), js=("throwaway/page.js",),
                                      footer_includes=("throwaway/_footer.html",)),)
    ''',
    "urls.py": '''
        from django.http import HttpResponse
        from django.shortcuts import render
        from django.urls import path

        urlpatterns = [path("", lambda request: HttpResponse("throwaway page"), name="throwaway-page"),
                       path("styled/", lambda request: render(request, "throwaway/page.html"), name="throwaway-styled")]
    ''',
    "api.py": '''
        from ninja import Router

        router = Router(tags=["throwaway"])


        @router.get("/throwaway/ping", url_name="throwaway-ping")
        def ping(request):
            return {"pong": True}
    ''',
    "templates/throwaway/page.html": '{% extends "base.html" %}{% block content %}<p>styled</p>{% endblock %}',
    "templates/throwaway/_footer.html": "<p id=throwaway-footer>from the throwaway app</p>",
    "static/throwaway/page.css": "p { margin: 0 }",
    "static/throwaway/page.js": "void 0;",
    "commands.py": '''
        def add_commands(sub):
            sub.add_parser("throwaway-hello", help="say hello")
            return {"throwaway-hello": lambda args: print("hello from throwaway") or 0}
    ''',
    "demo.py": '''
        def load_demo(county):
            return county == "the county"
    ''',
    "loops.py": '''
        import threading


        class Loop(threading.Thread):
            def __init__(self):
                super().__init__(daemon=True)
                self.stopped = threading.Event()

            def run(self):
                self.stopped.wait()

            def stop(self):
                self.stopped.set()


        def start():
            loop = Loop()
            loop.start()
            return loop
    ''',
}

CHECK = '''
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "throwaway_settings"
from schoolsafe import cli
cli.setup_django()
from schoolsafe.api.api import api
from django.urls import reverse
from schoolsafe import registry
found = {}
found["nav"] = [e.label for e in registry.nav_entries()]
found["url"] = reverse("throwaway-page")
from django.test import Client
page = Client(HTTP_HOST="127.0.0.1").get(found["url"])
found["page"] = [page.status_code, page.content.decode()]
found["styled"] = Client(HTTP_HOST="127.0.0.1").get(reverse("throwaway-styled")).content.decode()
found["openapi"] = sorted(api.get_openapi_schema()["paths"])
found["demo"] = [load("the county") for load in registry.demo_loaders() if load.__module__ == "throwaway.demo"]
loops = [start() for start in registry.worker_loops() if start.__module__ == "throwaway.loops"]
for loop in loops:
    loop.stop(); loop.join(5)
found["loops"] = [(type(loop).__name__, loop.is_alive()) for loop in loops]
found["cli"] = cli.main(["throwaway-hello"])
print(json.dumps(found))
'''


def test_a_new_app_needs_nothing_outside_its_folder_but_installed_apps(tmp_path: Path):
    package = tmp_path / "throwaway"
    package.mkdir()
    for name, text in THROWAWAY.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(textwrap.dedent(text))
    # The one line outside the app's folder: INSTALLED_APPS.
    (tmp_path / "throwaway_settings.py").write_text(
        "from schoolsafe.settings import *  # noqa: F403\nINSTALLED_APPS = [*INSTALLED_APPS, 'throwaway']  # noqa: F405\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "SCHOOLSAFE_DATA": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "hello from throwaway" in lines
    found = json.loads(lines[-1])
    assert "Throwaway" in found["nav"]
    assert found["url"] == "/throwaway/"
    assert found["page"] == [200, "throwaway page"]
    # Its page assets, in the site layout (templates/base.html names no app).
    assert '<link rel="stylesheet" href="/static/throwaway/page.css">' in found["styled"]
    assert '<script src="/static/throwaway/page.js"></script>' in found["styled"]
    assert "<p id=throwaway-footer>from the throwaway app</p>" in found["styled"]
    assert "/api/v1/throwaway/ping" in found["openapi"]
    assert found["demo"] == [True]
    assert found["loops"] == [["Loop", False]]
    assert found["cli"] == 0


def _nav_labels(client) -> list[str]:
    page = client.get(reverse("home")).content.decode()
    nav = page.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return [entry.label for entry in registry.nav_entries() if f">{entry.label}<" in nav]


@pytest.mark.django_db
def test_each_navigation_entry_is_shown_exactly_to_the_roles_the_policy_names(client, world):
    """One user per role: an entry with a policy permission appears for a role exactly when the table allows it
    (so "Refer a concern" follows threats.case/refer, threat-assessment members included)."""
    entries = [e for e in registry.nav_entries() if e.permission]
    assert any(e.label == "Refer a concern" for e in entries)
    for code, role in ROLES.items():
        kind = sorted(role.org_kinds)[0]
        org = {"school": world.school_a, "district": world.district_a, "agency": world.agency_a}[kind]
        user = UserFactory(username=f"nav-{code}")
        MembershipFactory(user=user, role=code, **{kind: org})
        client.force_login(user)
        pass_mfa(client, user)
        shown = set(_nav_labels(client))
        for entry in entries:
            allowed = allowed_roles_for_label(*entry.permission)
            assert (entry.label in shown) == (code in allowed), (code, entry.label)
        client.logout()


def test_a_broken_setting_is_one_line_even_before_the_parser_is_built():
    """`schoolsafe` sets Django up to build its parser (the registry): a settings module that cannot be imported
    still gives the operator one line and exit 1, not a traceback."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "schoolsafe_settings_that_do_not_exist"}
    env.pop("SCHOOLSAFE_TRACEBACK", None)
    done = subprocess.run([sys.executable, "-m", "schoolsafe.cli", "--help"], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "schoolsafe: error: ModuleNotFoundError: No module named 'schoolsafe_settings_that_do_not_exist' "
        "(SCHOOLSAFE_TRACEBACK=1 shows the traceback)"]
