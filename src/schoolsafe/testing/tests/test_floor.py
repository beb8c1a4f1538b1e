"""The testing floor itself: every browser test uses the one helper and its accessibility check, that check
fails when axe-core is missing, the browser tests need nothing beyond `make test`'s install and Chromium, and
no runtime module imports the floor."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

from schoolsafe.testing import browser
from schoolsafe.testing.browser import axe_problems, axe_script

ROOT = Path(__file__).resolve().parents[4]
SRC = ROOT / "src" / "schoolsafe"


def browser_test_modules() -> list[Path]:
    """Every test module that drives Chromium, whatever its name (test_browser.py, test_browser_phone.py,
    test_dispatch_browser.py, ...)."""
    return sorted(path for path in SRC.glob("*/tests/**/test_*.py")
                  if path.parent != Path(__file__).parent and "sync_playwright" in path.read_text())


def test_axe_core_comes_from_a_pinned_python_package():
    # axe-core itself, loaded from the installed Python package (no node_modules on a fresh clone).
    assert axe_script().startswith("/*! axe v4.")
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(re.fullmatch(r"axe-playwright-python==[\d.]+", d) for d in dev), dev
    # Nothing else needs npm: the README's `make test` runs on Python and make alone.
    assert not (ROOT / "package.json").exists()
    assert "npm" not in (ROOT / ".ci" / "run").read_text()


def test_every_browser_test_module_uses_the_one_helper_and_runs_the_accessibility_check():
    modules = browser_test_modules()
    assert set(SRC.glob("*/tests/test_browser.py")) <= set(modules)
    assert len(modules) >= 12, modules
    for path in modules:
        text = path.read_text()
        assert "from schoolsafe.testing.browser import" in text, path
        assert "axe_problems(" in text or "assert_accessible(" in text, f"{path} runs no accessibility check"
        # One launch, one sign-in, one page watcher, one server process: none copied into a test module.
        assert "chromium.launch" not in text and "executable_path" not in text, path
        for copied in ("def axe_problems", "def signed_in_cookie", "def sign_in", "def watch", "class ServeProcess",
                       "node_modules"):
            assert copied not in text, f"{path}: {copied}"
        # Skipped only when Chromium itself is absent.
        assert "needs_chromium" in text and "skipif" not in text, path


def test_no_runtime_module_imports_the_testing_floor():
    """The floor is for tests: the application never imports it (nor a test package), so that what runs in
    production does not depend on factory_boy, aiosmtpd or pytest."""
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "testing" or "tests" in relative.parts or relative.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{relative}: {name}" for name in names
                          if name.startswith("schoolsafe.testing") or ".tests" in name or name == "schoolsafe.conftest"]
    assert offenders == []


class PageWithoutAxe:
    """A page on which the injected script did not define `axe` (a blocked or broken injection)."""

    url = "http://127.0.0.1/somewhere/"

    def evaluate(self, script: str, *args: object) -> object:
        return not script.startswith("typeof axe")


def test_the_accessibility_check_fails_loudly_when_axe_core_did_not_load():
    with pytest.raises(pytest.fail.Exception, match="axe-core did not load into http://127.0.0.1/somewhere/"):
        axe_problems(PageWithoutAxe())


def test_the_accessibility_check_fails_loudly_when_the_axe_package_is_missing(monkeypatch):
    axe_script.cache_clear()
    monkeypatch.setitem(sys.modules, "axe_playwright_python", None)  # what an environment without it imports
    try:
        with pytest.raises(pytest.fail.Exception, match="axe-core is missing.*axe-playwright-python"):
            browser.assert_accessible(PageWithoutAxe())
    finally:
        axe_script.cache_clear()
