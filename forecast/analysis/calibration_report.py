"""What calibration did, parameter by parameter: ``forecast calibrate`` and
:func:`calibration_report`.

For every sampled parameter of every indicator: its distribution (mean and 5-95 % interval,
from draws of the calibrated posterior with a fixed seed, on the same random stream as block 0
of ``forecast run`` with that seed), where it came from (evidence rows with file, line and
source; a declared prior; a pooled prior; an assumed or observed base-year level), and the
diagnostics of the statsmodels fits made on the way (OLS on matched yearly observations, AR(1)
on runs of yearly growth), or why none could be made.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.engine import BLOCK_SIZE, Model, stream_key
from forecast.info import parameter_provenance
from forecast.io.history import Evidence
from forecast.messages import Phrase, compose
from forecast.models.base import Component
from forecast.spec.scenario import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary


FIT_NAMES = {"ols": "OLS on matched yearly figures", "ar1": "AR(1) of yearly growth"}
"""The fits calibration makes, by key (the catalog writes them as ``cal_fit_<key>``)."""

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key) for pattern, key in (
        (r"no level to anchor it on the model scale", "cal_unused_no_anchor"),
        (r"level outside the model's range", "cal_unused_outside"),
        (r"growth of -100 % or less", "cal_unused_growth"),
        (r"no level to anchor the average change", "cal_unused_no_anchor_average"),
        (r"(?P<n>\d+) matched yearly observation\(s\); least squares with a constant and a "
         r"slope needs at least (?P<least>\d+) \(one residual degree of freedom\)",
         "cal_no_fit_few"),
        (r"the regressor does not vary across the matched years", "cal_no_fit_flat"),
        (r"the longest run of consecutive yearly values has (?P<n>\d+); an AR\(1\) fit needs "
         r"at least (?P<least>\d+)", "cal_no_fit_short_run"),
        (r"no AR\(1\) fit is made on the residuals of this model", "cal_no_fit_residuals")))
"""The reasons the models give for a row left unused or a fit not made, as catalog keys."""


def reason_key(text: str) -> tuple[str | None, dict[str, str]]:
    """The catalog key and fields of a reason a model gives (``(None, {})`` for one the
    catalog does not know: it is shown as written).

    Parameters
    ----------
    text : str
        The reason, in the models' English.

    Returns
    -------
    key : str or None
    fields : dict
    """
    for pattern, key in _REASONS:
        match = pattern.fullmatch(text)
        if match is not None:
            return key, match.groupdict()
    return None, {}


def detail_text(record: dict[str, Any], lang: str = "en") -> str:
    """How a parameter record of :class:`CalibrationReport` was obtained, written in ``lang``.

    Parameters
    ----------
    record : dict
        One of :attr:`CalibrationReport.parameters` (from this version or read back from its
        JSON; a record without ``phrases`` gives its English ``detail``).
    lang : {"en", "vi"}

    Returns
    -------
    str
    """
    if not record.get("phrases"):
        return record["detail"]
    return compose([Phrase.from_json(p) for p in record["phrases"]], lang)


@dataclass(frozen=True)
class CalibrationReport:
    """The calibration of a model, as tidy records.

    Attributes
    ----------
    parameters : list of dict
        One record per (indicator, parameter): ``indicator``, ``model``, ``unit``,
        ``parameter``, ``mean``, ``p05``, ``p95``, ``origin`` (``evidence``, ``prior``,
        ``pooled``, ``observed``, ``assumption``), ``detail`` (in English), ``phrases`` (the
        same as catalog keys and fields, :meth:`forecast.messages.Phrase.to_json`: written in
        any language by :func:`detail_text`), ``prior``, ``evidence`` (rows:
        file, line, source, ...) and ``fit`` (the statsmodels estimate of this parameter, if
        a fit was made).
    indicators : list of dict
        One record per indicator: its evidence rows, the rows left unused and why (``why``,
        and its catalog ``why_key`` and ``why_fields``), the fits made (each with its
        ``kind``, ``ols`` or ``ar1``) or why not (``reason``, ``reason_key``,
        ``reason_fields``) and notes.
    draws, seed : int
        How the distributions were sampled.
    """

    parameters: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    draws: int
    seed: int
    scenario: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"scenario": self.scenario, "draws": self.draws, "seed": self.seed,
                "parameters": self.parameters, "indicators": self.indicators}

    def frame(self):
        """The parameter records as a pandas DataFrame (evidence as a count of rows)."""
        import pandas as pd

        rows = [{**{k: v for k, v in r.items() if k not in ("evidence", "fit")},
                 "evidence_rows": len(r["evidence"])} for r in self.parameters]
        return pd.DataFrame(rows)


def _row(row: Evidence) -> dict[str, Any]:
    record = dataclasses.asdict(row)
    record["file"] = str(Path(row.file).name) if row.file else row.file
    record["path"] = row.file
    return record


def _fit_of(parameter: str, diagnostics: dict[str, dict]) -> dict[str, Any] | None:
    """The statsmodels estimate of ``parameter`` among the fits made, if any."""
    for key, fit in diagnostics.items():
        if not fit.get("fitted"):
            continue
        if parameter in fit.get("params", {}):
            return {"fit": FIT_NAMES.get(key, key), "estimate": fit["params"][parameter],
                    "se": fit["bse"][parameter], "nobs": fit["nobs"]}
        if parameter == "volatility" and key == "ols":  # AR(1)'s sigma is the innovation's
            return {"fit": FIT_NAMES.get(key, key), "estimate": fit["sigma"], "se": None,
                    "nobs": fit["nobs"]}
    return None


def _evidence_rows(component: Component, origin: str, name: str) -> list[dict[str, Any]]:
    fit = component.fit
    if name == "base":
        return [_row(fit.base_observed)] if fit.base_observed is not None else []
    if origin != "evidence":
        return []
    lines = {line for block in fit.reading.blocks for line in block.rows}
    return [_row(r) for r in fit.rows if r.line in lines]


def _indicator(name: str, component: Component) -> dict[str, Any]:
    fit = component.fit
    by_line = {r.line: r for r in fit.rows}
    diagnostics = fit.parameters.posteriors.get("diagnostics", {}) if isinstance(
        fit.parameters.posteriors, dict) else {}
    return {
        "indicator": name, "model": component.model, "unit": component.unit,
        "evidence": [_row(r) for r in fit.rows],
        "blocks": [{"years": sorted(b.years), "mean_change": b.mean, "rows": list(b.rows)}
                   for b in fit.reading.blocks],
        "unused": [{"line": line, "why": why, "why_key": reason_key(why)[0],
                    "why_fields": reason_key(why)[1],
                    "source": by_line[line].source if line in by_line else None}
                   for line, why in fit.reading.unused],
        "fits": {FIT_NAMES.get(k, k): {
            **v, "kind": k, **({"reason_key": reason_key(v["reason"])[0],
                                "reason_fields": reason_key(v["reason"])[1]}
                               if "reason" in v and "reason_key" not in v else {})}
                 for k, v in diagnostics.items()},
        "notes": list(fit.parameters.notes),
    }


def calibration_report(scenario_or_model: Scenario | Model | str | Path, *,
                       draws: int = BLOCK_SIZE, seed: int | None = None,
                       priors: PriorLibrary | None = None) -> CalibrationReport:
    """Calibrate (if needed) and describe every parameter of every indicator.

    Parameters
    ----------
    scenario_or_model : Scenario, Model or path
        A scenario (file) to calibrate, or a model already calibrated.
    draws : int
        Draws of each parameter used for its mean and 5-95 % interval.
    seed : int, optional
        Seed of those draws (default: the scenario's seed, 0 for a model). The draws are those
        of block 0 of a run with this seed.
    priors : PriorLibrary, optional
        Where pooled priors come from (default: the library shipped in the package).

    Returns
    -------
    CalibrationReport
    """
    from forecast.pipeline import calibrate

    name = ""
    if isinstance(scenario_or_model, Model):
        model = scenario_or_model
        seed = 0 if seed is None else int(seed)
    else:
        from forecast.pipeline import _scenario

        scenario = _scenario(scenario_or_model)
        model = calibrate(scenario, priors=priors)
        seed = scenario.seed if seed is None else int(seed)
        name = scenario.name
    steps = model.horizon - model.base_year
    parameters: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for indicator, component in model.components.items():
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(stream_key(indicator), 0)))
        sampled = component.sample(rng, draws, steps)
        info = _indicator(indicator, component)
        indicators.append(info)
        diagnostics = component.fit.parameters.posteriors.get("diagnostics", {}) if isinstance(
            component.fit.parameters.posteriors, dict) else {}
        for key, values in sampled.items():
            if key.startswith("_") or np.ndim(values) != 1:
                continue
            origin, phrases, prior = parameter_provenance(component, key)
            low, high = np.quantile(values, [0.05, 0.95])
            parameters.append({
                "indicator": indicator, "model": component.model, "unit": component.unit,
                "parameter": key, "mean": float(np.mean(values)), "p05": float(low),
                "p95": float(high), "origin": origin, "detail": compose(phrases, "en"),
                "phrases": [p.to_json() for p in phrases], "prior": prior,
                "evidence": _evidence_rows(component, origin, key),
                "fit": _fit_of(key, diagnostics)})
    return CalibrationReport(parameters, indicators, int(draws), int(seed), name)
