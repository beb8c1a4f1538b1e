"""For browser tests: the Chromium they drive, how a person gets signed in, what a page must not do, and the
one accessibility check they all run.

Every test that drives Chromium marks its module with `needs_chromium`: it skips only when the browser
itself is absent (Debian's `chromium` at /usr/bin/chromium; Playwright's own browser download does not
work on these machines). Everything else a browser test needs is a Python dependency in `.[dev]`, so the
README's `make test` passes on a fresh clone: axe-core comes from the `axe-playwright-python` package,
which ships `axe.min.js`. When axe-core cannot be loaded the check fails the test, never passes it quietly.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from schoolsafe.testing.personas import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
# Screenshots a browser test leaves for a person to look at (the repository's test-artifacts/).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

# The WCAG 2.1 A and AA rules: every page is to meet WCAG 2.1 level AA.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch(playwright: Any, *extra_args: str) -> Any:
    """Debian's Chromium, headless, through Playwright (`playwright` is what `sync_playwright()` gives)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])


# Signing in -------------------------------------------------------------------------------------------------


def signed_in_cookie(user: Any, **client_options: Any) -> dict[str, str]:
    """The session cookie of a client signed in as `user`, past the second factor (as after a real sign-in).
    Add it to a browser context with `context.add_cookies([{**cookie, "url": base}])`. `client_options` go
    to Django's test Client (e.g. REMOTE_ADDR, where the session is bound to an address)."""
    from django.test import Client

    from schoolsafe.testing.personas import pass_mfa

    client = Client(**client_options)
    client.force_login(user)
    pass_mfa(client, user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value}


def sign_in(page: Any, base: str, username: str, next_url: str, totp_key: str | None = None) -> None:
    """Through the login page, and the second step with the code the authenticator shows now."""
    from schoolsafe.testing.personas import code_for_key

    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    if totp_key is not None:
        page.wait_for_selector("#id_code")
        page.fill("#id_code", code_for_key(totp_key))
        page.click("button:has-text('Continue')")
    page.wait_for_url(f"{base}{next_url}")


def _favicon_probe_of_a_blank_page(url: str, text: str) -> bool:
    """Chromium's own favicon probe from about:blank (a page just left), refused by Private Network Access
    because a blank page is not a secure context: the browser's doing, not the page's."""
    return url == "about:blank" and "/favicon.ico" in text


def watch(page: Any, errors: list[str], base: str) -> None:
    """Collect into `errors` what a page must not do: log an error, throw, or load anything that fails
    (4xx/5xx; the browser's own favicon probe aside)."""
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            and not _favicon_probe_of_a_blank_page(page.url, m.text) else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url.replace(base, '')}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)


# Accessibility ----------------------------------------------------------------------------------------------


@cache
def axe_script() -> str:
    """axe-core's source, as shipped inside the axe-playwright-python package; the test fails (with how to
    fix it) when the package or its script is missing."""
    try:
        import axe_playwright_python
    except ImportError:
        pytest.fail("axe-core is missing: the accessibility check needs the axe-playwright-python package "
                    "(pip install -e '.[dev]')", pytrace=False)
    path = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"axe-core is missing: {path} does not exist (reinstall axe-playwright-python)", pytrace=False)
    return path.read_text(encoding="utf-8")


def axe_problems(page: Any) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    # Evaluated through the DevTools protocol rather than added as a <script>: the pages' CSP refuses inline
    # scripts, and the tests keep the CSP on so that a violation of our own would show as an error.
    page.evaluate(axe_script() + "\n;true")
    if page.evaluate("typeof axe === 'object' && typeof axe.run === 'function'") is not True:
        pytest.fail(f"axe-core did not load into {page.url}: no accessibility check ran", pytrace=False)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Any) -> None:
    """The page as it is now has no serious or critical WCAG 2.1 A/AA violation (axe-core)."""
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)
