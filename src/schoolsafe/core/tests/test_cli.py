"""The `schoolsafe` command as an operator runs it: a real process, its own data folder, its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schoolsafe.core.tests.shared_data import SCHOOLS_FILE, shared_file

FLORIDA_SCHOOLS = 4337


def command() -> list[str]:
    """The installed console script when there is one (what `make demo` runs), else the module."""
    script = Path(sys.executable).parent / "schoolsafe"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "schoolsafe.cli"]


def run(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SCHOOLSAFE_TRACEBACK", "DJANGO_SETTINGS_MODULE"}}
    # Its own embedded database in its own folder: never the developer's, never the test database.
    env["SCHOOLSAFE_DATA"] = str(data)
    return subprocess.run(
        [*command(), *args], env=env, cwd=data.parent, capture_output=True, text=True, timeout=180, check=False
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_missing_file(data, tmp_path):
    result = run(data, "import-schools", str(tmp_path / "nowhere.csv"))
    line = assert_one_clear_line(result, "nowhere.csv", "no such file")
    assert line.startswith("schoolsafe: error: ")


def test_a_directory(data, tmp_path):
    assert_one_clear_line(run(data, "import-schools", str(tmp_path)), str(tmp_path), "is a directory")


def test_a_binary_file(data, tmp_path):
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert_one_clear_line(run(data, "import-schools", str(binary)), "photo.png", "binary")


def test_a_csv_with_the_wrong_columns(data, tmp_path):
    wrong = tmp_path / "people.csv"
    wrong.write_text("first,last,email\nAda,Lovelace,ada@example.test\n")
    assert_one_clear_line(run(data, "import-schools", str(wrong)), "people.csv", "missing column(s) NCESID")
    assert_one_clear_line(run(data, "import-agencies", str(wrong)), "people.csv", "missing column(s) ID, NAME, X, Y")


def test_an_unknown_subcommand(data):
    result = run(data, "import-everything")
    assert_one_clear_line(result, "invalid choice", "import-everything")
    assert result.returncode == 2


def test_a_port_that_is_not_a_number(data):
    assert_one_clear_line(run(data, "demo", "--port", "abc"), "--port", "port must be a number", "'abc'")
    assert_one_clear_line(run(data, "demo", "--port", "70000"), "between 1 and 65535")
    # Refused before anything was set up: no database was created in the data folder.
    assert not (data / "schoolsafe.sqlite3").exists()


def test_no_command_at_all(data):
    assert_one_clear_line(run(data), "COMMAND")


def test_importing_before_the_database_exists_says_what_to_do(data):
    schools = shared_file(SCHOOLS_FILE)
    assert_one_clear_line(run(data, "import-schools", str(schools), "--quiet"), "schoolsafe manage migrate")


def test_import_prints_its_summary_and_line_numbers(data, tmp_path):
    schools = shared_file(SCHOOLS_FILE)
    lines = schools.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # Line 1000 of the file, SOUTH MIAMI MIDDLE SCHOOL, loses its latitude (the 17th column).
    fields = lines[999].split(",")
    assert (fields[2], fields[16]) == ("120039000584", "25.7144543")
    fields[16] = "NOT AVAILABLE"
    broken = tmp_path / "broken.csv"
    broken.write_text("".join([*lines[:999], ",".join(fields), *lines[1000:]]), encoding="utf-8")
    nces_id = fields[2]

    migrated = run(data, "manage", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr

    # All or nothing: the broken row stops the whole file, and the summary says so.
    result = run(data, "import-schools", str(broken), "--all-or-nothing", "--quiet")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"line 1000: rejected: school {nces_id}: coordinates missing"]
    assert "created 0, updated 0, unchanged 0, rejected 1" in result.stdout
    assert f"nothing imported: {FLORIDA_SCHOOLS} rows read" in result.stdout

    # Without it: the rest is imported, the broken line named.
    result = run(data, "import-schools", str(broken), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"line 1000: rejected: school {nces_id}: coordinates missing"]
    assert f"created {FLORIDA_SCHOOLS - 1}, updated 0, unchanged 0, rejected 1" in result.stdout
    assert "rows/s" in result.stdout

    result = run(data, "import-schools", str(schools), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"created 1, updated 0, unchanged {FLORIDA_SCHOOLS - 1}, rejected 0" in result.stdout

    result = run(data, "import-schools", str(schools), "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"created 0, updated 0, unchanged {FLORIDA_SCHOOLS}, rejected 0" in result.stdout
    assert f"{FLORIDA_SCHOOLS} rows read in" in result.stdout


def test_26_19_demo_otp_without_a_demo_database_names_the_data_folder_it_looked_in(tmp_path):
    data = tmp_path / "no-demo-here"
    result = run(data, "demo-otp", "dispatcher")
    assert_one_clear_line(result, str(data), "SCHOOLSAFE_DATA", "schoolsafe demo")
    assert "no such table" not in result.stderr
    assert not (data / "schoolsafe.sqlite3").exists()
