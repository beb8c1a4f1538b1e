"""Spanish for every public string: the catalogue is complete, compiled, and covers the code.

The compiled .mo is committed, so a fresh clone needs no GNU gettext to run; these tests make sure it
was compiled from the .po as it stands, and (where xgettext is installed, as in CI) that no string of
the portal or the tip line was left out of the catalogue.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[2]
PO = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def catalogue(entries) -> dict[str, object]:
    return {e.msgid: (e.msgstr_plural and dict(e.msgstr_plural)) or e.msgstr for e in entries if e.msgid}


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 150


def test_the_compiled_catalogue_matches_the_source():
    assert catalogue(polib.mofile(str(MO))) == catalogue(e for e in polib.pofile(str(PO)) if not e.obsolete), (
        "django.mo is stale: run `schoolsafe manage compilemessages -l es` and commit django.mo")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_string_of_the_portal_and_tip_line_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    for app in ("public", "tips"):
        shutil.copytree(PACKAGE / app, tmp_path / app, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["es"], verbosity=0, no_location=True)
    extracted = {e.msgid for e in polib.pofile(str(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")) if e.msgid}
    translated = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}
    assert sorted(extracted - translated) == []
