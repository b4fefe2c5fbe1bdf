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
    origins : dict
        Where each sampled parameter comes from (:func:`parameter_source`): ``evidence``,
        ``prior``, ``pooled``, ``observed`` or ``assumption``, by parameter key (``base``).
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
    origins: Mapping[str, str] = dataclasses.field(default_factory=dict)

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
            assumptions=tuple(Assumption(**a) for a in data["assumptions"]),
            origins=dict(data.get("origins", {})))


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
            base_observed=fit.base_observed, assumptions=tuple(assumptions),
            origins=parameter_origins(component, model.horizon - model.base_year))
    return out


def _setting(component: Any, name: str) -> Any:
    value = getattr(component, name, None) if name in type(component).model_fields else None
    return value if hasattr(value, "describe") and hasattr(value, "dist") else None


def parameter_provenance(component: Any, name: str) -> tuple[str, tuple[Any, ...], str | None]:
    """(origin, phrases, prior) of parameter ``name`` of a calibrated component: the one rule
    (the calibration report and the sensitivity analysis both read it). The phrases
    (:class:`forecast.messages.Phrase`) say how it was obtained in any language
    (:func:`forecast.messages.compose`).

    Parameters
    ----------
    component : Component
        A calibrated component.
    name : str
        One of the parameters it samples (``base``, ``drift``, ...).

    Returns
    -------
    origin : {"evidence", "prior", "pooled", "observed", "assumption"}
    phrases : tuple of Phrase
    prior : str or None
        The declared distribution, if there is one.
    """
    from forecast.messages import Phrase
    from forecast.spec.distributions import Pooled

    fit = component.fit
    if name == "base":
        if fit.base_observed is not None:
            row = fit.base_observed
            return ("observed", (Phrase.of("src_observed", year=int(fit.base_year),
                                           line=int(row.line), source=row.source),), None)
        return ("assumption", (Phrase.of("src_assumed_base", why=fit.base.why),),
                fit.base.describe())
    found = next((s for s in fit.parameters.sources if s.name == name), None)
    declared = _setting(component, name)
    prior = declared.describe() if declared is not None else None
    if found is not None:
        return found.origin, found.phrases, prior
    if declared is not None:
        origin = "pooled" if isinstance(declared, Pooled) else "prior"
        return origin, (Phrase.of("src_drawn_prior", why=declared.why),), prior
    return "prior", (Phrase.of("src_as_declared"),), None


def parameter_source(component: Any, name: str, lang: str = "en") -> tuple[str, str, str | None]:
    """(origin, detail, prior) of parameter ``name`` of a calibrated component, the detail
    written in ``lang`` (:func:`parameter_provenance` composed).

    Parameters
    ----------
    component : Component
        A calibrated component.
    name : str
        One of the parameters it samples.
    lang : {"en", "vi"}

    Returns
    -------
    origin, detail : str
    prior : str or None
    """
    from forecast.messages import compose

    origin, phrases, prior = parameter_provenance(component, name)
    return origin, compose(phrases, lang), prior


def parameter_origins(component: Any, steps: int) -> dict[str, str]:
    """The origin of every parameter the component samples, by key."""
    import numpy as np

    keys = component.sample(np.random.default_rng(0), 1, max(steps, 1))
    return {key: parameter_provenance(component, key)[0] for key in keys
            if not key.startswith("_")}
