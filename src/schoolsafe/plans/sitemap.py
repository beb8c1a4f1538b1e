"""Site maps: the kinds of feature a school maps for responders, and the check of a GeoJSON upload.

GeoJSON (RFC 7946) writes a position as [longitude, latitude]. The most common mistake in files made by
hand or exported from spreadsheets is the other order, which puts a Florida school in Antarctica or the
Indian Ocean; the check names each feature it refuses and says why, so the editor can fix it.

Polygons are checked with shapely (GEOS): a self-intersecting ring or one whose positions are all the
same is refused, naming the feature and GEOS's reason; outer rings are stored counter-clockwise and holes
clockwise (RFC 7946 §3.1.6, the right-hand rule). A feature without a kind we know (a geojson.io export
has none) is kept as "other" with a warning, and a feature's `id` is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

POINT, POLYGON, MULTIPOLYGON = "Point", "Polygon", "MultiPolygon"
AREA = (POINT, POLYGON, MULTIPOLYGON)


@dataclass(frozen=True)
class FeatureKind:
    code: str
    label: str
    geometries: tuple[str, ...]
    # Shown in the packet's lists of evacuation/reunification sites or utility shut-offs.
    group: str = ""


KINDS: dict[str, FeatureKind] = {
    k.code: k
    for k in [
        FeatureKind("building", "Building", (POLYGON, MULTIPOLYGON)),
        FeatureKind("entrance", "Entrance", (POINT,), "access"),
        FeatureKind("exit", "Exit", (POINT,), "access"),
        FeatureKind("rally_point", "Rally point", AREA, "evacuation"),
        FeatureKind("reunification_site", "Reunification site", AREA, "reunification"),
        FeatureKind("staging_area", "Responder staging area", AREA, "access"),
        FeatureKind("utility_shutoff", "Utility shut-off", (POINT,), "utility"),
        FeatureKind("knox_box", "Knox box", (POINT,), "access"),
        FeatureKind("aed", "AED", (POINT,)),
        FeatureKind("first_aid_kit", "First-aid kit", (POINT,)),
        FeatureKind("camera", "Camera", (POINT,)),
        # A feature drawn elsewhere (geojson.io, a GIS) without one of the kinds above.
        FeatureKind("other", "Other", AREA),
    ]
}
UTILITIES = {"gas": "Gas", "water": "Water", "electric": "Electric"}
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection"}

# A site feature lies on or next to the campus; 3 km leaves room for an off-site reunification site
# (a church, a stadium) while still catching a swapped or mistyped position.
MAX_DISTANCE_KM = 3.0
MAX_FEATURES = 1000
MAX_POSITIONS = 20000
TEXT_LIMITS = {"name": 120, "door": 20, "notes": 500}


class SiteMapError(ValueError):
    """A site map that cannot be stored; `problems` has one sentence per problem, naming the feature."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def empty_map() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": []}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def feature_label(feature: dict[str, Any]) -> str:
    """A feature's name as people see it: its name, or its kind (and door number)."""
    props = feature.get("properties") or {}
    if props.get("name"):
        return str(props["name"])
    kind = KINDS.get(props.get("kind", ""))
    label = kind.label if kind else "Feature"
    if props.get("door"):
        label += f" (door {props['door']})"
    return label


def _a(label: str) -> str:
    """The label with its indefinite article: 'an exit', 'a rally point', 'an AED'."""
    word = label if label.isupper() else label.lower()
    return f"{'an' if word[:1].lower() in 'aeio' else 'a'} {word}"


class _Checker:
    def __init__(self, school: Any) -> None:
        self.problems: list[str] = []
        self.positions = 0
        lat, lon = getattr(school, "latitude", None), getattr(school, "longitude", None)
        self.center = (lat, lon) if lat is not None and lon is not None else None

    def position(self, where: str, value: Any) -> list[float] | None:
        """One [lon, lat] position, checked; None (with a problem recorded) when it is unusable."""
        self.positions += 1
        if (not isinstance(value, list | tuple) or len(value) not in (2, 3)
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
            self.problems.append(f"{where}: a position must be [longitude, latitude] numbers, not {value!r:.60}")
            return None
        lon, lat = float(value[0]), float(value[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.problems.append(f"{where}: the position {value!r:.60} is not a finite number")
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            hint = ""
            if -90 <= lon <= 90 and -180 <= lat <= 180:
                hint = " (latitude and longitude look swapped: GeoJSON writes [longitude, latitude])"
            self.problems.append(f"{where}: coordinates [{lon}, {lat}] are out of range: longitude must be "
                                 f"-180 to 180 and latitude -90 to 90{hint}")
            return None
        if self.center is not None:
            far = distance_km(self.center[0], self.center[1], lat, lon)
            if far > MAX_DISTANCE_KM:
                swapped = (-90 <= lon <= 90) and distance_km(self.center[0], self.center[1], lon, lat) <= MAX_DISTANCE_KM
                if swapped:
                    self.problems.append(f"{where}: latitude and longitude are swapped: [{lon}, {lat}] lies {far:,.0f} km "
                                         f"from the school; GeoJSON writes [longitude, latitude], i.e. [{lat}, {lon}]")
                else:
                    self.problems.append(f"{where}: [{lon}, {lat}] lies {far:,.1f} km from the school; site features "
                                         f"must be within {MAX_DISTANCE_KM:g} km of it")
                return None
        return [round(lon, 7), round(lat, 7)]

    def ring(self, where: str, value: Any) -> list[list[float]] | None:
        if not isinstance(value, list) or len(value) < 4:
            self.problems.append(f"{where} needs at least 4 positions (a closed ring repeats its first position "
                                 f"at the end)")
            return None
        ring = [self.position(f"{where}, position {i + 1}", p) for i, p in enumerate(value)]
        if any(p is None for p in ring):
            return None
        if ring[0] != ring[-1]:
            self.problems.append(f"{where} is not closed: its first position {ring[0]} and last position "
                                 f"{ring[-1]} differ (RFC 7946 3.1.6)")
            return None
        return ring  # type: ignore[return-value]

    def polygon(self, where: str, value: Any) -> list[list[list[float]]] | None:
        if not isinstance(value, list) or not value:
            self.problems.append(f"{where}: a polygon needs at least one ring of positions")
            return None
        rings = [self.ring(f"{where} ring {i + 1}", r) for i, r in enumerate(value)]
        if any(r is None for r in rings):
            return None
        return self.valid_polygon(where, rings)  # type: ignore[arg-type]

    def valid_polygon(self, where: str, rings: list[list[list[float]]]) -> list[list[list[float]]] | None:
        """The polygon if GEOS finds it valid, its outer ring counter-clockwise and its holes clockwise."""
        from shapely import is_valid_reason
        from shapely.geometry import LinearRing
        from shapely.geometry import Polygon as ShapelyPolygon

        if len({tuple(p) for p in rings[0]}) < 3:
            self.problems.append(f"{where}: the outline has fewer than 3 distinct positions, so it encloses nothing")
            return None
        shape = ShapelyPolygon(rings[0], rings[1:])
        if not shape.is_valid:
            self.problems.append(f"{where} is not a valid polygon: {is_valid_reason(shape)} (a ring must not cross "
                                 f"itself or another ring)")
            return None
        out = []
        for i, ring in enumerate(rings):
            ccw = LinearRing(ring).is_ccw
            # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
            out.append(ring if ccw == (i == 0) else ring[::-1])
        return out

    def geometry(self, where: str, kind: FeatureKind, geometry: Any) -> dict[str, Any] | None:
        if not isinstance(geometry, dict):
            self.problems.append(f"{where} has no geometry")
            return None
        gtype = geometry.get("type")
        if gtype not in GEOMETRY_TYPES:
            self.problems.append(f"{where} has an unknown geometry type {gtype!r} (allowed for "
                                 f"{_a(kind.label)}: {', '.join(kind.geometries)})")
            return None
        if gtype not in kind.geometries:
            self.problems.append(f"{where}: {_a(kind.label)} is drawn as {' or '.join(kind.geometries)}, "
                                 f"not {gtype}")
            return None
        coords = geometry.get("coordinates")
        if gtype == POINT:
            checked: Any = self.position(where, coords)
        elif gtype == POLYGON:
            checked = self.polygon(where, coords)
        else:
            if not isinstance(coords, list) or not coords:
                self.problems.append(f"{where}: a MultiPolygon needs at least one polygon")
                return None
            polygons = [self.polygon(f"{where} polygon {i + 1}", p) for i, p in enumerate(coords)]
            checked = None if any(p is None for p in polygons) else polygons
        if checked is None:
            return None
        return {"type": gtype, "coordinates": checked}

    def properties(self, where: str, kind: FeatureKind, props: dict[str, Any]) -> dict[str, Any] | None:
        clean: dict[str, Any] = {"kind": kind.code}
        ok = True
        for field, limit in TEXT_LIMITS.items():
            value = props.get(field)
            if value in (None, ""):
                continue
            if not isinstance(value, str | int) or isinstance(value, bool):
                self.problems.append(f"{where}: {field} must be text")
                ok = False
                continue
            value = str(value).strip()
            if len(value) > limit:
                self.problems.append(f"{where}: {field} is longer than {limit} characters")
                ok = False
            elif value:
                clean[field] = value
        if kind.code in ("entrance", "exit") and not clean.get("door"):
            self.problems.append(f"{where}: {_a(kind.label)} needs its door number (property 'door')")
            ok = False
        if kind.code == "utility_shutoff":
            utility = props.get("utility")
            if utility not in UTILITIES:
                self.problems.append(f"{where}: a utility shut-off needs 'utility' set to one of "
                                     f"{', '.join(UTILITIES)} (got {utility!r:.30})")
                ok = False
            else:
                clean["utility"] = utility
        return clean if ok else None


def check_site_map(data: Any, school: Any = None) -> dict[str, Any]:
    """Check a GeoJSON FeatureCollection of site features; return it cleaned, or raise SiteMapError.

    Cleaned: only the known properties kept, text trimmed, positions as [lon, lat] rounded to 7 decimals
    (about 1 cm), altitude dropped, rings wound by the right-hand rule.
    """
    return check_site_map_with_warnings(data, school)[0]


def check_site_map_with_warnings(data: Any, school: Any = None) -> tuple[dict[str, Any], list[str]]:
    """As check_site_map, with the warnings about what was accepted but changed (unknown kinds kept as
    "other")."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SiteMapError(["the site map must be a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\")"])
    features = data.get("features")
    if not isinstance(features, list):
        raise SiteMapError(["the FeatureCollection has no \"features\" list"])
    if len(features) > MAX_FEATURES:
        raise SiteMapError([f"a site map holds at most {MAX_FEATURES} features, not {len(features)}"])
    checker = _Checker(school)
    cleaned = []
    warnings: list[str] = []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            checker.problems.append(f"feature {index} is not a GeoJSON object")
            continue
        given_props = feature.get("properties")
        props: dict[str, Any] = given_props if isinstance(given_props, dict) else {}
        where = f"feature {index} ({feature_label({'properties': props})!r})"
        if feature.get("type") != "Feature":
            checker.problems.append(f"{where} has an unknown type {feature.get('type')!r}: each item of "
                                    f"\"features\" must have \"type\": \"Feature\"")
            continue
        kind = KINDS.get(props.get("kind", "") if isinstance(props.get("kind", ""), str) else "")
        if kind is None:
            given = props.get("kind")
            warnings.append(f"{where} has an unknown feature kind {given!r:.40}: kept as \"other\" (kinds: "
                            f"{', '.join(KINDS)})" if given else
                            f"{where} has no kind: kept as \"other\" (set property 'kind': one of {', '.join(KINDS)})")
            kind = KINDS["other"]
        geometry = checker.geometry(where, kind, feature.get("geometry"))
        clean_props = checker.properties(where, kind, props)
        if checker.positions > MAX_POSITIONS:
            raise SiteMapError([f"the site map has more than {MAX_POSITIONS} positions; simplify the shapes"])
        if geometry is not None and clean_props is not None:
            clean: dict[str, Any] = {"type": "Feature", "properties": clean_props, "geometry": geometry}
            # RFC 7946 §3.2: a feature's identifier is a string or a number; kept for the tool that made it.
            if isinstance(feature.get("id"), str | int | float) and not isinstance(feature.get("id"), bool):
                clean["id"] = feature["id"] if not isinstance(feature["id"], str) else feature["id"][:120]
            cleaned.append(clean)
    if checker.problems:
        raise SiteMapError(checker.problems)
    return {"type": "FeatureCollection", "features": cleaned}, warnings


def features_for(school: Any) -> dict[str, Any]:
    """The school's site features as a GeoJSON FeatureCollection (empty when none are mapped).

    For other apps (the dispatcher console): the caller has already decided the user may see the school.
    Each feature's properties carry `kind`, `kind_label` and `label` for display.
    """
    from schoolsafe.plans.models import SiteMap

    stored = SiteMap.objects.filter(school=school).values_list("geojson", flat=True).first()
    collection = stored if stored and stored.get("features") is not None else empty_map()
    features = []
    for feature in collection["features"]:
        props = dict(feature.get("properties") or {})
        kind = KINDS.get(props.get("kind", ""))
        props["kind_label"] = kind.label if kind else props.get("kind", "")
        props["label"] = feature_label(feature)
        shown = {"type": "Feature", "properties": props, "geometry": feature["geometry"]}
        if "id" in feature:
            shown["id"] = feature["id"]
        features.append(shown)
    return {"type": "FeatureCollection", "features": features}


def representative_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lon, lat) to label a feature: the point itself, or the mean of a polygon's outer ring."""
    coords = geometry["coordinates"]
    if geometry["type"] == POINT:
        return coords[0], coords[1]
    ring = coords[0] if geometry["type"] == POLYGON else coords[0][0]
    ring = ring[:-1] or ring
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
