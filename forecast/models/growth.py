"""Growth: log output as a random walk with uncertain drift, optional AR(1), fat tails, jumps."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from forecast.messages import Phrase
from forecast.spec.distributions import (Distribution, Fixed, HalfNormal, Normal, Pooled,
                                         PriorDistribution, PriorScale)
from forecast.io.history import History
from forecast.models.base import Component, ComponentError, Draws, ParameterFit, ParameterSource
from forecast.models.categorical import categorical
from forecast.models.common import relative_reading
from forecast.models.evidence import Reading
from forecast.models.pooling import DriftPooling, fit_pooled, prior_with_spread
from forecast.models.posterior import GRID, LinearPosterior, ar1, fit_linear

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary


class Jump(BaseModel):
    """Rare shock years: with ``probability`` a year, the growth rate moves by ``size``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    probability: float = Field(ge=0, le=1, allow_inf_nan=False)
    size: Distribution


def _default_drift() -> Normal:
    return Normal(dist="normal", loc=0.0, scale=0.1,
                  why="weakly informative default: growth between -20 and +20 %/yr")


def _default_volatility() -> HalfNormal:
    return HalfNormal(dist="halfnormal", scale=0.05,
                      why="weakly informative default: yearly growth rarely swings by 10 points")


def _rows_detail(reading: Reading, **leaning: int) -> Phrase:
    """The evidence blocks read (``leaning``: ``rank`` and ``n`` of a design that pins only
    some combinations of the coefficients)."""
    if not reading.blocks:
        return Phrase.of("src_no_evidence")
    lines = sorted({line for b in reading.blocks for line in b.rows})
    yearly = sum(1 for b in reading.blocks if len(b.years) == 1)
    return Phrase.of("src_rows_leaning" if leaning else "src_rows", blocks=len(reading.blocks),
                     years=int(reading.years), yearly=yearly, lines=[int(n) for n in lines],
                     **leaning)


def _prior_text(prior: Distribution) -> Phrase:
    return Phrase.of("src_prior", prior=prior.describe())  # a pooled prior says it is pooled


NO_STATIONARY_WEIGHT = "the prior gives no weight inside (-1, 1)"

IDENTIFIED = 0.5
"""Share of a parameter's prior variance the evidence must remove for calibration to say the
evidence identified it (below it, the parameter is reported as resting on its prior)."""


def describe_linear(posterior: LinearPosterior, names: list[str], reading: Reading,
                    priors: list[Distribution], sigma_prior: Distribution,
                    design: np.ndarray | None = None) -> tuple[ParameterSource, ...]:
    """Provenance of the parameters of a linear posterior.

    A parameter is identified by the evidence when the posterior variance is less than
    ``1 - IDENTIFIED`` of the prior variance; otherwise it rests on its (declared or pooled)
    prior and the detail says how much the evidence moved it. With a rank-deficient design
    (period averages only) the detail names the priors the identified combination leans on.
    """
    blocks = reading.blocks
    if design is None:
        design = np.ones((len(blocks), len(names)))
    rank = int(np.linalg.matrix_rank(design)) if len(blocks) else 0
    _, beta_var, _, sigma_var = posterior.moments()
    prior_var = [p.variance() for p in priors] + [sigma_prior.variance()]
    sources = []
    for index, (name, prior) in enumerate(zip(names + ["volatility"], priors + [sigma_prior])):
        var = beta_var[index] if index < len(names) else sigma_var
        if prior_var[index] <= 0:
            sources.append(ParameterSource(name, "assumption",
                                           Phrase.of("src_fixed", prior=prior.describe())))
            continue
        reduction = float(1 - var / prior_var[index])
        if blocks and reduction >= IDENTIFIED:
            leaning = ({} if rank >= len(names) or index >= len(names) else
                       {"rank": rank, "n": len(names)})
            sources.append(ParameterSource(name, "evidence", (
                _rows_detail(reading, **leaning), Phrase.of("src_removed", share=reduction),
                _prior_text(prior))))
        else:
            why = (Phrase.of("src_no_evidence") if not blocks else
                   Phrase.of("src_not_identified", share=reduction))
            sources.append(ParameterSource(name, "pooled" if isinstance(prior, Pooled)
                                           else "prior", (why, _prior_text(prior))))
    return tuple(sources)


def consecutive_run(reading: Reading) -> tuple[list[int], np.ndarray]:
    """The longest run of consecutive single-year blocks: (years, yearly changes)."""
    yearly = sorted((min(b.years), b.total) for b in reading.blocks if len(b.years) == 1)
    best: list[tuple[int, float]] = []
    run: list[tuple[int, float]] = []
    for year, value in yearly:
        run = run + [(year, value)] if run and year == run[-1][0] + 1 else [(year, value)]
        if len(run) > len(best):
            best = run
    return [y for y, _ in best], np.array([v for _, v in best])


class Growth(Component):
    """Log level follows a random walk with drift: ``log y_t = log y_{t-1} + g_t``,
    ``g_t = drift + persistence (g_{t-1} - drift) + volatility e_t + jump_t``.

    The drift and volatility carry their joint posterior from the evidence (period averages
    pin the drift, yearly figures also inform the volatility).
    """

    model: Literal["growth"]
    drift: Normal = Field(default_factory=_default_drift,
                          description="Prior of the mean yearly log growth.")
    volatility: PriorScale = Field(default_factory=_default_volatility,
                                          description="Prior of the yearly growth noise scale "
                                          "(may be a pooled prior).")
    persistence: PriorDistribution | None = Field(default=None, description="Prior of the AR(1) "
                                             "coefficient of growth (none: independent years); "
                                             "calibrated where the evidence has a long enough "
                                             "run of yearly figures.")
    tail_dof: float | None = Field(default=None, gt=2, le=1000, description="Student-t degrees "
                                   "of freedom of the shocks (none: normal shocks).")
    jump: Jump | None = Field(default=None, description="Rare shock years.")
    pooling: DriftPooling | None = Field(default=None, description="Partial pooling of the "
                                         "drift: `drift` is then the group's drift and the "
                                         "region's deviates from it by the pooled spread.")
    common: str | None = Field(default=None, description="An input (a `common` component) "
                               "whose yearly log growth is added one for one: the national "
                               "part every region shares.")

    _group: tuple[Normal, Phrase] | None = PrivateAttr(default=None)
    """The group's drift calibrated on ``pooling.group`` and where it came from (set by
    :meth:`calibrate`)."""

    @model_validator(mode="after")
    def _common_is_an_input(self):
        check_common(self)
        group = set(self.pooling.group or ()) if self.pooling is not None else set()
        if group and self.common is not None:
            raise ValueError("pooling.group and common do not go together: with a common input "
                             "the drift is the region's own part, pooled towards 0 (give "
                             "pooling a spread and no group)")
        if group & set(self.evidence):
            raise ValueError(f"pooling.group names {', '.join(sorted(group & set(self.evidence)))}"
                             ", which this indicator's evidence reads too: the group's rows "
                             "must be the group's own")
        return self

    def calibrate(self, history: History, *, base_year: int,
                  inputs: Mapping[str, Component] | None = None,
                  priors: PriorLibrary | None = None, until: int | None = None) -> "Growth":
        """:meth:`Component.calibrate`; with ``pooling.group``, the group's drift is first
        calibrated on the group's rows (:meth:`group_drift`), and the region's drift is pooled
        towards that posterior (the declared ``drift`` is its prior, and stays as declared)."""
        if self.pooling is not None and self.pooling.group:
            pooled = self.model_copy(update={"pooling": self.pooling.model_copy(
                update={"group": None})})
            pooled._group = self.group_drift(history, base_year=base_year, priors=priors,
                                             until=until)
            return pooled.calibrate(history, base_year=base_year, inputs=inputs,
                                    priors=priors, until=until)
        return super().calibrate(history, base_year=base_year, inputs=inputs, priors=priors,
                                 until=until)

    def group_drift(self, history: History, *, base_year: int,
                    priors: PriorLibrary | None = None,
                    until: int | None = None) -> tuple[Normal, Phrase]:
        """The group's drift: a growth model of the rows ``pooling.group`` names, with this
        component's ``drift`` and ``volatility`` as its priors, calibrated on the same history.

        Parameters
        ----------
        history : History
        base_year : int
        priors : PriorLibrary, optional
            For a pooled volatility.
        until : int, optional
            The last year the group's rows may be dated (default: ``base_year``; later in a
            mid-plan update).

        Returns
        -------
        tuple of (Normal, Phrase)
            The posterior mean and sd of the group's drift (the posterior over the noise scale,
            a mixture, summed up by its first two moments), and where it came from.

        Raises
        ------
        ComponentError
            Keyed ``pooling.group``, if the group's rows cannot be calibrated or one of them
            cannot be used.
        """
        names = list(self.pooling.group)
        group = Growth(model="growth", unit=self.unit, evidence=names, drift=self.drift,
                       volatility=self.volatility,
                       base=Fixed(dist="fixed", value=1.0, why="not used: the group's drift"))
        try:
            fitted = group.calibrate(history, base_year=base_year, priors=priors, until=until)
        except ComponentError as exc:
            raise ComponentError("pooling.group", f"the group's rows ({', '.join(names)}): "
                                 f"{exc}") from None
        file = PurePath(history.file).name
        if fitted.fit.reading.unused:
            line, reason = fitted.fit.reading.unused[0]
            raise ComponentError("pooling.group", f"the group's row on line {line} of {file} "
                                 f"cannot be used ({reason}); correct it or take it out of "
                                 "the group's rows")
        mean, var, _, _ = fitted.fit.parameters.posteriors["linear"].moments()
        lines = ", ".join(str(row.line) for row in fitted.fit.rows)
        drift = Normal(dist="normal", loc=round(float(mean[0]), 6),
                       scale=round(max(float(np.sqrt(var[0])), 1e-6), 6),
                       why=f"the group's drift, calibrated on {', '.join(names)} (lines {lines} "
                           f"of {file})")
        return drift, Phrase.of("src_group", prior=drift.describe(), names=", ".join(names),
                                lines=lines, file=file)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        national = None
        if self.common is not None:  # the own part: the record net of the national growth
            reading = relative_reading(reading, inputs[self.common])
            national = inputs[self.common]
        group = self._group[0] if self._group is not None else self.drift
        blocks = reading.blocks
        arguments = (np.array([b.mean for b in blocks]), np.ones((len(blocks), 1)),
                     np.array([len(b.years) for b in blocks]), np.array([group.loc]),
                     np.array([group.scale]), self.volatility, reading.mean_covariance)
        if self.pooling is None:
            posterior, prior = fit_linear(*arguments), group
        else:
            posterior = fit_pooled(*arguments, self.pooling.spread)
            prior = prior_with_spread(group, self.pooling.spread)
        sources = list(describe_linear(posterior, ["drift"], reading, [prior],
                                       self.volatility))
        if self._group is not None:
            sources[0] = ParameterSource("drift", sources[0].origin,
                                         (self._group[1], *sources[0].phrases))
        years, series = consecutive_run(reading)
        diagnostic = {**ar1(series), "years": [years[0], years[-1]] if years else []}
        persistence = None
        if self.persistence is not None:
            persistence, source = fit_persistence(self.persistence, diagnostic)
            sources.append(source)
        return ParameterFit({"linear": posterior, "persistence": persistence,
                             "national": national, "own_reading": reading,
                             "diagnostics": {"ar1": diagnostic}}, tuple(sources))

    def base_year_growth(self) -> float | None:
        """The growth of the base year itself when a yearly figure of the evidence gives it
        (the persistence term of the first simulated year starts from it), else None; with a
        common input, its own part (the persistence works on the own part)."""
        year = self.fit.base_year
        own = self.fit.parameters.posteriors.get("own_reading") or self.fit.reading
        return next((b.total for b in own.blocks if b.years == {year}), None)

    def expected_change(self) -> float:
        """The posterior mean of the yearly log growth, the national part's included."""
        posteriors = self.fit.parameters.posteriors
        own = float(posteriors["linear"].sigma_weight @ posteriors["linear"].beta_mean[:, 0])
        national = posteriors.get("national")
        return own if national is None else own + national.expected_change()

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        draws: Draws = {"base": self.sample_base(rng, size), "drift": beta[:, 0],
                        "volatility": sigma}
        if self.persistence is not None:
            draws["persistence"] = draw_persistence(
                self.persistence, self.fit.parameters.posteriors["persistence"], rng, size)
        if self.tail_dof is None:
            draws["_noise"] = rng.standard_normal((steps, size))
        else:
            nu = self.tail_dof
            draws["_noise"] = rng.standard_t(nu, (steps, size)) * np.sqrt((nu - 2) / nu)
        if self.jump is not None:
            hit = rng.random((steps, size)) < self.jump.probability
            sizes = self.jump.size.sample(rng, steps * size).reshape(steps, size)
            draws["_jump"] = np.where(hit, sizes, 0.0)
        return draws

    def step(self, t, own, inputs, draws, shock):
        drift = draws["drift"]
        noise = draws["volatility"] * draws["_noise"][t - 1]
        if "persistence" in draws:
            previous = np.log(own[t - 1] / own[t - 2]) if t >= 2 else self.base_year_growth()
            if t >= 2 and "_shock" in draws:  # a scenario shock is a one-off
                previous = previous - draws["_shock"][t - 2]
            if t >= 2 and self.common is not None:  # the persistence is of the own part
                previous = previous - np.log(inputs[self.common][t - 1]
                                             / inputs[self.common][t - 2])
            drift, noise = ar1_term(draws["persistence"], previous, drift, noise)
        growth = drift + noise + shock
        if self.common is not None:
            growth = growth + np.log(inputs[self.common][t] / inputs[self.common][t - 1])
        if "_jump" in draws:
            growth = growth + draws["_jump"][t - 1]
        return own[t - 1] * np.exp(growth)


def check_common(component) -> None:
    """A ``common`` setting must name one of the component's inputs."""
    if component.common is not None and component.common not in component.inputs:
        raise ValueError(f"common names '{component.common}', which is not an input; list it "
                         "under 'inputs' too")


def _persistence_posterior(prior: Distribution, fit: dict | None,
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Grid posterior of the AR(1) coefficient on (-1, 1): the prior density times the normal
    approximation of the AutoReg likelihood (its estimate and standard error), or the prior
    alone restricted to (-1, 1) when ``fit`` is None.

    Raises
    ------
    TypeError
        If the prior has no density inside (-1, 1) (``fixed``, ``integers``).
    """
    grid = np.linspace(-1.0, 1.0, GRID + 1)[:-1] + 1.0 / GRID
    with np.errstate(divide="ignore"):
        log_post = prior.logpdf(grid)  # scipy.stats' numbers, without importing it
    if fit is not None:
        log_post = log_post - 0.5 * (
            (grid - fit["params"]["persistence"]) / fit["bse"]["persistence"]) ** 2
    if not np.isfinite(log_post).any():
        raise TypeError(NO_STATIONARY_WEIGHT)
    weight = np.exp(log_post - log_post.max())
    return grid, weight / weight.sum()


def fit_persistence(prior: Distribution, diagnostic: dict,
                    ) -> tuple[tuple[np.ndarray, np.ndarray] | None, ParameterSource]:
    """Posterior grid of the persistence (None: drawn as declared) and where it came from.

    ``diagnostic`` is an AR(1) fit (:func:`~forecast.models.posterior.ar1`, with ``years``) or
    ``{"fitted": False, "reason": ...}``.
    """
    prior_text = _prior_text(prior)
    fitted = diagnostic if diagnostic["fitted"] else None
    try:  # prior (times the AR(1) likelihood), restricted to stationary values
        grid = _persistence_posterior(prior, fitted)
    except TypeError as exc:
        reason = (Phrase.of("src_no_stationary_weight") if str(exc) == NO_STATIONARY_WEIGHT
                  else Phrase.written(str(exc)))
        return None, ParameterSource("persistence", "assumption", (
            Phrase.of("src_no_density", reason=reason), prior_text))
    if fitted is None:
        origin = "pooled" if isinstance(prior, Pooled) else "prior"
        reason = (Phrase.of(diagnostic["reason_key"], **diagnostic.get("reason_fields", {}))
                  if diagnostic.get("reason_key") else Phrase.written(diagnostic["reason"]))
        return grid, ParameterSource("persistence", origin, (reason, prior_text))
    first, last = fitted["years"]
    return grid, ParameterSource("persistence", "evidence", Phrase.of(
        "src_ar1", first=int(first), last=int(last),
        phi=round(float(fitted["params"]["persistence"]), 3),
        se=round(float(fitted["bse"]["persistence"]), 3), prior=prior.describe()))


def draw_persistence(prior: Distribution, posterior: tuple[np.ndarray, np.ndarray] | None,
                     rng: np.random.Generator, size: int) -> np.ndarray:
    """Draws of the persistence from its grid posterior (a prior without density: as
    declared, clipped to [-0.99, 0.99])."""
    if posterior is None:
        return np.clip(prior.sample(rng, size), -0.99, 0.99)
    grid, weight = posterior
    step = grid[1] - grid[0]
    cell = categorical(weight).sample(rng, size)  # = rng.choice(grid.size, size, p=weight)
    return grid[cell] + step * (rng.random(size) - 0.5)


def ar1_term(persistence: np.ndarray, previous: np.ndarray | float | None,
             mean: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The year's expected change and noise given last year's change ``previous``.

    With ``previous`` known, the expected change moves by ``persistence * (previous - mean)``
    and the noise keeps ``sqrt(1 - persistence**2)`` of its scale, so that the yearly spread
    stays the calibrated volatility; with ``previous`` unknown (None) both are unchanged.
    """
    if previous is None:
        return mean, noise
    return (mean + persistence * (previous - mean),
            noise * np.sqrt(np.clip(1.0 - persistence**2, 0.0, 1.0)))
