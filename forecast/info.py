"""What a run says about each indicator besides its numbers: unit, label, the scale of its
rates, the evidence behind it and every value it assumes (typed, saved with the results)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forecast.io.history import Evidence


@dataclass(frozen=True)
class Assumption:
    """A value no source gives, which the simulation samples or sets.

    Attributes
    ----------
    indicator, setting : str
        Where it is declared (``poverty_rate``, ``base``).
    distribution : str
        What is drawn (``uniform(0.08, 0.12)``, ``lever extra_road_share = 0.02``).
    why : str
        The reason the scenario gives.
    level : bool
        Whether it is a base-year level (the starting point of the indicator).
    """

    indicator: str
    setting: str
    distribution: str
    why: str
    level: bool

    @property
    def key(self) -> str:
        """``indicator.setting``."""
        return f"{self.indicator}.{self.setting}"


@dataclass(frozen=True)
class IndicatorInfo:
    """An indicator of a run: how it reads and what stands behind it.

    Attributes
    ----------
    name, unit, model : str
    label : str or dict
        Display label, or one per language code.
    rate_kind : {"growth", "change"}
        How its yearly rates read: compound growth, or change per year in its unit.
    historical_rate : float or None
        The rate its evidence shows over the longest span.
    inputs : tuple of str
    evidence : tuple of Evidence
        The history rows it was calibrated on.
    base_observed : Evidence or None
        The row that gives its base-year level, if one does.
    assumptions : tuple of Assumption
    """

    name: str
    unit: str
    model: str
    label: str | dict[str, str]
    rate_kind: str
    historical_rate: float | None
    inputs: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    base_observed: Evidence | None = None
    assumptions: tuple[Assumption, ...] = ()

    @property
    def assumed_base(self) -> bool:
        """Whether its base-year level is assumed (sampled: no source gives it)."""
        return any(a.level for a in self.assumptions)

    def to_json(self) -> dict[str, Any]:
        """Plain data (for the attrs of a saved run)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "IndicatorInfo":
        """The inverse of :meth:`to_json`.

        Raises
        ------
        KeyError, TypeError
            If ``data`` is not what :meth:`to_json` writes.
        """
        observed = data["base_observed"]
        return cls(
            name=data["name"], unit=data["unit"], model=data["model"], label=data["label"],
            rate_kind=data["rate_kind"], historical_rate=data["historical_rate"],
            inputs=tuple(data["inputs"]),
            evidence=tuple(Evidence(**row) for row in data["evidence"]),
            base_observed=None if observed is None else Evidence(**observed),
            assumptions=tuple(Assumption(**a) for a in data["assumptions"]))


def describe_model(scenario: Any, model: Any) -> dict[str, IndicatorInfo]:
    """The :class:`IndicatorInfo` of every indicator of a calibrated model, in its order.

    Assumptions are the component's declared distributions, then the scenario's shocks on the
    indicator, then the lever values it reads.
    """
    out: dict[str, IndicatorInfo] = {}
    for name, component in model.components.items():
        assumptions = [Assumption(name, key, dist.describe(), dist.why,
                                  key in component.level_settings)
                       for key, dist in component.assumptions()]
        for shock in scenario.shocks:
            if shock.indicator != name:
                continue
            if shock.year is not None:
                what = f"{shock.size:+g} in {shock.year}"
            else:
                what = f"{shock.size.describe()} with probability {shock.probability:g} a year"
            assumptions.append(Assumption(name, "shock", what, shock.why, False))
        for path, lever in component._lever_refs.items():
            spec = scenario.levers[lever]
            what = f"lever {lever} = {spec.value:g}" + (f" {spec.unit}" if spec.unit else "")
            assumptions.append(Assumption(name, ".".join(path), what, spec.why, False))
        fit = component.fit
        out[name] = IndicatorInfo(
            name=name, unit=component.unit, model=component.model, label=component.label,
            rate_kind=component.rate_kind, historical_rate=component.historical_rate(),
            inputs=tuple(component.inputs), evidence=tuple(fit.rows),
            base_observed=fit.base_observed, assumptions=tuple(assumptions))
    return out
