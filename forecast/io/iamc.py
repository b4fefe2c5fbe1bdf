"""A run in the IAMC long format (pyam's): one row per model, scenario, region, variable, unit
and year, for the scenario-data ecosystem (pyam, the IIASA Scenario Explorer).

Each indicator gives one variable per quantile of its fan (:data:`forecast.summary.
FAN_QUANTILES`): ``<label>|p01`` ... ``<label>|p50`` ... ``<label>|p99``, the indicator's
English label (its name if it has none, ``|`` in a label written ``/``), every simulated year,
the base year included, in the indicator's unit. ``model`` is ``forecast``, ``region`` the
scenario's region. Written without pyam (:func:`iamc_table`); docs/outputs.md shows an
example.
"""

from __future__ import annotations

from typing import Any

from forecast.formatting import label_of
from forecast.summary import FAN_QUANTILES

COLUMNS = ("model", "scenario", "region", "variable", "unit", "year", "value")
"""The columns of pyam's long format, in its order."""
MODEL = "forecast"
"""The ``model`` of every row."""


def statistic(quantile: float) -> str:
    """The variable suffix of a quantile: ``0.05`` -> ``p05``, ``0.5`` -> ``p50``."""
    return f"p{round(100 * quantile):02d}"


def variable_name(label: str | dict[str, str], name: str) -> str:
    """The IAMC variable stem of an indicator: its English label (``|`` written ``/``, as
    ``|`` separates the levels of an IAMC variable), or its name."""
    return label_of(label, name, "en").replace("|", "/").strip() or name


def iamc_table(results: Any) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The columns (:data:`COLUMNS`) and rows of a run in the IAMC long format: every
    quantile of every indicator in every year, from the run's summary (exact when the draws
    were kept, within the stated bounds when streamed). A quantile that is not a number
    (a NaN draw) is left out.

    Parameters
    ----------
    results : forecast.results.Results
    """
    import math

    summary = results.summary
    region = str(results.provenance.get("region", "")) or results.scenario_name
    rows = []
    for i, name in enumerate(summary.indicators):
        info = results.info[name]
        stem = variable_name(info.label, name)
        for q, quantile in enumerate(FAN_QUANTILES):
            for y, year in enumerate(summary.years):
                value = float(summary.fan[i, q, y])
                if not math.isfinite(value):
                    continue
                rows.append({"model": MODEL, "scenario": results.scenario_name,
                             "region": region, "variable": f"{stem}|{statistic(quantile)}",
                             "unit": info.unit, "year": int(year), "value": value})
    return COLUMNS, rows


__all__ = ["COLUMNS", "MODEL", "iamc_table", "statistic", "variable_name"]
