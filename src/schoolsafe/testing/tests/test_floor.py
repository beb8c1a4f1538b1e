"""The browser tests need nothing beyond `make test`'s own install and Chromium (issue 26, item 2)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from schoolsafe.testing.browser import axe_script

ROOT = Path(__file__).resolve().parents[4]
SRC = ROOT / "src" / "schoolsafe"


def test_26_2_axe_core_comes_from_a_pinned_python_package_and_every_browser_test_uses_the_shared_check():
    # axe-core itself, loaded from the installed Python package (no node_modules on a fresh clone).
    assert axe_script().startswith("/*! axe v4.")
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(re.fullmatch(r"axe-playwright-python==[\d.]+", d) for d in dev), dev

    # Every test module that drives Chromium, whatever its name (test_browser.py, test_browser_phone.py,
    # test_dispatch_browser.py, ...), not only the test_browser.py files.
    browser_tests = sorted(path for path in SRC.glob("*/tests/**/*.py")
                           if path != Path(__file__).resolve() and "chromium.launch" in path.read_text())
    assert set(SRC.glob("*/tests/test_browser.py")) <= set(browser_tests)
    assert len(browser_tests) >= 11, browser_tests
    for path in browser_tests:
        text = path.read_text()
        assert "node_modules" not in text, path
        assert "from schoolsafe.testing.browser import" in text and "axe_problems(" in text, path
        assert "def axe_problems" not in text, path
        # Skipped only when Chromium itself is absent.
        assert "needs_chromium" in text and "skipif" not in text, path
    # Nothing else needs npm: the README's `make test` runs on Python and make alone.
    assert not (ROOT / "package.json").exists()
    assert "npm" not in (ROOT / ".ci" / "run").read_text()
