"""What ``summary.json`` and ``summary.csv`` hold: each readable alone.

``summary.json`` (:func:`summary_document`, schema :data:`SCHEMA`, described by the JSON Schema
:func:`json_schema` ships as package data) keeps every number at full precision, with the run's
region, base year, period, tool version and date, and per target its label in English and
Vietnamese, its period and the unit of every number. ``summary.csv`` (:func:`summary_table`) is
the same targets for people: numbers rounded, shares and growth rates in percent, each row with
its units in both languages (written as UTF-8 with a byte-order mark, which Excel reads).
docs/outputs.md describes both.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from forecast.formatting import label_of, rate_unit
from forecast.io.results_file import quantity_unit
from forecast.messages import message, unit_text

SCHEMA = "forecast.summary/1"
"""The ``schema`` of every ``summary.json``."""
SCHEMA_FILE = "schemas/summary-1.schema.json"
"""The JSON Schema of :data:`SCHEMA`, inside the package."""
CSV_COLUMNS = ("id", "label_en", "label_vi", "indicator", "kind", "period", "first_year",
               "last_year", "comparison", "threshold", "median", "p05", "p95", "unit", "unit_vi",
               "probability", "probability_se", "required_rate", "achieved_rate", "rate_unit",
               "rate_unit_vi", "historical_rate", "historical_rate_unit",
               "historical_rate_unit_vi", "assumed")
"""The columns of ``summary.csv``."""
CSV_MONITORING = ("status", "observed_year", "required_from_observed", "observed_rate")
"""Columns ``summary.csv`` adds after a mid-plan update (``forecast update``)."""
DIGITS = 4
"""Significant digits of the numbers in ``summary.csv`` (never fewer than the integer part)."""


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``summary.json`` (:data:`SCHEMA`), as shipped with the package."""
    from importlib.resources import files

    return json.loads(files("forecast").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def period_text(first: int, last: int) -> str:
    """``2025`` for one year, ``2021–2025`` for a period (an en dash, which a spreadsheet
    does not read as a date or a subtraction)."""
    return str(last) if first == last else f"{first}\u2013{last}"


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def rounded(value: Any, digits: int = DIGITS) -> float | int | None:
    """``value`` to ``digits`` significant digits, keeping every digit of its integer part
    (``17241.39`` -> ``17241``, ``0.0350971`` -> ``0.03510``); None for None or NaN."""
    value = _finite(value)
    if value is None:
        return None
    if value == 0:
        return 0
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    out = round(value, decimals)
    return int(out) if decimals == 0 else out


def _scale(kind: str, unit: str) -> tuple[float, str, str]:
    """(factor, unit in en, unit in vi) that a value on ``kind`` (``value``, ``change`` or
    ``growth``) of an indicator in ``unit`` is written with in ``summary.csv``."""
    if kind == "value":
        if unit == "share":
            return 100.0, message("percent_unit", "en"), message("percent_unit", "vi")
        return 1.0, unit, unit_text(unit, "vi")
    factor = 100.0 if kind == "growth" or unit == "share" else 1.0
    return factor, rate_unit(kind, unit, "en"), rate_unit(kind, unit, "vi")


def _target_parts(results: Any) -> list[tuple[Any, Any, Any]]:
    return [(t, results.target(t.id), results.info[t.indicator])
            for t in results.summary.targets]


def _record(target: Any, info: Any) -> dict[str, Any]:
    fallback = label_of(info.label, target.indicator, "en")
    labels = {f"label_{lang}": label_of(target.label, label_of(info.label, fallback, lang),
                                        lang) for lang in ("en", "vi")}
    return {**labels, "period": period_text(target.first_year, target.last_year),
            "first_year": target.first_year, "last_year": target.last_year,
            "comparison": "at_least" if target.at_least is not None else "at_most"}


def summary_document(results: Any) -> dict[str, Any]:
    """``summary.json`` of a run: plain data, every number at full precision.

    Parameters
    ----------
    results : forecast.results.Results

    Returns
    -------
    dict
        Valid against :func:`json_schema`; docs/outputs.md describes every key.
    """
    summary = results.summary
    body = summary.to_json()
    for record, (summary_t, target, info) in zip(body["targets"], _target_parts(results)):
        scale = summary_t.quantity_scale
        record.update(_record(target, info))
        record.update({
            "quantity_scale": scale, "quantity_unit": quantity_unit(scale, summary_t.unit),
            "rate_unit": quantity_unit(summary_t.rate_kind, summary_t.unit),
            "historical_rate_kind": summary_t.historical_rate_kind,
            "historical_rate_unit": quantity_unit(summary_t.historical_rate_kind,
                                                  summary_t.unit)})
    drivers = {} if results.draws_kept else {"drivers_note": (
        "drivers and assumption_share need every draw; this run kept only summaries: run "
        "it with --keep-draws or run 'forecast sensitivity'")}
    provenance = results.provenance
    first, last = results.years[1] if len(results.years) > 1 else results.years[0], \
        results.years[-1]
    return {
        "schema": SCHEMA, "scenario": results.scenario_name,
        "region": str(provenance.get("region", "")), "base_year": results.base_year,
        "period": {"first_year": first, "last_year": last, "text": period_text(first, last)},
        "created": str(provenance.get("created", "")),
        "forecast_version": str(provenance.get("forecast_version", "")),
        "seed": results.seed, "scenario_sha256": provenance.get("scenario_sha256"),
        **body, **drivers,
        "indicators": [{"name": i.name, "unit": i.unit, "unit_vi": unit_text(i.unit, "vi"),
                        **{f"label_{lang}": label_of(i.label, i.name, lang)
                           for lang in ("en", "vi")},
                        "model": i.model, "rate_kind": i.rate_kind,
                        "rate_unit": quantity_unit(i.rate_kind, i.unit),
                        "historical_rate": _finite(i.historical_rate)}
                       for i in results.info.values()],
        "assumptions": [a.__dict__ | {"key": a.key} for a in results.assumptions()]}


def summary_table(results: Any) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """``summary.csv`` of a run: its columns (:data:`CSV_COLUMNS`, and
    :data:`CSV_MONITORING` after an update) and one record per target, rounded
    (:func:`rounded`), shares and growth rates in percent, units in English and Vietnamese.

    Parameters
    ----------
    results : forecast.results.Results
    """
    rows = []
    monitoring = any(t.label is not None for t in results.summary.targets)
    for summary_t, target, info in _target_parts(results):
        unit = summary_t.unit
        q_factor, q_unit, q_unit_vi = _scale(summary_t.quantity_scale, unit)
        r_factor, r_unit, r_unit_vi = _scale(summary_t.rate_kind, unit)
        h_factor, h_unit, h_unit_vi = _scale(summary_t.historical_rate_kind, unit)

        def times(value: Any, factor: float) -> float | int | None:
            value = _finite(value)
            return None if value is None else rounded(value * factor)

        row = {"id": summary_t.id, **_record(target, info),
               "indicator": summary_t.indicator, "kind": summary_t.kind,
               **{k: times(getattr(summary_t, k), q_factor)
                  for k in ("threshold", "median", "p05", "p95")},
               "unit": q_unit, "unit_vi": q_unit_vi,
               "probability": round(summary_t.probability, 4),
               "probability_se": round(summary_t.probability_se, 4),
               "required_rate": times(summary_t.required_rate, r_factor),
               "achieved_rate": times(summary_t.achieved_rate, r_factor),
               "rate_unit": r_unit, "rate_unit_vi": r_unit_vi,
               "historical_rate": times(summary_t.historical_rate, h_factor),
               "historical_rate_unit": h_unit, "historical_rate_unit_vi": h_unit_vi,
               "assumed": summary_t.assumed}
        if monitoring:
            row.update({"status": summary_t.label, "observed_year": summary_t.observed_year,
                        "required_from_observed": times(summary_t.required_from_observed,
                                                        r_factor),
                        "observed_rate": times(summary_t.observed_rate, h_factor)})
        rows.append(row)
    return CSV_COLUMNS + (CSV_MONITORING if monitoring else ()), rows


__all__ = ["CSV_COLUMNS", "CSV_MONITORING", "DIGITS", "SCHEMA", "json_schema", "period_text",
           "rounded", "summary_document", "summary_table"]
