"""Charts and a self-contained HTML report of one or several runs.

matplotlib and jinja2 are imported by the functions that use them, so importing this package
stays cheap.
"""

from __future__ import annotations

from forecast.report.html import render_report
from forecast.report.plots import (comparison_chart, curve_chart, fan_chart, rate_chart,
                                   target_panel)
from forecast.report.text import LANGUAGES

__all__ = ["LANGUAGES", "comparison_chart", "curve_chart", "fan_chart", "rate_chart", "render_report",
           "target_panel"]
