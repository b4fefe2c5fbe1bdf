"""The layout of ``results.nc``: a run as a CF-style NetCDF dataset, and back.

Schema ``forecast.results/3`` (:data:`SCHEMA`) follows the CF conventions (:data:`CONVENTIONS`):
every data variable has ``units`` and ``long_name``; variable names are letters, digits and
underscores (a sampled parameter ``output.drift`` is saved as ``output_drift`` with its own name
in ``forecast_name``); what the tool knows about each indicator and target sits in the
attributes of that indicator's and target's own variables (labels per language as
``label_en``, ``label_vi``); counts and integral draws are stored as integers. Files of schema
``forecast.results/2`` (:data:`READABLE`) are still read. docs/outputs.md lists every variable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from forecast.histograms import BINS
from forecast.info import IndicatorInfo
from forecast.io.netcdf import NetcdfContent
from forecast.io.netcdf import NetcdfVariable as Variable
from forecast.spec.targets import Target
from forecast.summary import FAN_QUANTILES, QUANTILES, Counts

SCHEMA = "forecast.results/3"
"""Written in the ``schema`` attribute of every saved run."""
READABLE = (SCHEMA, "forecast.results/2")
"""The schemas :func:`decode` reads."""
CONVENTIONS = "CF-1.10"
PROVENANCE = ("scenario", "region", "scenario_sha256", "scenario_file", "forecast_version",
              "seed", "created")
"""The provenance attributes of a run (:func:`forecast.results.provenance`)."""
_OLD_COUNTS = ("fan", "fan_error", "quantity", "quantity_error", "achieved", "achieved_error",
               "met", "joint", "at_least")
_OLD_DIMS = {"fan": ("indicator", "quantile", "year"), "quantity": ("target", "target_quantile"),
             "achieved": ("target", "target_quantile"), "met": ("target",), "joint": (),
             "at_least": ("met_count",)}


def label_attrs(label: str | Mapping[str, str], fallback: str) -> dict[str, str]:
    """``long_name`` (English, else the first label, else ``fallback``) and one ``label_<lang>``
    per language of a label given per language (``label`` for a label in one language)."""
    if isinstance(label, Mapping):
        labels = {f"label_{lang}": str(text) for lang, text in label.items()}
        long_name = label.get("en") or next(iter(label.values()), "") or fallback
        return {"long_name": str(long_name), **labels}
    return {"long_name": label or fallback, **({"label": label} if label else {})}


def _label_of(attrs: Mapping[str, Any]) -> str | dict[str, str]:
    labels = {k[len("label_"):]: str(v) for k, v in attrs.items() if k.startswith("label_")}
    return labels or str(attrs.get("label", ""))


def quantity_unit(scale: str, unit: str) -> str:
    """The unit of a target's quantity or rate on ``scale`` (``value``: the indicator's unit;
    ``change``: the unit per year; ``growth``: a fraction per year, ``1/yr``)."""
    if scale == "growth":
        return "1/yr"
    return f"{unit}/yr" if scale == "change" else unit


def cf_names(keys: Sequence[str], taken: set[str]) -> dict[str, str]:
    """A CF-safe variable name for each key (``output.drift`` -> ``output_drift``), none equal
    to a name in ``taken`` or to another's (an underscore is appended until it is free)."""
    out, used = {}, set(taken)
    for key in keys:
        name = re.sub(r"[^A-Za-z0-9_]", "_", key)
        if not name[:1].isalpha():
            name = f"p_{name}"
        while name in used:
            name += "_"
        used.add(name)
        out[key] = name
    return out


def _integral(values: np.ndarray) -> np.ndarray:
    """``values`` as int32 when every one is a whole number within int32, else unchanged."""
    if values.dtype.kind == "f" and values.size and np.all(np.isfinite(values)) and \
            np.all(np.abs(values) < 2**31) and np.array_equal(values, np.round(values)):
        return values.astype(np.int32)
    return values


def _indicator_attrs(info: IndicatorInfo) -> dict[str, Any]:
    attrs: dict[str, Any] = {"units": info.unit, **label_attrs(info.label, info.name),
                             "indicator": info.name, "model": info.model,
                             "rate_kind": info.rate_kind, "inputs": " ".join(info.inputs)}
    if info.historical_rate is not None:
        attrs["historical_rate"] = float(info.historical_rate)
    data = info.to_json()
    for key in ("evidence", "base_observed", "assumptions", "origins"):
        attrs[key] = json.dumps(data[key], ensure_ascii=False)
    return attrs


def _target_attrs(target: Target, info: IndicatorInfo) -> dict[str, Any]:
    attrs: dict[str, Any] = {**label_attrs(target.label, target.id), "target_id": target.id,
                             "indicator": target.indicator, "target_kind": target.kind,
                             "source": target.source}
    if target.year is not None:
        attrs["year"] = int(target.year)
    else:
        attrs["period"] = np.array(target.period, dtype=np.int64)
    attrs["at_least" if target.at_least is not None else "at_most"] = float(target.threshold)
    return attrs


def encode(counts: Counts, *, targets: Sequence[Target], info: Mapping[str, IndicatorInfo],
           provenance: Mapping[str, Any], years: Sequence[int], draws: Any = None,
           met: np.ndarray | None = None):
    """What a run saves as ``results.nc`` (:data:`SCHEMA`), built without xarray
    (``.to_xarray()`` gives the Dataset).

    Parameters
    ----------
    counts : Counts
    targets : sequence of Target
    info : mapping of IndicatorInfo
        Every indicator, in dependency order.
    provenance : mapping
        :data:`PROVENANCE`.
    years : sequence of int
    draws : forecast.results.KeptDraws or xarray.Dataset, optional
        Every draw (:func:`forecast.results.kept_draws`), if kept: what is read is
        ``draws.data_vars`` and each ``draws[name]``'s ``dims``, ``values`` and ``attrs``.
    met : ndarray of bool, shape (target, draw), optional
        Whether each target is reached in each draw (with ``draws``).

    Returns
    -------
    forecast.io.writers.NetcdfContent
    """
    variables: dict[str, Any] = {}
    if draws is not None:
        parameters = [str(k) for k in draws.data_vars if draws[k].attrs.get("kind") ==
                      "parameter"]
        names = cf_names(parameters, set(info))
        for key in draws.data_vars:
            variable = draws[key]
            variables[names.get(str(key), str(key))] = Variable(
                variable.dims, _integral(np.asarray(variable.values)), variable.attrs)
        variables["met"] = Variable(("target", "draw"), met.astype(np.int8), {
            "units": "1", "long_name": "target reached in the draw (1) or not (0)",
            "flag_values": np.array([0, 1], dtype=np.int8), "flag_meanings": "missed reached"})
    q = {"units": "1", "long_name": "probability level of the quantile"}
    for i, (name, meta) in enumerate(info.items()):
        attrs = _indicator_attrs(meta)
        what = f"quantiles of {attrs['long_name']}"
        variables[f"summary_{name}_fan"] = Variable(
            ("quantile", "year"), counts.fan[i], {
                **attrs, "long_name": what, "ancillary_variables": f"summary_{name}_fan_error"})
        variables[f"summary_{name}_fan_error"] = Variable(
            ("quantile", "year"), counts.fan_error[i], {
                "units": meta.unit, "long_name": f"bound of |reported - exact| of the {what}"})
    for j, target in enumerate(targets):
        meta = info[target.indicator]
        scale = target.rule.quantity_scale()
        rate = target.rule.rate_kind(meta.rate_kind)
        attrs = _target_attrs(target, meta)
        parts = {"quantity": (counts.quantity, quantity_unit(scale, meta.unit), scale,
                              "the quantity the target judges"),
                 "achieved": (counts.achieved, quantity_unit(rate, meta.unit), rate,
                              "the yearly rate achieved")}
        for part, (array, unit, on, what) in parts.items():
            stem = f"summary_{target.id}_{part}"
            variables[stem] = Variable(("target_quantile",), array[j], {
                **(attrs if part == "quantity" else {}), "units": unit,
                "long_name": f"quantiles of {what}: {attrs['long_name']}", "scale": on,
                "ancillary_variables": f"{stem}_error"})
            variables[f"{stem}_error"] = Variable(
                ("target_quantile",), getattr(counts, f"{part}_error")[j],
                {"units": unit, "long_name": f"bound of |reported - exact| of {stem}"})
    variables["summary_met"] = Variable(("target",), np.asarray(counts.met, np.int64), {
        "units": "1", "long_name": "draws in which each target is reached"})
    variables["summary_joint"] = Variable((), np.int64(counts.joint), {
        "units": "1", "long_name": "draws in which every target is reached"})
    coords: dict[str, Any] = {
        "year": Variable(("year",), np.asarray(years, np.int64), {
            "axis": "T", "long_name": "calendar year (each value at the end of the year)"}),
        "quantile": Variable(("quantile",), np.asarray(FAN_QUANTILES), q),
        "target_quantile": Variable(("target_quantile",), np.asarray(QUANTILES), q),
        "target": Variable(("target",), [t.id for t in targets], {"long_name": "target id"})}
    if draws is not None:
        coords["draw"] = Variable(("draw",), np.arange(counts.draws), {
            "standard_name": "realization", "long_name": "simulated future (Monte Carlo draw)",
            "units": "1"})
    if counts.at_least is not None:
        coords["met_count"] = Variable(("met_count",), np.arange(len(targets) + 1), {
            "long_name": "number of targets reached", "units": "1"})
        variables["summary_at_least"] = Variable(("met_count",), counts.at_least, {
            "units": "1", "long_name": "draws in which at least met_count targets are reached"})
    return NetcdfContent({**coords, **variables}, coords, _global_attrs(
        counts, provenance, targets, info, years, kept=draws is not None))


def _global_attrs(counts: Counts, provenance: Mapping[str, Any], targets: Sequence[Target],
                  info: Mapping[str, IndicatorInfo], years: Sequence[int], *,
                  kept: bool) -> dict[str, Any]:
    p = dict(provenance)
    return {
        "Conventions": CONVENTIONS,
        "title": f"Monte Carlo forecast of the plan targets of scenario '{p['scenario']}'"
                 + (f" ({p['region']})" if p.get("region") else ""),
        "source": f"forecast {p['forecast_version']} (Monte Carlo simulation of scenario "
                  f"{p['scenario_file'] or p['scenario']}, sha256 {p['scenario_sha256']})",
        "history": f"{p['created']}: forecast run, {counts.draws} draws, seed {p['seed']}",
        "comment": "what each variable holds: docs/outputs.md of the forecast package",
        **p, "schema": SCHEMA, "base_year": int(years[0]), "draws": counts.draws,
        "draws_kept": int(kept), "quantiles_exact": int(counts.exact), "histogram_bins": BINS,
        "indicators": " ".join(info), "targets": " ".join(t.id for t in targets)}


def _info(name: str, attrs: Mapping[str, Any]) -> IndicatorInfo:
    rate = attrs.get("historical_rate")
    inputs = str(attrs.get("inputs", "")).split()
    return IndicatorInfo.from_json({
        "name": name, "unit": str(attrs["units"]), "model": str(attrs["model"]),
        "label": _label_of(attrs), "rate_kind": str(attrs["rate_kind"]),
        "historical_rate": None if rate is None else float(rate), "inputs": inputs,
        **{k: json.loads(attrs[k]) for k in ("evidence", "base_observed", "assumptions",
                                             "origins")}})


def _target(attrs: Mapping[str, Any]) -> Target:
    data: dict[str, Any] = {k: attrs[k] for k in ("indicator", "source")}
    data["kind"] = str(attrs["target_kind"])
    data["id"] = str(attrs["target_id"])
    if "year" in attrs:
        data["year"] = int(attrs["year"])
    else:
        data["period"] = tuple(int(y) for y in np.atleast_1d(attrs["period"]))
    for bound in ("at_least", "at_most"):
        if bound in attrs:
            data[bound] = float(attrs[bound])
    data["label"] = _label_of(attrs)
    return Target.model_validate(data)


def required_variables(dataset: Any) -> list[str]:
    """The variables a dataset of its schema must hold, from its own attributes."""
    attrs = dataset.attrs
    if attrs.get("schema") != SCHEMA:
        infos = [i["name"] for i in json.loads(attrs["indicators"])]
        names = [f"summary_{n}" for n in _OLD_COUNTS if n != "at_least"]
        return names + (infos + ["met"] if int(attrs["draws_kept"]) else [])
    indicators, targets = str(attrs["indicators"]).split(), str(attrs["targets"]).split()
    names = [f"summary_{n}_fan{e}" for n in indicators for e in ("", "_error")]
    names += [f"summary_{t}_{p}{e}" for t in targets for p in ("quantity", "achieved")
              for e in ("", "_error")] + ["summary_met", "summary_joint"]
    return names + (indicators + ["met"] if int(attrs["draws_kept"]) else [])


def decode(dataset: Any) -> dict[str, Any]:
    """The parts of a run (``counts``, ``targets``, ``info``, ``provenance``, ``years``,
    ``draws``: the keyword arguments of :class:`forecast.results.Results`) from a dataset of
    a schema in :data:`READABLE`, its variables checked first (:func:`required_variables`).

    Raises
    ------
    KeyError, TypeError, ValueError
        If a part is missing or malformed.
    """
    attrs = dataset.attrs
    at_least = np.asarray(dataset["summary_at_least"].values) \
        if "summary_at_least" in dataset else None
    if attrs["schema"] != SCHEMA:
        targets = [Target.model_validate(t) for t in json.loads(attrs["targets"])]
        infos = [IndicatorInfo.from_json(i) for i in json.loads(attrs["indicators"])]
        arrays = {name: np.asarray(dataset[f"summary_{name}"].values)
                  for name in _OLD_COUNTS if name not in ("joint", "at_least")}
    else:
        infos = [_info(n, dataset[f"summary_{n}_fan"].attrs)
                 for n in str(attrs["indicators"]).split()]
        targets = [_target(dataset[f"summary_{t}_quantity"].attrs)
                   for t in str(attrs["targets"]).split()]
        arrays = {f"fan{e}": np.stack([dataset[f"summary_{i.name}_fan{e}"].values
                                       for i in infos]) for e in ("", "_error")}
        for part in ("quantity", "achieved"):
            for e in ("", "_error"):
                arrays[f"{part}{e}"] = np.stack([dataset[f"summary_{t.id}_{part}{e}"].values
                                                 for t in targets]).reshape(len(targets), -1)
        arrays["met"] = np.asarray(dataset["summary_met"].values)
    counts = Counts(draws=int(attrs["draws"]), exact=bool(attrs["quantiles_exact"]), **arrays,
                    joint=int(dataset["summary_joint"].values), at_least=at_least)
    draws = None
    if int(attrs["draws_kept"]):
        keep = [n for n in dataset.data_vars if not str(n).startswith("summary_") and n != "met"]
        draws = dataset[keep].drop_vars(
            ["indicator", "quantile", "target", "target_quantile", "met_count"],
            errors="ignore")
        draws = draws.rename({n: draws[n].attrs["forecast_name"] for n in keep
                              if "forecast_name" in draws[n].attrs})
        for name in draws.data_vars:
            if draws[name].dtype.kind in "iu":
                draws[name] = draws[name].astype(np.float64)
        draws.attrs = {}
        for name in draws.coords:
            draws[name].attrs = {}
    return {"counts": counts, "targets": targets, "info": {i.name: i for i in infos},
            "provenance": {k: attrs[k] for k in PROVENANCE},
            "years": [int(y) for y in dataset["year"].values], "draws": draws}


__all__ = ["CONVENTIONS", "READABLE", "SCHEMA", "cf_names", "decode", "encode", "label_attrs",
           "quantity_unit", "required_variables"]
