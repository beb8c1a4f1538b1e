"""The plots are SVG a strict CSP lets through (no style element or attribute), labelled for a screen reader,
with a suppressed group named in words rather than drawn as an empty bar."""

from __future__ import annotations

import re
import xml.dom.minidom  # nosec B408 - parses the SVG this test itself just made

from schoolsafe.sro.equity import YEAR, Referral, compute
from schoolsafe.sro.plots import dimension_svg, trend_svg


def test_a_dimension_plot_is_csp_clean_and_labelled():
    enrolment = {(1, "race", "white"): 400, (1, "race", "black"): 300, (1, "race", "pacific_islander"): 7,
                 (1, "race", "asian"): 60}
    base = {"sex": "male", "disability": "none", "english_learner": "no"}
    rows = ([Referral(1, "fall", {"race": "white", **base})] * 20 + [Referral(1, "fall", {"race": "black", **base})] * 30
            + [Referral(1, "fall", {"race": "pacific_islander", **base})] * 2
            + [Referral(1, "fall", {"race": "asian", **base})] * 11)
    table = compute([1], rows, enrolment).table(1, YEAR, "race")
    svg = dimension_svg(table, "School One, school year 2025–26", prefix="plot-race")
    assert "<style" not in svg and "style=" not in svg
    doc = xml.dom.minidom.parseString(svg)  # nosec B318 - our own output
    root = doc.documentElement
    assert root.tagName == "svg" and root.getAttribute("role") == "img"
    title = doc.getElementsByTagName("title")[0]
    assert root.getAttribute("aria-labelledby") == title.getAttribute("id") == "plot-race-title"
    text = title.firstChild.data
    assert "Native Hawaiian or Other Pacific Islander: fewer than 10, not shown" in text
    assert "Black or African American: 100 per 1,000" in text
    assert "fewer than 10 (suppressed)" in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("plot-race-") for i in ids)
    assert all(ref.startswith("plot-race-") for ref in re.findall(r"url\(#([^)]+)\)", svg))


def test_a_trend_plot_with_gaps():
    svg = trend_svg(["Fall 2025", "Spring 2026"], [("White", [5.0, None]), ("Black or African American", [12.0, 9.5])],
                    "Trend of referrals", prefix="plot-trend")
    assert "style=" not in svg and 'role="img"' in svg and "<title id=\"plot-trend-title\">Trend of referrals</title>" in svg
