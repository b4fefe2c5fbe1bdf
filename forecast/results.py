"""Results: the simulated Dataset with its targets; summaries; atomic save and load."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ForecastError, InputError
from .scenario import Target
from .targets import TargetSummary, is_met, summarise, target_quantity

SUMMARY_KEYS = ("id", "indicator", "kind", "year", "threshold", "probability", "probability_se",
                "median", "p05", "p95", "required_rate", "historical_rate")


class RunExistsError(InputError):
    """The output folder exists and overwriting was not asked for."""

    kind = "output folder"


class Results:
    """Simulated paths and parameters of one scenario run, with its targets.

    Parameters
    ----------
    dataset : xarray.Dataset
        Dims ``year`` and ``draw``: one variable per indicator (units and label in attrs), one per
        sampled parameter (dim ``draw``), provenance in attrs.
    """

    def __init__(self, dataset):
        self.dataset = dataset
        attrs = dataset.attrs
        self.targets = [Target.model_validate(t) for t in json.loads(attrs["targets"])]
        self._meta = json.loads(attrs["indicators"])
        self._summary: list[TargetSummary] | None = None

    # -- provenance ---------------------------------------------------------------------
    @property
    def scenario_name(self) -> str:
        """Name of the scenario that produced these results."""
        return str(self.dataset.attrs["scenario"])

    @property
    def draws(self) -> int:
        """Number of draws."""
        return int(self.dataset.sizes["draw"])

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
        from .errors import did_you_mean
        raise KeyError(f"no target '{target_id}'.{did_you_mean(target_id, [t.id for t in self.targets])}")

    # -- evaluation ----------------------------------------------------------------------
    def target_values(self, target_id: str) -> np.ndarray:
        """The quantity the target judges, per draw."""
        target = self.target(target_id)
        path = self.dataset[target.indicator].transpose("year", "draw").values
        return target_quantity(target, path, self.base_year)

    def met(self, target_id: str) -> np.ndarray:
        """Boolean per draw: is the target reached?"""
        return is_met(self.target(target_id), self.target_values(target_id))

    def probability(self, target_id: str) -> float:
        """Probability of reaching one target."""
        return float(self.met(target_id).mean())

    def joint_met(self) -> np.ndarray:
        """Boolean per draw: are all targets reached together?"""
        return np.logical_and.reduce([self.met(t.id) for t in self.targets])

    def joint_probability(self) -> float:
        """Probability of reaching all targets in the same draw."""
        return float(self.joint_met().mean())

    def target_summaries(self) -> list[TargetSummary]:
        """One :class:`TargetSummary` per target (computed once)."""
        if self._summary is None:
            out = []
            for target in self.targets:
                info = self._meta[target.indicator]
                base = float(np.median(self.dataset[target.indicator].sel(year=self.base_year)))
                out.append(summarise(target, self.target_values(target.id), base, self.base_year,
                                     info["rate_kind"], info["historical_rate"]))
            self._summary = out
        return self._summary

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
        return {"scenario": self.scenario_name, "draws": self.draws, "seed": self.seed,
                "scenario_sha256": self.dataset.attrs.get("scenario_sha256"),
                "joint_probability": self.joint_probability(),
                "joint_probability_se": math.sqrt(self.joint_probability() *
                                                  (1 - self.joint_probability()) / self.draws),
                "targets": self.records(), "assumptions": self.assumptions()}

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write ``results.nc``, ``summary.json`` and ``summary.csv`` into ``directory``.

        Everything is written into a temporary folder beside it and moved into place at the end,
        so an interrupted run leaves no partial result.

        Raises
        ------
        RunExistsError
            If ``directory`` exists, is not empty and ``force`` is false.
        """
        directory = Path(directory)
        if directory.exists() and any(directory.iterdir()) and not force:
            raise RunExistsError.single("exists and is not empty; use --force to replace it "
                                        "or --out to write elsewhere", file=str(directory))
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
        try:
            self.dataset.to_netcdf(staging / "results.nc", engine="h5netcdf")
            (staging / "summary.json").write_text(
                json.dumps(self.summary_json(), indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8")
            (staging / "summary.csv").write_text(self.summary_csv(), encoding="utf-8")
            for file in staging.iterdir():
                with open(file, "rb") as handle:
                    os.fsync(handle.fileno())
            if directory.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
                os.replace(directory, old / directory.name)
                os.replace(staging, directory)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staging, directory)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return directory

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


def build_dataset(scenario, model, block_result, *, draws: int, seed: int):
    """Assemble the results Dataset from simulated paths and parameters."""
    import datetime

    import xarray as xr

    from . import __version__

    years = scenario.years
    data_vars: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for name, component in model.components.items():
        label = component.label
        data_vars[name] = xr.Variable(("year", "draw"), block_result.paths[name], attrs={
            "unit": component.unit, "model": component.model,
            "label": json.dumps(label, ensure_ascii=False) if isinstance(label, dict) else label,
            "kind": "indicator"})
        meta[name] = {
            "unit": component.unit, "model": component.model, "label": label,
            "rate_kind": component.rate_kind, "historical_rate": component.historical_rate(),
            "inputs": list(component.inputs),
            "evidence": [dataclasses.asdict(r) for r in component.fit.rows],
            "base_observed": None if component.fit.base_observed is None else
            dataclasses.asdict(component.fit.base_observed),
            "assumptions": [{"setting": key, "distribution": dist.describe(), "why": dist.why,
                             "level": key in component.level_settings}
                            for key, dist in component.assumptions()]}
    for key, values in block_result.parameters.items():
        data_vars[key] = xr.Variable(("draw",), values, attrs={"kind": "parameter"})
    dataset = xr.Dataset(data_vars, coords={"year": years, "draw": np.arange(draws)})
    dataset.attrs = {
        "scenario": scenario.name, "region": scenario.region,
        "scenario_sha256": scenario.digest(), "scenario_file": scenario.file or "",
        "forecast_version": __version__, "seed": seed, "draws": draws,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "targets": json.dumps([t.model_dump(mode="json") for t in scenario.targets],
                              ensure_ascii=False),
        "indicators": json.dumps(meta, ensure_ascii=False),
    }
    return dataset


__all__ = ["Results", "RunExistsError", "SUMMARY_KEYS", "build_dataset", "ForecastError"]
