"""The public-schools and law-enforcement importers, run on the real Florida files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import models

from schoolsafe.audit.models import AuditEntry
from schoolsafe.core.actions import do_import_agencies, do_import_schools
from schoolsafe.core.importers import ImportFileError
from schoolsafe.core.models import Agency, District, School
from schoolsafe.core.tests.shared_data import AGENCIES_FILE, SCHOOLS_FILE, shared_file

pytestmark = pytest.mark.django_db

FLORIDA_SCHOOLS = 4337
FLORIDA_DISTRICTS = 76  # distinct DISTRICTID values in the file
FLORIDA_AGENCIES = 607


@pytest.fixture
def schools_file() -> Path:
    return shared_file(SCHOOLS_FILE)


@pytest.fixture
def agencies_file() -> Path:
    return shared_file(AGENCIES_FILE)


def test_imports_every_florida_school_then_a_second_run_changes_nothing(schools_file):
    first = do_import_schools("test", schools_file)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (FLORIDA_SCHOOLS, 0, 0, [])
    assert first.read == FLORIDA_SCHOOLS
    assert School.objects.count() == FLORIDA_SCHOOLS
    assert District.objects.count() == FLORIDA_DISTRICTS
    assert AuditEntry.objects.filter(action="core.import_schools").count() == 1

    second = do_import_schools("test", schools_file)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, FLORIDA_SCHOOLS, [])
    assert second.line() == f"created 0, updated 0, unchanged {FLORIDA_SCHOOLS}, rejected 0"
    assert School.objects.count() == FLORIDA_SCHOOLS
    assert District.objects.count() == FLORIDA_DISTRICTS
    # A run that changed nothing leaves no audit row claiming it did.
    assert AuditEntry.objects.filter(action="core.import_schools").count() == 1


def test_a_school_changed_locally_is_updated_from_the_file_and_only_it(schools_file):
    do_import_schools("test", schools_file)
    School.objects.filter(nces_id="120000207976").update(name="Renamed By Hand", enrollment=1)

    summary = do_import_schools("test", schools_file)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, FLORIDA_SCHOOLS - 1)
    school = School.objects.get(nces_id="120000207976")
    assert (school.name, school.enrollment) == ("Florida Virtual Elementary School", 2600)


def test_a_real_school_row_is_stored_as_the_file_says(schools_file):
    do_import_schools("test", schools_file)
    # Line 2 of the file: FLORIDA VIRTUAL ELEMENTARY SCHOOL, ORLANDO, KG-05, 2600 pupils, district 1200002.
    school = School.objects.select_related("district").get(nces_id="120000207976")
    assert school.name == "Florida Virtual Elementary School"
    assert (school.latitude, school.longitude) == (28.5189857, -81.4679235)
    assert (school.low_grade, school.high_grade, school.grades) == ("KG", "05", "KG–05")
    assert school.enrollment == 2600
    assert school.level == School.Level.ELEMENTARY
    assert (school.city, school.zip_code, school.state) == ("Orlando", "32835", "FL")
    assert school.phone == "(800) 374-1430"
    assert school.website == "http://www.flvsft.com"
    assert school.district.nces_id == "1200002"
    assert school.district.schools.count() == 3  # the three Florida Virtual schools


def test_missing_values_become_empty_never_numbers(schools_file):
    do_import_schools("test", schools_file)
    # Line 36: ALACHUA REGIONAL JUVENILE DETENTION CENTER has ENROLLMENT -999, LEVEL_ "NOT REPORTED",
    # grades "M" (missing) and SHELTER_ID "NOT AVAILABLE".
    school = School.objects.get(nces_id="120003002107")
    assert school.enrollment is None
    assert school.level == School.Level.NOT_REPORTED == ""
    assert (school.low_grade, school.high_grade, school.grades) == ("", "", "")
    assert school.get_level_display() == "Not reported"

    rows = list(csv.DictReader(schools_file.open(encoding="utf-8-sig")))
    assert sum(r["ENROLLMENT"] == "-999" for r in rows) == 105
    assert School.objects.filter(enrollment__isnull=True).count() == 105
    assert sum(r["WEBSITE"] == "NOT AVAILABLE" for r in rows) == 1069
    assert School.objects.filter(website="").count() == 1069
    # No text field anywhere holds a placeholder the federal file uses for "missing".
    text_fields = [f.name for f in School._meta.get_fields() if isinstance(f, models.CharField)]
    for placeholder in ("-999", "-999.0", "NOT AVAILABLE", "Not Available", "M"):
        for name in text_fields:
            assert not School.objects.filter(**{f"{name}__iexact": placeholder}).exists(), (name, placeholder)
    assert not School.objects.filter(website__icontains="not available").exists()
    assert not School.objects.filter(enrollment__lt=0).exists()


def broken_copy(source: Path, target: Path) -> tuple[Path, int]:
    """The first ten schools of the real file with three rows broken; returns the file and its row count."""
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:11]
    header = next(csv.reader([lines[0]]))
    rows = [next(csv.reader([line])) for line in lines[1:]]
    lat, lon, nces = header.index("LATITUDE"), header.index("LONGITUDE"), header.index("NCESID")
    rows[1][lat] = "north-ish"          # file line 3
    rows[3][lat], rows[3][lon] = "0", "0"  # file line 5
    rows[4][nces] = ""                  # file line 6
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return target, len(rows)


def test_broken_rows_are_rejected_by_line_number_and_the_rest_imported(schools_file, tmp_path):
    path, count = broken_copy(schools_file, tmp_path / "broken.csv")

    summary = do_import_schools("test", path)

    assert [r.line for r in summary.rejected] == [3, 5, 6]
    reasons = [r.reason for r in summary.rejected]
    assert "not numbers" in reasons[0] and "'north-ish'" in reasons[0]
    assert "0,0" in reasons[1]
    assert "NCESID" in reasons[2]
    assert summary.created == count - 3 == School.objects.count()
    assert summary.read == count
    assert not summary.rolled_back
    assert summary.line() == f"created {count - 3}, updated 0, unchanged 0, rejected 3"


def test_all_or_nothing_imports_nothing_when_a_row_is_rejected_and_says_so(schools_file, tmp_path):
    path, count = broken_copy(schools_file, tmp_path / "broken.csv")

    summary = do_import_schools("test", path, all_or_nothing=True)

    assert summary.rolled_back
    assert [r.line for r in summary.rejected] == [3, 5, 6]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 0)
    # Every row read is counted, not only the rejected ones.
    assert summary.read == summary.rows == count
    assert "nothing imported" in summary.line() and f"{count} rows read" in summary.line()
    assert School.objects.count() == 0
    assert District.objects.count() == 0
    assert not AuditEntry.objects.filter(action="core.import_schools").exists()


def test_a_row_is_named_by_the_line_it_starts_on_even_after_multiline_values_and_blank_lines(schools_file, tmp_path):
    lines = schools_file.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:4]
    header = next(csv.reader([lines[0]]))
    rows = [next(csv.reader([line])) for line in lines[1:]]
    address, lat = header.index("ADDRESS"), header.index("LATITUDE")
    rows[0][address] = "2145 Metrocenter Blvd\nSuite 100"  # a quoted value over lines 2-3
    rows[0][lat] = "?"
    rows[2][lat] = "95"  # beyond the pole
    out = tmp_path / "multiline.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerow(rows[0])  # lines 2-3
        fh.write("\n")            # line 4, blank
        writer.writerow(rows[1])  # line 5
        writer.writerow(rows[2])  # line 6

    summary = do_import_schools("test", out)

    assert [(r.line, "out of range" in r.reason or "not numbers" in r.reason) for r in summary.rejected] == [
        (2, True), (6, True)
    ]
    assert summary.read == 3 and summary.created == 1


def test_a_file_the_csv_reader_cannot_parse_is_refused_naming_the_line(schools_file, tmp_path):
    lines = schools_file.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:3]
    huge = tmp_path / "huge.csv"
    huge.write_text("".join(lines) + "1,2," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"huge\.csv: line 4: not valid CSV"):
        do_import_schools("test", huge)
    assert School.objects.count() == 0


def test_all_or_nothing_on_a_clean_file_imports_everything(schools_file):
    summary = do_import_schools("test", schools_file, all_or_nothing=True)
    assert not summary.rolled_back
    assert summary.created == FLORIDA_SCHOOLS == School.objects.count()


def test_a_file_in_another_layout_is_refused_whole(agencies_file):
    with pytest.raises(ImportFileError, match=r"missing column\(s\) NCESID, LATITUDE, LONGITUDE, DISTRICTID"):
        do_import_schools("test", agencies_file)
    assert School.objects.count() == 0


def test_imports_every_florida_agency_with_x_as_longitude(agencies_file):
    first = do_import_agencies("test", agencies_file)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (FLORIDA_AGENCIES, 0, 0, [])
    assert Agency.objects.count() == FLORIDA_AGENCIES
    # Line 286: OCALA POLICE DEPARTMENT, X -82.1407109, Y 29.1832735 (Ocala is at 29.19 N, 82.14 W).
    ocala = Agency.objects.get(hifld_id="10222668")
    assert ocala.name == "Ocala Police Department"
    assert (ocala.latitude, ocala.longitude) == (29.1832735, -82.1407109)
    assert (ocala.city, ocala.county, ocala.phone) == ("Ocala", "Marion", "352-369-7000")
    # Florida lies between 24.5 and 31 N and 80 and 87.7 W: a swapped X/Y would put every agency elsewhere.
    assert not Agency.objects.exclude(latitude__range=(24.3, 31.1), longitude__range=(-87.7, -79.9)).exists()

    second = do_import_agencies("test", agencies_file)
    assert (second.created, second.updated, second.unchanged) == (0, 0, FLORIDA_AGENCIES)
