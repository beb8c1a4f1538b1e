"""The responder packet: one PDF per school that an officer can carry when the network fails.

Drawn with ReportLab (pure Python). The site map is projected by hand: an equirectangular projection
centred on the campus, x scaled by cos(latitude), which is accurate to well under a metre across a
school's grounds and needs no map library or tiles.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import Any

from django.utils import timezone
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from schoolsafe.core.pdffonts import SANS, SANS_BOLD, markup, register
from schoolsafe.plans.contacts import contact_list
from schoolsafe.plans.sitemap import KINDS, UTILITIES, distance_km, feature_label, features_for, representative_point
from schoolsafe.plans.srp import ACTION_LABELS, directives_for, locations, protocol_for, shelter_strategies_for

METRES_PER_DEGREE = 111_320.0
# Features farther than this from the school are listed under the map instead of drawn on it.
CAMPUS_RADIUS_M = 500
# Colours by kind; a printed packet is often black and white, so every symbol also carries its number.
KIND_COLOURS = {
    "building": colors.Color(0.85, 0.85, 0.85),
    "entrance": colors.Color(0.1, 0.45, 0.1),
    "exit": colors.Color(0.75, 0.1, 0.1),
    "rally_point": colors.Color(0.0, 0.35, 0.75),
    "reunification_site": colors.Color(0.45, 0.2, 0.65),
    "staging_area": colors.Color(0.1, 0.1, 0.1),
    "utility_shutoff": colors.Color(0.85, 0.5, 0.0),
    "knox_box": colors.Color(0.55, 0.35, 0.1),
    "aed": colors.Color(0.8, 0.0, 0.4),
    "first_aid_kit": colors.Color(0.8, 0.0, 0.4),
    "camera": colors.Color(0.35, 0.35, 0.35),
}

_styles = getSampleStyleSheet()
# The Unicode font (schoolsafe.core.pdffonts, registered before each build): names in any script print.
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontName=SANS, fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=_styles["Title"], fontName=SANS_BOLD, fontSize=20, leading=24, alignment=0,
                    spaceAfter=4)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontName=SANS_BOLD, fontSize=13, leading=16, spaceBefore=10,
                    spaceAfter=4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
TABLE_STYLE = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96)),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
])


def _p(text: Any, style: ParagraphStyle = CELL) -> Paragraph:
    # Paragraph reads a small markup language: user text must be escaped or "<" breaks the packet.
    return Paragraph(markup(text), style)


def _table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
    data = [[_p(h) for h in header]] + [[c if isinstance(c, Paragraph) else _p(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _position(feature: dict[str, Any]) -> str:
    lon, lat = representative_point(feature["geometry"])
    return f"{lat:.5f}, {lon:.5f}"


def _detail(feature: dict[str, Any]) -> str:
    props = feature["properties"]
    parts = []
    if props.get("door"):
        parts.append(f"Door {props['door']}")
    if props.get("utility"):
        parts.append(UTILITIES.get(props["utility"], props["utility"]))
    if props.get("notes"):
        parts.append(props["notes"])
    return "; ".join(parts)


class SiteMapDrawing:
    """Projects the site features into a box of the page and draws them as a ReportLab Drawing."""

    def __init__(self, school: Any, numbered: list[tuple[int, dict[str, Any]]], width: float, height: float) -> None:
        self.numbered, self.width, self.height, self.pad = numbered, width, height, 24.0
        positions = [p for _, f in numbered for p in _all_positions(f["geometry"])]
        if school.latitude is not None and school.longitude is not None:
            positions.append((school.longitude, school.latitude))
        self.school_point = (school.longitude, school.latitude) if school.latitude is not None else None
        lons, lats = [p[0] for p in positions], [p[1] for p in positions]
        self.lat0 = (min(lats) + max(lats)) / 2 if lats else 0.0
        self.kx = math.cos(math.radians(self.lat0))
        xs = [lon * self.kx for lon in lons]
        self.x_min, self.x_max = (min(xs), max(xs)) if xs else (0.0, 0.0)
        self.y_min, self.y_max = (min(lats), max(lats)) if lats else (0.0, 0.0)
        # At least 150 m across, so a map of one point is not zoomed in to nothing.
        floor = 150 / METRES_PER_DEGREE
        self.scale = min((width - 2 * self.pad) / max(self.x_max - self.x_min, floor),
                         (height - 2 * self.pad) / max(self.y_max - self.y_min, floor))
        self.cx, self.cy = (self.x_min + self.x_max) / 2, (self.y_min + self.y_max) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.width / 2 + (lon * self.kx - self.cx) * self.scale,
                self.height / 2 + (lat - self.cy) * self.scale)

    def drawing(self) -> Drawing:
        d = Drawing(self.width, self.height)
        d.add(Rect(0, 0, self.width, self.height, strokeColor=colors.black, fillColor=colors.white, strokeWidth=1))
        # Buildings first, so the points on their doors stay visible.
        ordered = sorted(self.numbered, key=lambda item: item[1]["properties"]["kind"] != "building")
        for number, feature in ordered:
            self._feature(d, number, feature)
        for number, feature in self.numbered:
            self._label(d, number, feature)
        if self.school_point:
            x, y = self.xy(*self.school_point)
            d.add(Line(x - 5, y, x + 5, y, strokeColor=colors.black))
            d.add(Line(x, y - 5, x, y + 5, strokeColor=colors.black))
        self._north_arrow(d)
        self._scale_bar(d)
        return d

    def _feature(self, d: Drawing, number: int, feature: dict[str, Any]) -> None:
        kind = feature["properties"]["kind"]
        colour = KIND_COLOURS.get(kind, colors.black)
        geometry = feature["geometry"]
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [])
        for polygon in polygons:
            points = [c for lon, lat in polygon[0] for c in self.xy(lon, lat)]
            if kind == "building":
                d.add(Polygon(points, fillColor=colour, strokeColor=colors.black, strokeWidth=0.8))
            else:
                d.add(Polygon(points, fillColor=None, strokeColor=colour, strokeWidth=1.5, strokeDashArray=[4, 2]))
        if geometry["type"] == "Point":
            x, y = self.xy(*representative_point(geometry))
            d.add(Circle(x, y, 4.5, fillColor=colour, strokeColor=colors.white, strokeWidth=1))

    def _label(self, d: Drawing, number: int, feature: dict[str, Any]) -> None:
        # Numbers last, on a white tab, so a shape drawn later never hides one.
        x, y = self.xy(*representative_point(feature["geometry"]))
        text = str(number)
        w = 4.6 * len(text) + 3
        d.add(Rect(x + 5, y + 1, w, 9, fillColor=colors.white, strokeColor=colors.grey, strokeWidth=0.3))
        d.add(String(x + 6.5, y + 3, text, fontName=SANS_BOLD, fontSize=7.5, fillColor=colors.black))

    def _north_arrow(self, d: Drawing) -> None:
        x, y = self.width - 18, self.height - 34
        d.add(Polygon([x, y + 16, x - 5, y, x + 5, y], fillColor=colors.black, strokeColor=colors.black))
        d.add(String(x - 3.5, y + 19, "N", fontName=SANS_BOLD, fontSize=9))

    def _scale_bar(self, d: Drawing) -> None:
        metres_per_point = METRES_PER_DEGREE / self.scale
        target = metres_per_point * 100
        nice = max(m for m in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000) if m <= max(target, 5))
        length = nice / metres_per_point
        x, y = 10, 10
        d.add(Line(x, y, x + length, y, strokeColor=colors.black, strokeWidth=2))
        d.add(String(x, y + 4, f"{nice} m", fontName=SANS, fontSize=7))


def _split_campus(school: Any, features: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """(on the campus map, off it): an off-site reunification site a mile away would shrink the campus to a dot."""
    numbered = list(enumerate(features, start=1))
    if school.latitude is None or school.longitude is None:
        return numbered, []
    on: list[tuple[int, dict[str, Any]]] = []
    off: list[tuple[int, dict[str, Any]]] = []
    for number, feature in numbered:
        lon, lat = representative_point(feature["geometry"])
        near = distance_km(school.latitude, school.longitude, lat, lon) * 1000 <= CAMPUS_RADIUS_M
        (on if near else off).append((number, feature))
    return on, off


def _distance_text(school: Any, feature: dict[str, Any]) -> str:
    lon, lat = representative_point(feature["geometry"])
    km = distance_km(school.latitude, school.longitude, lat, lon)
    bearing = math.degrees(math.atan2((lon - school.longitude) * math.cos(math.radians(lat)), lat - school.latitude))
    compass = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"][round((bearing % 360) / 45) % 8]
    return f"{km:.1f} km {compass} of the school ({lat:.5f}, {lon:.5f})"


def _all_positions(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [(coords[0], coords[1])]
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    return [(p[0], p[1]) for polygon in polygons for ring in polygon for p in ring]


def packet_context(school: Any) -> dict[str, Any]:
    """Everything the packet shows, gathered once (also used by the packet page)."""
    from schoolsafe.plans.models import EmergencyContact, Plan, PlanVersion, ResponderInfo

    features = features_for(school)["features"]
    protocol = protocol_for(school)
    plan = Plan.objects.filter(school=school).first()
    approved = plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("-number").first() if plan else None
    info = ResponderInfo.objects.filter(school=school).first()
    by_group: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, feature in enumerate(features, start=1):
        group = KINDS[feature["properties"]["kind"]].group
        by_group.setdefault(group, []).append((number, feature))
    return {
        "school": school,
        "features": features,
        "by_group": by_group,
        "directives": directives_for(school),
        "shelter_strategies": shelter_strategies_for(school),
        "evacuation_locations": locations(protocol.evacuation_locations),
        "reunification_locations": locations(protocol.reunification_locations),
        "contacts": list(EmergencyContact.objects.filter(school=school)),
        "agencies": list(school.agencies.all()),
        "access_information": info.access_information if info else "",
        "plan": plan,
        "approved_version": approved,
    }


def responder_packet_pdf(school: Any) -> bytes:
    """The school's responder packet as PDF bytes."""
    register()
    ctx = packet_context(school)
    buffer = io.BytesIO()
    now = timezone.localtime()
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch,
                            title=f"Responder packet: {school.name}", author="SchoolSafe",
                            subject="Site map, contacts and protocols for emergency responders")
    width = doc.width
    story: list[Any] = [
        _p("RESPONDER PACKET: RESTRICTED TO EMERGENCY RESPONDERS AND SCHOOL LEADERSHIP", SMALL),
        _p(school.name, H1),
        _p(", ".join(x for x in [school.address, school.city, f"{school.state} {school.zip_code}".strip()] if x), BODY),
        _p(f"School phone: {school.phone or 'not recorded'}. District: {school.district.name}. "
           f"Location: {school.latitude}, {school.longitude}." if school.latitude is not None
           else f"School phone: {school.phone or 'not recorded'}. District: {school.district.name}.", BODY),
    ]
    plan, approved = ctx["plan"], ctx["approved_version"]
    if approved is not None:
        story.append(_p(f"Emergency operations plan: version {approved.number}, approved "
                        f"{timezone.localtime(approved.approved_at):%B %d, %Y}; review due "
                        f"{plan.review_due:%B %d, %Y}.", BODY))
    else:
        story.append(_p("Emergency operations plan: no approved version on file.", BODY))
    story.append(_p(f"Generated {now:%B %d, %Y %H:%M %Z} by SchoolSafe. Positions are latitude, longitude (WGS 84).",
                    SMALL))

    story.append(_p("Key contacts (24/7)", H2))
    # The school's own contacts and then the partnership directory's (contacts.py): the list the console shows.
    contact_rows = [[c["name"], c["role"], c["phone"], c["alternate_phone"]] for c in contact_list(school)]
    contact_rows += [[a.name, "Serving law-enforcement agency", a.phone, ""] for a in ctx["agencies"]]
    if contact_rows:
        story.append(_table(["Name", "Role", "Phone", "Alternate"], contact_rows,
                            [width * 0.3, width * 0.3, width * 0.2, width * 0.2]))
    else:
        story.append(_p("No contacts recorded.", BODY))

    story.append(_p("Access information", H2))
    story.append(_p(ctx["access_information"] or "No access information recorded.", BODY))
    access = ctx["by_group"].get("access", [])
    if access:
        story.append(Spacer(1, 4))
        story.append(_table(["#", "Feature", "Name", "Details", "Position"],
                            [[n, KINDS[f["properties"]["kind"]].label, feature_label(f), _detail(f), _position(f)]
                             for n, f in access],
                            [width * 0.06, width * 0.2, width * 0.3, width * 0.2, width * 0.24]))

    story.append(_p("Standard Response Protocol", H2))
    srp_rows = [[ACTION_LABELS[a], d] for a, d in ctx["directives"].items()]
    srp_rows += [[f"Shelter: {hazard}", strategy] for hazard, strategy in ctx["shelter_strategies"].items()]
    story.append(_table(["Action", "Directive"], srp_rows, [width * 0.25, width * 0.75]))

    story.append(_p("Evacuation and reunification sites", H2))
    site_rows = [[f"Evacuation location {i}", loc, ""] for i, loc in enumerate(ctx["evacuation_locations"], start=1)]
    site_rows += [[f"#{n} {KINDS[f['properties']['kind']].label}", feature_label(f), _position(f)]
                  for n, f in ctx["by_group"].get("evacuation", [])]
    site_rows += [[f"Reunification location {i}", loc, ""]
                  for i, loc in enumerate(ctx["reunification_locations"], start=1)]
    site_rows += [[f"#{n} {KINDS[f['properties']['kind']].label}", feature_label(f), _position(f)]
                  for n, f in ctx["by_group"].get("reunification", [])]
    if site_rows:
        story.append(_table(["Site", "Name", "Position"], site_rows, [width * 0.3, width * 0.45, width * 0.25]))
    else:
        story.append(_p("No evacuation or reunification sites recorded.", BODY))

    story.append(_p("Utility shut-offs", H2))
    utilities = ctx["by_group"].get("utility", [])
    if utilities:
        story.append(_table(["#", "Utility", "Name", "Notes", "Position"],
                            [[n, UTILITIES.get(f["properties"].get("utility", ""), ""), feature_label(f),
                              f["properties"].get("notes", ""), _position(f)] for n, f in utilities],
                            [width * 0.06, width * 0.14, width * 0.3, width * 0.26, width * 0.24]))
    else:
        story.append(_p("No utility shut-offs mapped.", BODY))

    story.append(PageBreak())
    story.append(_p(f"Site map: {school.name}", H2))
    features = ctx["features"]
    if features:
        on_map, off_map = _split_campus(school, features)
        story.append(SiteMapDrawing(school, on_map, width, 6.6 * inch).drawing())
        if off_map:
            story.append(_p(f"Off the map (more than {CAMPUS_RADIUS_M:g} m from the school): " + "; ".join(
                f"#{n} {feature_label(f)}, {_distance_text(school, f)}" for n, f in off_map), SMALL))
        story.append(Spacer(1, 6))
        story.append(KeepTogether([_p("Site features (numbers as on the map)", H2), _table(
            ["#", "Kind", "Name", "Details", "Position"],
            [[n, KINDS[f["properties"]["kind"]].label, feature_label(f), _detail(f), _position(f)]
             for n, f in enumerate(features, start=1)],
            [width * 0.06, width * 0.2, width * 0.3, width * 0.2, width * 0.24])]))
    else:
        story.append(_p("No site map has been drawn for this school yet.", BODY))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7.5)
        canvas.drawString(doc.leftMargin, 0.35 * inch, f"{school.name}: responder packet, {now:%Y-%m-%d %H:%M}")
        canvas.drawRightString(doc.leftMargin + doc.width, 0.35 * inch, f"Page {doc.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def packet_filename(school: Any, extension: str) -> str:
    from django.utils.text import slugify

    return f"responder-packet-{slugify(school.name) or school.pk}.{extension}"


def responder_packet_zip(school: Any) -> bytes:
    """A zip of the packet PDF and the site map GeoJSON, for an officer's device to keep offline."""
    from schoolsafe.plans.models import SiteMap
    from schoolsafe.plans.sitemap import empty_map

    stored = SiteMap.objects.filter(school=school).values_list("geojson", flat=True).first() or empty_map()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(packet_filename(school, "pdf"), responder_packet_pdf(school))
        archive.writestr(packet_filename(school, "geojson").replace("responder-packet", "site-map"),
                         json.dumps(stored, indent=1))
    return buffer.getvalue()
