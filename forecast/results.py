"""Results: the simulated Dataset with its targets; summaries; atomic save and load."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from forecast.errors import ForecastError, InputError
from forecast.spec.scenario import Target
from forecast.summary import FAN_QUANTILES, KEEP_DRAWS_LIMIT, loose
from forecast.spec.targets import QUANTILES, TargetSummary, is_met, required_rate, summarise, target_quantity

SUMMARY_KEYS = ("id", "indicator", "kind", "year", "threshold", "probability", "probability_se",
                "median", "p05", "p95", "required_rate", "historical_rate")


class Results:
    """Simulated paths and parameters of one scenario run, with its targets.

    Parameters
    ----------
    dataset : xarray.Dataset
        With every draw kept: dims ``year`` and ``draw``, one variable per indicator (units and
        label in attrs), one per sampled parameter (dim ``draw``), provenance in attrs. From a
        streamed run (draws not kept, see :mod:`forecast.summaries`): one variable per indicator
        with dims ``quantile`` and ``year``, their error bounds in ``quantile_error``, and the
        targets' counts and quantiles (``target_met``, ``joint_met``, ``target_quantity``,
        ``target_quantity_error``).
    """

    def __init__(self, dataset):
        self.dataset = dataset
        attrs = dataset.attrs
        self.targets = [Target.model_validate(t) for t in json.loads(attrs["targets"])]
        self._meta = json.loads(attrs["indicators"])
        self._summary: list[TargetSummary] | None = None

    @property
    def draws_kept(self) -> bool:
        """Whether every draw is kept (else only summaries: quantiles and counts)."""
        return "draw" in self.dataset.dims

    def _require_draws(self, what: str) -> None:
        if not self.draws_kept:
            raise ForecastError(
                f"{what} needs every draw, but this run of {self.draws:,} draws kept only "
                f"summaries (runs of more than {KEEP_DRAWS_LIMIT:,} draws do by default); run "
                "it again with --keep-draws (keep_draws=True in Python)")

    # -- provenance ---------------------------------------------------------------------
    @property
    def scenario_name(self) -> str:
        """Name of the scenario that produced these results."""
        return str(self.dataset.attrs["scenario"])

    @property
    def draws(self) -> int:
        """Number of draws."""
        if self.draws_kept:
            return int(self.dataset.sizes["draw"])
        return int(self.dataset.attrs["draws"])

    @property
    def seed(self) -> int:
        """Root seed."""
        return int(self.dataset.attrs["seed"])

    @property
    def base_year(self) -> int:
        """First simulated year."""
        return int(self.dataset["year"].values[0])

    @property
    def indicators(self) -> list[str]:
        """Indicator names, in dependency order."""
        return list(self._meta)

    def indicator_info(self, name: str) -> dict[str, Any]:
        """Unit, label, rate kind, historical rate and assumptions of an indicator."""
        return self._meta[name]

    def target(self, target_id: str) -> Target:
        """The target with this id."""
        for target in self.targets:
            if target.id == target_id:
                return target
        from forecast.errors import did_you_mean
        raise KeyError(f"no target '{target_id}'.{did_you_mean(target_id, [t.id for t in self.targets])}")

    # -- evaluation ----------------------------------------------------------------------
    def target_values(self, target_id: str) -> np.ndarray:
        """The quantity the target judges, per draw.

        Raises
        ------
        ForecastError
            If the draws were not kept.
        """
        target = self.target(target_id)
        self._require_draws("the value of each draw")
        path = self.dataset[target.indicator].transpose("year", "draw").values
        return target_quantity(target, path, self.base_year)

    def met(self, target_id: str) -> np.ndarray:
        """Boolean per draw: is the target reached?"""
        return is_met(self.target(target_id), self.target_values(target_id))

    def probability(self, target_id: str) -> float:
        """Probability of reaching one target."""
        if not self.draws_kept:
            self.target(target_id)
            return int(self.dataset["target_met"].sel(target=target_id)) / self.draws
        return float(self.met(target_id).mean())

    def joint_met(self) -> np.ndarray:
        """Boolean per draw: are all targets reached together?"""
        self._require_draws("whether all targets are met in each draw")
        return np.logical_and.reduce([self.met(t.id) for t in self.targets])

    def joint_probability_se(self) -> float:
        """Monte Carlo standard error of :meth:`joint_probability`."""
        joint = self.joint_probability()
        return math.sqrt(joint * (1 - joint) / self.draws)

    def joint_probability(self) -> float:
        """Probability of reaching all targets in the same draw."""
        if not self.draws_kept:
            return int(self.dataset["joint_met"]) / self.draws
        return float(self.joint_met().mean())

    def quantiles(self, name: str, quantiles=FAN_QUANTILES):
        """Quantiles of indicator ``name`` in every year: an ``xarray.DataArray`` with dims
        ``quantile`` and ``year``.

        Exact when the draws are kept (``numpy.quantile``'s linear definition); from a streamed
        run, the stored quantiles (error bounds in ``dataset["quantile_error"]``), so
        ``quantiles`` must be among :data:`forecast.summaries.FAN_QUANTILES`.
        """
        if name not in self._meta:
            from forecast.errors import did_you_mean
            raise InputError.single(f"unknown indicator '{name}'.{did_you_mean(name, self._meta)}",
                                    key="indicator")
        wanted = [float(q) for q in quantiles]
        if self.draws_kept:
            import xarray as xr

            path = self.dataset[name].transpose("year", "draw")
            return xr.DataArray(np.quantile(path.values, wanted, axis=1), name=name,
                                dims=("quantile", "year"), attrs=path.attrs,
                                coords={"quantile": wanted, "year": path["year"].values})
        stored = [float(q) for q in self.dataset["quantile"].values]
        missing = [q for q in wanted if not any(math.isclose(q, s) for s in stored)]
        if missing:
            raise InputError.single(f"this run kept only summaries, with the quantiles {stored}; "
                                    f"{missing} were not kept (run with --keep-draws)",
                                    key="quantiles")
        picked = [next(s for s in stored if math.isclose(q, s)) for q in wanted]
        return self.dataset[name].sel(quantile=picked)

    def target_summaries(self) -> list[TargetSummary]:
        """One :class:`TargetSummary` per target (computed once)."""
        if self._summary is None and not self.draws_kept:
            self._summary = self._streamed_summaries()
        if self._summary is None:
            out = []
            for target in self.targets:
                info = self._meta[target.indicator]
                base = float(np.median(self.dataset[target.indicator].sel(year=self.base_year)))
                out.append(summarise(target, self.target_values(target.id), base, self.base_year,
                                     info["rate_kind"], info["historical_rate"]))
            self._summary = out
        return self._summary

    def _streamed_summaries(self) -> list[TargetSummary]:
        data = self.dataset
        out = []
        for target in self.targets:
            info = self._meta[target.indicator]
            base = float(data[target.indicator].sel(quantile=0.5, year=self.base_year))
            p = self.probability(target.id)
            p05, median, p95 = (float(v) for v in data["target_quantity"].sel(target=target.id))
            out.append(TargetSummary(
                target.id, target.indicator, target.kind, target.last_year,
                float(target.threshold), p, math.sqrt(max(p * (1 - p), 0.0) / self.draws),
                median, p05, p95, float(required_rate(target, base, self.base_year,
                                                      info["rate_kind"])),
                info["historical_rate"]))
        return out

    def quantile_errors(self) -> dict[str, dict[str, float | bool]]:
        """Error bounds of the streamed targets' quantiles (zeros when draws are kept).

        Per target: ``p05``, ``median`` and ``p95`` bounds on |streamed - exact quantile|, and
        ``loose``: whether any of them is above :data:`forecast.summaries.TOLERANCE` (1 %) of
        the larger of the quantile's magnitude and the target's 5-95 % spread
        (:func:`forecast.summaries.loose`).
        """
        out: dict[str, dict[str, float | bool]] = {}
        for target in self.targets:
            if self.draws_kept:
                out[target.id] = {"p05": 0.0, "median": 0.0, "p95": 0.0, "loose": False}
                continue
            bounds = self.dataset["target_quantity_error"].sel(target=target.id).values
            values = self.dataset["target_quantity"].sel(target=target.id).values
            flags = loose(values, bounds, values[-1] - values[0])  # QUANTILES: 5, 50, 95 %
            out[target.id] = dict(zip(("p05", "median", "p95"), map(float, bounds)))
            out[target.id]["loose"] = bool(flags.any())
        return out

    def records(self) -> list[dict[str, Any]]:
        """The summary as plain records with :data:`SUMMARY_KEYS`."""
        return [{k: _plain(getattr(s, k)) for k in SUMMARY_KEYS} for s in self.target_summaries()]

    def summary(self):
        """The summary as a ``pandas.DataFrame``, one row per target."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records(), columns=list(SUMMARY_KEYS))

    def assumptions(self) -> list[dict[str, str]]:
        """Every sampled value no source gives: indicator, setting, distribution, why."""
        return [dict(a, indicator=name) for name in self.indicators
                for a in self._meta[name]["assumptions"]]

    # -- files ---------------------------------------------------------------------------
    def summary_json(self) -> dict[str, Any]:
        """What ``summary.json`` holds."""
        out = {"scenario": self.scenario_name, "draws": self.draws, "seed": self.seed,
               "scenario_sha256": self.dataset.attrs.get("scenario_sha256"),
               "draws_kept": self.draws_kept,
               "joint_probability": self.joint_probability(),
               "joint_probability_se": self.joint_probability_se(),
               "targets": self.records(), "assumptions": self.assumptions()}
        if not self.draws_kept:
            out["quantile_error_bounds"] = self.quantile_errors()
        return out

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write ``results.nc``, ``summary.json`` and ``summary.csv`` into ``directory``.

        Everything is written into a temporary folder beside it and moved into place at the end,
        so an interrupted run leaves no partial result.

        Raises
        ------
        OutputExistsError
            If ``directory`` exists, is not empty and ``force`` is false.
        """
        from forecast.io.writers import atomic_folder

        with atomic_folder(directory, force=force) as staging:
            self.dataset.to_netcdf(staging / "results.nc", engine="h5netcdf")
            (staging / "summary.json").write_text(
                json.dumps(self.summary_json(), indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8")
            (staging / "summary.csv").write_text(self.summary_csv(), encoding="utf-8")
        return Path(directory)

    def summary_csv(self) -> str:
        """What ``summary.csv`` holds."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(SUMMARY_KEYS), lineterminator="\n")
        writer.writeheader()
        for record in self.records():
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | Path) -> "Results":
        """Open a run folder (or its ``results.nc``)."""
        import xarray as xr

        path = Path(path)
        file = path / "results.nc" if path.is_dir() else path
        if not file.is_file():
            raise InputError.single("no results.nc here; expected a run folder written by "
                                    "'forecast run'", file=str(path))
        with xr.open_dataset(file, engine="h5netcdf") as opened:
            return cls(opened.load())


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _indicator_meta(component) -> dict[str, Any]:
    return {
        "unit": component.unit, "model": component.model, "label": component.label,
        "rate_kind": component.rate_kind, "historical_rate": component.historical_rate(),
        "inputs": list(component.inputs),
        "evidence": [dataclasses.asdict(r) for r in component.fit.rows],
        "base_observed": None if component.fit.base_observed is None else
        dataclasses.asdict(component.fit.base_observed),
        "assumptions": [{"setting": key, "distribution": dist.describe(), "why": dist.why,
                         "level": key in component.level_settings}
                        for key, dist in component.assumptions()]}


def _add_scenario_assumptions(meta: dict[str, Any], scenario, model) -> None:
    """List the shocks and the lever values each indicator reads among its assumptions."""
    for shock in scenario.shocks:
        if shock.year is not None:
            what = f"{shock.size:+g} in {shock.year}"
        else:
            what = f"{shock.size.describe()} with probability {shock.probability:g} a year"
        meta[shock.indicator]["assumptions"].append(
            {"setting": "shock", "distribution": what, "why": shock.why, "level": False})
    for name, component in model.components.items():
        for path, lever in component._lever_refs.items():
            spec = scenario.levers[lever]
            meta[name]["assumptions"].append(
                {"setting": ".".join(path), "distribution": f"lever {lever} = {spec.value:g}"
                 + (f" {spec.unit}" if spec.unit else ""), "why": spec.why, "level": False})


def _indicator_attrs(component) -> dict[str, str]:
    label = component.label
    return {"unit": component.unit, "model": component.model,
            "label": json.dumps(label, ensure_ascii=False) if isinstance(label, dict) else label,
            "kind": "indicator"}


def _provenance(scenario, model, *, draws: int, seed: int) -> dict[str, Any]:
    import datetime

    from forecast import __version__

    meta = {name: _indicator_meta(c) for name, c in model.components.items()}
    _add_scenario_assumptions(meta, scenario, model)
    return {
        "scenario": scenario.name, "region": scenario.region,
        "scenario_sha256": scenario.digest(), "scenario_file": scenario.file or "",
        "forecast_version": __version__, "seed": seed, "draws": draws,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "targets": json.dumps([t.model_dump(mode="json") for t in scenario.targets],
                              ensure_ascii=False),
        "indicators": json.dumps(meta, ensure_ascii=False),
    }


def build_dataset(scenario, model, block_result, *, draws: int, seed: int):
    """Assemble the results Dataset from simulated paths and parameters (every draw kept)."""
    import xarray as xr

    data_vars: dict[str, Any] = {}
    for name, component in model.components.items():
        data_vars[name] = xr.Variable(("year", "draw"), block_result.paths[name],
                                      attrs=_indicator_attrs(component))
    for key, values in block_result.parameters.items():
        data_vars[key] = xr.Variable(("draw",), values, attrs={"kind": "parameter"})
    dataset = xr.Dataset(data_vars, coords={"year": scenario.years, "draw": np.arange(draws)})
    dataset.attrs = _provenance(scenario, model, draws=draws, seed=seed)
    return dataset


def build_summary_dataset(scenario, model, summary, *, seed: int):
    """Assemble the results Dataset of a streamed run from its
    :class:`~forecast.summaries.StreamedSummary` (quantiles and counts, no draws)."""
    import xarray as xr

    from forecast.summary import BINS

    names = list(model.components)
    data_vars: dict[str, Any] = {}
    for i, name in enumerate(names):
        data_vars[name] = xr.Variable(("quantile", "year"), summary.fan[i],
                                      attrs=_indicator_attrs(model.components[name]))
    data_vars["quantile_error"] = xr.Variable(
        ("indicator", "quantile", "year"), summary.fan_bound,
        attrs={"kind": "summary", "description": "bound on |streamed - exact quantile|"})
    ids = [t.id for t in scenario.targets]
    data_vars["target_met"] = xr.Variable(("target",), summary.met.astype(np.int64), attrs={
        "kind": "summary", "description": "draws in which the target is reached"})
    data_vars["joint_met"] = xr.Variable((), np.int64(summary.joint), attrs={
        "kind": "summary", "description": "draws in which all targets are reached"})
    data_vars["target_quantity"] = xr.Variable(
        ("target", "target_quantile"), summary.target_quantiles,
        attrs={"kind": "summary", "description": "quantiles of the quantity each target judges"})
    data_vars["target_quantity_error"] = xr.Variable(
        ("target", "target_quantile"), summary.target_bound,
        attrs={"kind": "summary", "description": "bound on |streamed - exact quantile|"})
    dataset = xr.Dataset(data_vars, coords={
        "year": scenario.years, "quantile": list(summary.fan_quantiles), "indicator": names,
        "target": ids, "target_quantile": list(QUANTILES)})
    dataset.attrs = _provenance(scenario, model, draws=summary.draws, seed=seed)
    dataset.attrs["histogram_bins"] = BINS
    return dataset


__all__ = ["Results", "SUMMARY_KEYS", "build_dataset", "build_summary_dataset",
           "ForecastError"]
