"""What other apps may read of the tip line: the public statistics (counts by district, small counts suppressed).

The public portal's statistics page reads them here; the computation is `tips/reports.py`.
"""

from schoolsafe.tips.reports import SUPPRESS_BELOW, district_table, districts_with_tips, statistics_years

__all__ = ["SUPPRESS_BELOW", "district_table", "districts_with_tips", "statistics_years"]
