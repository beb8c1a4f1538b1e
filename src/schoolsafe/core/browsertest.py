"""For browser tests: the Chromium they drive, and the one accessibility check they all run.

Every test that drives Chromium marks its module with `needs_chromium`: it skips only when the browser
itself is absent (Debian's `chromium` at /usr/bin/chromium; Playwright's own browser download does not
work on these machines). Everything else a browser test needs is a Python dependency in `.[dev]`, so the
README's `make test` passes on a fresh clone: axe-core comes from the `axe-playwright-python` package,
which ships `axe.min.js`.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")

# The WCAG 2.1 A and AA rules (DESIGN.md: pages meet WCAG 2.1 AA).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_script() -> str:
    """axe-core's source, as shipped inside the axe-playwright-python package."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_problems(page: Any) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    # Evaluated through the DevTools protocol rather than added as a <script>: the pages' CSP refuses inline
    # scripts, and the tests keep the CSP on so that a violation of our own would show as an error.
    page.evaluate(axe_script() + "\n;true")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
