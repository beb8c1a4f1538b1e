"""Importers for the public HIFLD/NCES files: schools and law-enforcement agencies.

Both upsert by the file's own id, so running an import twice changes nothing the second time. Values
the federal files use for "missing" (-999, "NOT AVAILABLE", empty) become empty fields, never numbers.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from schoolsafe.core.models import Agency, District, School

MISSING = {"", "-999", "-999.0", "NOT AVAILABLE", "NOT APPLICABLE", "N/A", "NA"}

LEVELS = {
    "PREKINDERGARTEN": School.Level.PREKINDERGARTEN,
    "ELEMENTARY": School.Level.ELEMENTARY,
    "MIDDLE": School.Level.MIDDLE,
    "HIGH": School.Level.HIGH,
    "SECONDARY": School.Level.SECONDARY,
    "OTHER": School.Level.OTHER,
    "NOT REPORTED": School.Level.NOT_REPORTED,
}

SCHOOL_COLUMNS = ("NCESID", "NAME", "LATITUDE", "LONGITUDE", "DISTRICTID")
AGENCY_COLUMNS = ("ID", "NAME", "X", "Y")


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, not CSV, columns missing)."""


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # Every data row read from the file, whatever became of it (also when nothing was written).
    read: int = 0
    # True when nothing was written because of --all-or-nothing and a rejected row.
    rolled_back: bool = False

    @property
    def rows(self) -> int:
        return self.read

    def line(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {len(self.rejected)}"
        )
        if self.rolled_back:
            text += f" — nothing imported: {self.read} rows read, all-or-nothing and a row was rejected"
        return text


def clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value.upper() in MISSING else value


def clean_grade(value: str | None) -> str:
    # NCES codes a grade it does not have as "M" (missing) or "N" (not applicable).
    value = clean(value).upper()
    return "" if value in {"M", "N"} else value[:4]


def parse_int(value: str | None) -> int | None:
    value = clean(value)
    if not value:
        return None
    try:
        number = int(float(value))
    except ValueError:
        return None
    return number if number >= 0 else None


def parse_coordinates(lat_text: str | None, lon_text: str | None) -> tuple[float, float]:
    """Latitude and longitude, or ValueError saying what is wrong with them."""
    lat_s, lon_s = clean(lat_text), clean(lon_text)
    if not lat_s or not lon_s:
        raise ValueError("coordinates missing")
    try:
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise ValueError(f"coordinates not numbers ({lat_s!r}, {lon_s!r})") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates not finite")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValueError(f"coordinates out of range (latitude {lat}, longitude {lon})")
    if lat == 0 and lon == 0:
        raise ValueError("coordinates are 0,0 (a placeholder, not a place)")
    return round(lat, 7), round(lon, 7)


def read_rows(path: Path, required: tuple[str, ...]) -> tuple[int, Iterator[tuple[int, dict[str, str]]]]:
    """Open a CSV file; yield (line number, row). Raises ImportFileError for a file we cannot use."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\0" in text:
        raise ImportFileError(f"{path}: not a CSV file (binary content)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line 1: not valid CSV ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(f"{path}: not in the expected layout; missing column(s) {', '.join(missing)}")
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        # A row is reported by the line it starts on (the header is line 1): a quoted value may span
        # lines, and reader.line_num is where the row ended.
        ended = reader.line_num
        try:
            for values in reader:
                start, ended = ended + 1, reader.line_num
                if values:  # a blank line is no row
                    yield start, dict(zip(header, values, strict=False))
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {ended + 1}: not valid CSV ({exc})") from None

    return total, rows()


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def import_schools(path: Path, *, all_or_nothing: bool = False, progress: Any = None) -> ImportSummary:
    """Upsert schools (and their districts) from an HIFLD/NCES public-schools CSV file."""
    total, rows = read_rows(path, SCHOOL_COLUMNS)
    if progress is not None:
        progress.reset(total=total)
    summary = ImportSummary()
    parsed: dict[str, tuple[int, dict[str, Any], str, str]] = {}
    for line, row in rows:
        summary.read += 1
        if progress is not None:
            progress.update(1)
        nces_id, name = clean(row.get("NCESID")), clean(row.get("NAME"))
        if not nces_id or not name:
            summary.rejected.append(Rejection(line, "NCESID or NAME missing"))
            continue
        try:
            lat, lon = parse_coordinates(row.get("LATITUDE"), row.get("LONGITUDE"))
        except ValueError as exc:
            summary.rejected.append(Rejection(line, f"school {nces_id}: {exc}"))
            continue
        district_id = clean(row.get("DISTRICTID"))
        if not district_id:
            summary.rejected.append(Rejection(line, f"school {nces_id}: DISTRICTID missing"))
            continue
        if nces_id in parsed:
            summary.rejected.append(Rejection(line, f"school {nces_id}: repeats line {parsed[nces_id][0]}"))
            continue
        values: dict[str, Any] = {
            "name": name.title() if name.isupper() else name,
            "address": clean(row.get("ADDRESS")).title(),
            "city": clean(row.get("CITY")).title(),
            "state": clean(row.get("STATE"))[:2],
            "zip_code": clean(row.get("ZIP"))[:10],
            "county": clean(row.get("COUNTY")).title(),
            "latitude": lat,
            "longitude": lon,
            "low_grade": clean_grade(row.get("ST_GRADE")),
            "high_grade": clean_grade(row.get("END_GRADE")),
            "enrollment": parse_int(row.get("ENROLLMENT")),
            "level": LEVELS.get(clean(row.get("LEVEL_")).upper(), School.Level.OTHER)
            if clean(row.get("LEVEL_"))
            else School.Level.NOT_REPORTED,
            "phone": clean(row.get("TELEPHONE"))[:40],
            "website": _url(row.get("WEBSITE")),
        }
        parsed[nces_id] = (line, values, district_id, values["county"])

    if summary.rejected and all_or_nothing:
        summary.rolled_back = True
        return summary

    with transaction.atomic():
        districts = {d.nces_id: d for d in District.objects.filter(nces_id__in={p[2] for p in parsed.values()})}
        new_districts = []
        for _line, _values, district_id, county in parsed.values():
            if district_id not in districts:
                district = District(
                    nces_id=district_id,
                    name=f"{county} County district (NCES {district_id})" if county else f"NCES district {district_id}",
                    state="FL" if district_id.startswith("12") else "",
                    county=county,
                )
                districts[district_id] = district
                new_districts.append(district)
        District.objects.bulk_create(new_districts, batch_size=500)
        if new_districts and new_districts[0].pk is None:  # backends without RETURNING ids
            districts = {d.nces_id: d for d in District.objects.filter(nces_id__in=list(districts))}

        existing = {s.nces_id: s for s in School.objects.filter(nces_id__in=list(parsed))}
        to_create, to_update = [], []
        fields = ["district_id", *next(iter(parsed.values()))[1].keys()] if parsed else []
        for nces_id, (_line, values, district_id, _county) in parsed.items():
            values = {**values, "district_id": districts[district_id].pk}
            school = existing.get(nces_id)
            if school is None:
                to_create.append(School(nces_id=nces_id, **values))
            elif _apply(school, values):
                to_update.append(school)
            else:
                summary.unchanged += 1
        School.objects.bulk_create(to_create, batch_size=500)
        School.objects.bulk_update(to_update, fields, batch_size=500)
        summary.created, summary.updated = len(to_create), len(to_update)
    return summary


def _url(value: str | None) -> str:
    value = clean(value)
    if value and not value.lower().startswith(("http://", "https://")):
        value = "http://" + value
    return value[:300]


def import_agencies(path: Path, *, all_or_nothing: bool = False, progress: Any = None) -> ImportSummary:
    """Upsert law-enforcement agencies from an HIFLD local-law-enforcement-locations CSV file.

    In that layout X is the longitude and Y the latitude.
    """
    total, rows = read_rows(path, AGENCY_COLUMNS)
    if progress is not None:
        progress.reset(total=total)
    summary = ImportSummary()
    parsed: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in rows:
        summary.read += 1
        if progress is not None:
            progress.update(1)
        hifld_id, name = clean(row.get("ID")), clean(row.get("NAME"))
        if not hifld_id or not name:
            summary.rejected.append(Rejection(line, "ID or NAME missing"))
            continue
        try:
            lat, lon = parse_coordinates(row.get("Y"), row.get("X"))
        except ValueError as exc:
            summary.rejected.append(Rejection(line, f"agency {hifld_id}: {exc}"))
            continue
        if hifld_id in parsed:
            summary.rejected.append(Rejection(line, f"agency {hifld_id}: repeats line {parsed[hifld_id][0]}"))
            continue
        parsed[hifld_id] = (
            line,
            {
                "name": name.title() if name.isupper() else name,
                "phone": clean(row.get("TELEPHONE"))[:40],
                "address": clean(row.get("ADDRESS")).title(),
                "city": clean(row.get("CITY")).title(),
                "county": clean(row.get("COUNTY")).title(),
                "state": clean(row.get("STATE"))[:2],
                "latitude": lat,
                "longitude": lon,
            },
        )
    if summary.rejected and all_or_nothing:
        summary.rolled_back = True
        return summary
    with transaction.atomic():
        existing = {a.hifld_id: a for a in Agency.objects.filter(hifld_id__in=list(parsed))}
        to_create, to_update = [], []
        for hifld_id, (_line, values) in parsed.items():
            agency = existing.get(hifld_id)
            if agency is None:
                to_create.append(Agency(hifld_id=hifld_id, **values))
            elif _apply(agency, values):
                to_update.append(agency)
            else:
                summary.unchanged += 1
        Agency.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            Agency.objects.bulk_update(to_update, list(next(iter(parsed.values()))[1]), batch_size=500)
        summary.created, summary.updated = len(to_create), len(to_update)
    return summary
