"""Hardening: Content-Security-Policy and other headers, cookies and HSTS behind TLS, `check --deploy`,
and templates that a strict CSP does not break (no inline scripts, styles or handlers)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from schoolsafe.testing.personas import client_for

PACKAGE = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "SCHOOLSAFE_TLS", "DATABASE_URL")}
    env.update({
        "SCHOOLSAFE_DATA": str(tmp_path),
        "SCHOOLSAFE_TLS": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "safety.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://safety.example.org",
    })
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "schoolsafe.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_would_notice_plain_http(tmp_path):
    """The same check without TLS fails: the test above is not passing by accident."""
    result = check_deploy(production_env(tmp_path, SCHOOLSAFE_TLS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_headers_on_a_page(teacher_a):
    response = client_for(teacher_a).get("/")
    assert response.status_code == 200
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


TLS_SCRIPT = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "schoolsafe.settings"
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from schoolsafe.accounts.models import User

call_command("migrate", verbosity=0)
User.objects.create_user("plain", password="correct horse battery staple")
client = Client(HTTP_HOST="safety.example.org")
print("HTTP", client.get("/accounts/login/").status_code, client.get("/accounts/login/").get("Location"))
page = client.get("/accounts/login/", secure=True)
print("HSTS", page.get("Strict-Transport-Security"))
print("CSRF", page.cookies["csrftoken"].output())
signed_in = client.post("/accounts/login/", {"username": "plain", "password": "correct horse battery staple"},
                        secure=True)
print("LOGIN", signed_in.status_code)
print("SESSION", signed_in.cookies["sessionid"].output())
"""


def test_behind_tls_cookies_are_secure_and_hsts_is_on(tmp_path):
    result = subprocess.run([sys.executable, "-c", TLS_SCRIPT], env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["HTTP"] == "301 https://safety.example.org/accounts/login/"
    assert lines["HSTS"] == "max-age=31536000; includeSubDomains; preload"
    assert "; Secure" in lines["CSRF"]
    assert lines["LOGIN"] == "302"
    session = lines["SESSION"]
    assert "; HttpOnly" in session and "; Secure" in session and "SameSite=Lax" in session


# What a strict CSP blocks in a template: inline code, inline styles, event-handler attributes.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def template_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("templates/**/*.html") if "site-packages" not in p.parts)


def test_templates_have_no_inline_scripts_or_styles():
    files = template_files()
    assert len(files) >= 3
    problems = [
        f"{path.relative_to(PACKAGE)}:{text.count(chr(10), 0, match.start()) + 1}: {what}"
        for path in files
        for text in [path.read_text()]
        for what, pattern in INLINE.items()
        for match in pattern.finditer(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet", [
    "<script>alert(1)</script>", '<p style="color:red">', '<button onclick="go()">', "<style>p{}</style>",
])
def test_the_template_check_catches_inline_code(snippet):
    assert any(pattern.search(snippet) for pattern in INLINE.values())


def test_json_script_blocks_and_external_scripts_pass_the_check():
    for snippet in ['<script src="/static/x.js"></script>', '<script id="d" type="application/json">{}</script>']:
        assert not any(pattern.search(snippet) for pattern in INLINE.values())
