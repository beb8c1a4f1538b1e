"""The front-end floor: page scripts take their URLs from the page, the site layout names no app, and every form
renders through the project's one field template (schoolsafe.core.forms.FormRenderer)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse

from schoolsafe import registry
from schoolsafe.testing.personas import pass_mfa

PACKAGE = Path(__file__).resolve().parents[2]


def _scripts() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("**/static/**/*.js") if "leaflet" not in p.parts)


def test_no_page_script_hard_codes_a_site_url():
    """A script reads its URLs from the page ({% url %} in data-* attributes and json_script blocks): a path
    written into a script breaks silently when a URL moves. Suffixes appended to a URL the page gave
    (`cfg.apiUrl + "/acknowledge"`) are allowed; a string starting at the site's root is not."""
    prefixes = ["api", "static", "sw.js", "manifest.webmanifest"] + [c.label for c in registry.capabilities()]
    mounts = [m.prefix.strip("/") for m in registry.url_mounts() if m.prefix.strip("/")]
    roots = "|".join(re.escape(p) for p in sorted({*prefixes, *mounts}))
    pattern = re.compile(r"""["'`]/(?:""" + roots + r""")\b""")
    found = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for p in _scripts() for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert _scripts() and found == []


def test_the_site_layout_names_no_app():
    """base.html includes what apps add through the registry (PageAssets), never an app's file or URL by name."""
    base = (PACKAGE / "templates" / "base.html").read_text()
    for config in registry.capabilities():
        if config.label in {"core", "accounts", "audit", "events", "api"}:
            continue
        assert f"{config.label}/" not in base and f"'{config.label}:" not in base, config.label


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag in {"input", "select", "textarea"} and a.get("type") != "hidden":
            self.inputs.append(a)


class _Sample(forms.Form):
    name = forms.CharField(help_text="As it appears on the badge.")
    note = forms.CharField(required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    sure = forms.BooleanField(label="I am sure")


def _parsed(form: forms.Form) -> tuple[str, _Ids]:
    html = str(form)
    ids = _Ids()
    ids.feed(html)
    return html, ids


def test_the_project_renders_every_form_with_its_field_template():
    assert settings.FORM_RENDERER == "schoolsafe.core.forms.FormRenderer"
    html, ids = _parsed(_Sample())
    assert "error-summary" not in html
    assert "(optional)" in html.split('for="id_note"', 1)[1].split("</label>", 1)[0]
    assert all(i["id"] in ids.labels for i in ids.inputs), "every input has its label"


def test_a_form_with_errors_has_a_summary_and_each_field_points_at_its_error():
    html, ids = _parsed(_Sample(data={"note": "x"}))
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_name"' in summary and 'href="#id_sure"' in summary and 'href="#id_note"' not in summary
    assert html.index("error-summary") < html.index('for="id_name"')
    for i in ids.inputs:
        described = (i.get("aria-describedby") or "").split()
        assert all(d in ids.ids for d in described), (i["id"], described)
        if i["id"] in {"id_name", "id_kind", "id_sure"}:
            assert i.get("aria-invalid") == "true" and f"{i['id']}_error" in described
    name = next(i for i in ids.inputs if i["id"] == "id_name")
    assert "id_name_helptext" in (name.get("aria-describedby") or "")


def test_project_forms_render_each_visible_field_with_a_label():
    from schoolsafe.plans.forms import HazardForm, TeamMemberForm

    for form_class in (HazardForm, TeamMemberForm):
        _, ids = _parsed(form_class(data={}))
        assert ids.inputs and all(i["id"] in ids.labels for i in ids.inputs), form_class.__name__


@pytest.mark.django_db
def test_a_signed_in_page_gives_its_scripts_the_urls_and_the_apps_assets(client, teacher_a):
    client.force_login(teacher_a)
    pass_mfa(client, teacher_a)
    html = client.get(reverse("home")).content.decode()
    body = html.split("<body", 1)[1].split(">", 1)[0]
    assert f'data-events-url="{reverse("api:event_stream_description")}"' in body
    assert f'data-receipts-url="{reverse("api:record_receipts")}"' in body
    assert 'data-lockdown-schools=""' in body
    for path in ("schoolsafe/request.js", "schoolsafe/stream.js", "alerts/listen.js", "reach/install.js",
                 "alerts/incoming.css"):
        assert f"/static/{path}" in html, path
    assert 'id="incoming"' in html and 'id="push-enable"' in html and 'name="csrf-token"' in html
    assert "{#" not in html and "#}" not in html, "a template comment spread over lines is shown as text"


@pytest.mark.django_db
def test_a_page_that_is_its_own_live_view_drops_the_shared_banner_and_listener(client, teacher_a):
    client.force_login(teacher_a)
    pass_mfa(client, teacher_a)
    html = client.get(reverse("alerts:panic")).content.decode()
    assert "/static/alerts/listen.js" not in html and html.count('id="incoming"') == 1
    assert "/static/reach/install.js" in html  # the rest of what apps add stays


@pytest.mark.django_db
def test_a_signed_out_page_gets_no_signed_in_assets(client):
    html = client.get(reverse("login")).content.decode()
    assert "/static/reach/install.js" not in html and "push-enable" not in html
    assert "data-lockdown-schools" not in html


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_event_stream_client_resumes_receipts_and_reopens_in_a_fake_page():
    """The stream client and the alert listener without a browser (the browser tests drive the real one)."""
    done = subprocess.run(["node", str(Path(__file__).parent / "js" / "stream_smoke.js"), f"{PACKAGE}/"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_form_of_optional_fields_only_does_not_mark_each_one():
    """A search's filters: "(optional)" on every label would say nothing."""
    from schoolsafe.audit.forms import AuditFilterForm

    html = str(AuditFilterForm())
    assert "(optional)" not in html and 'for="id_actor"' in html and 'id="id_actor_helptext"' in html
