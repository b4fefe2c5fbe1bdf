"""Common: the national part of growth that every region shares, with a drift that can change.

An index (1 in the base year by default) whose yearly log growth is ``m_t + shock * e_t`` with
``m_t = m_{t-1} + drift_change * z_t``: a local level model of the common growth. With a
``reversion`` prior the drift reverts to a long-run pace, ``m_t = mu + phi (m_{t-1} - mu) +
drift_change * z_t``: a fast national pace (an inflation spike) is then expected to fade at the
rate the national series shows, rather than to last. A region reads
it through its ``common`` setting (:class:`forecast.models.growth.Growth`,
:class:`forecast.models.elasticity.Elasticity`): its log growth is added one for one, so one
draw of the national path moves every region that reads it, and a national slowdown (a run of
negative drift changes) moves them together.

Calibration: with evidence (yearly levels of a national index, e.g. the cumulated year effects
of a panel), the two sds have the exact grid posterior of :func:`forecast.priors.common.
local_level` and the drift starts from its filtered value at the base year; without, the sds
are drawn from their priors (pooled from the provincial panel) and the drift starts at ``start``
(by default 0: the national pace of the region's own record, which its drift already holds, with
the uncertainty of how far it has moved since).

``net_of`` names inputs (a price level) whose yearly variance the scenario already carries: the
shock variance is reduced by theirs (``shock**2 - sum of their volatility**2``, at least 0), so
the common part and the price level do not count the same swings twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from forecast.messages import Phrase
from forecast.models.base import Component, Draws, ParameterFit, ParameterSource
from forecast.models.categorical import categorical
from forecast.models.evidence import Block, Reading
from forecast.priors.common import local_level
from forecast.spec.distributions import (Fixed, HalfNormal, Normal, PriorDistribution,
                                         PriorScale)


def _default_scale() -> HalfNormal:
    return HalfNormal(dist="halfnormal", scale=0.03,
                      why="weakly informative default: the national pace moves by a few points")


class Common(Component):
    """National growth shared by every region that reads it: ``log c_t = log c_{t-1} + m_t +
    shock * e_t``, ``m_t = m_{t-1} + drift_change * z_t``."""

    model: Literal["common"]
    base: Fixed | None = Field(default_factory=lambda: Fixed(
        dist="fixed", value=1.0, why="an index, 1 in the base year by definition"),
        description="Base-year level of the index (default 1).")
    shock: PriorScale = Field(default_factory=_default_scale,
                              description="Prior of the sd of the yearly common shock (may be "
                              "a pooled prior).")
    drift_change: PriorScale = Field(default_factory=_default_scale,
                                     description="Prior of the sd of the yearly change of the "
                                     "common drift (may be a pooled prior).")
    start: Normal = Field(default_factory=lambda: Normal(
        dist="normal", loc=0.0, scale=0.01,
        why="the national pace of the region's own record, which its drift already holds"),
        description="The common drift in the base year when no evidence gives it.")
    net_of: list[str] = Field(default_factory=list, description="Inputs (a price level) whose "
                              "yearly variance the shock leaves to them.")
    reversion: PriorDistribution | None = Field(default=None, description="Prior of the "
                                                "drift's persistence phi on [0, 1] (none: "
                                                "phi = 1, a random walk of the drift).")
    long_run: Normal | None = Field(default=None, description="Prior of the long-run pace the "
                                    "drift reverts to (required with `reversion`).")

    @model_validator(mode="after")
    def _net_of_are_inputs(self):
        missing = [name for name in self.net_of if name not in self.inputs]
        if missing:
            raise ValueError(f"net_of names {missing}, which are not inputs; list them under "
                             "'inputs' too")
        if (self.reversion is None) != (self.long_run is None):
            raise ValueError("reversion and long_run go together: the drift reverts to the "
                             "long-run pace")
        if self.reversion is not None:
            low, high = self.reversion.bounds()
            if low < 0 or high > 1:
                raise ValueError(f"reversion is a persistence on [0, 1]; "
                                 f"{self.reversion.describe()} reaches outside it")
        return self

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        blocks = sorted(reading.blocks, key=lambda b: min(b.years))
        effects = np.array([b.total for b in blocks])
        gaps = np.array([len(b.years) for b in blocks], float)
        long_run = None if self.long_run is None else (self.long_run.loc, self.long_run.scale)
        posterior = local_level(effects, gaps, _concrete(self.shock), _concrete(self.drift_change),
                                level_mean=self.start.loc, level_sd=0.5 if blocks else 0.0,
                                reversion_prior=self.reversion, long_run=long_run)
        net = 0.0
        for name in self.net_of:
            component = inputs[name]
            linear = component.fit.parameters.posteriors.get("linear")
            if linear is not None:
                _, _, mean, var = linear.moments()
                net += mean**2 + var
        if blocks:
            summary = posterior.summary()
            level = {"spans": len(blocks), "mean": round(float(summary["level_mean"]), 4),
                     "sd": round(float(summary["level_sd"]), 4)}
            if self.reversion is not None:
                detail = Phrase.of("src_local_level_reverting", **level,
                                   phi=round(float(summary["reversion_mean"]), 2),
                                   long_run=round(float(summary["long_run_mean"]), 4))
            else:
                detail = Phrase.of("src_local_level", **level)
            sources = tuple(ParameterSource(name, "evidence", (detail, Phrase.of(
                "src_prior", prior=getattr(self, name).describe()))) for name in self._sampled())
        else:
            origin = {True: "pooled", False: "prior"}
            sources = tuple(ParameterSource(name, origin[getattr(self, name).dist == "pooled"], (
                Phrase.of("src_no_national"),
                Phrase.of("src_prior", prior=getattr(self, name).describe())))
                for name in self._sampled())
            sources += (ParameterSource("start", "assumption", Phrase.of(
                "src_declared", prior=self.start.describe())),)
        return ParameterFit({"local_level": posterior, "net_variance": net,
                             "has_evidence": bool(blocks)}, sources)

    def _sampled(self) -> tuple[str, ...]:
        """The parameters with a prior of their own (the drift's reversion when declared)."""
        return ("shock", "drift_change") + (("reversion", "long_run") if self.reversion
                                             is not None else ())

    def expected_change(self) -> float:
        posterior = self.fit.parameters.posteriors["local_level"]
        if self.fit.parameters.posteriors["has_evidence"]:
            if posterior.reversion is None:
                return float(posterior.weight @ posterior.level_mean)
            phi = posterior.reversion
            return float(posterior.weight @ (phi * posterior.level_mean
                                             + (1 - phi) * posterior.mean_mean))
        return self.start.loc

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        posteriors = self.fit.parameters.posteriors
        posterior = posteriors["local_level"]
        cell = categorical(posterior.weight).sample(rng, size)
        shock = posterior.shock[cell] * np.exp(0.05 * (rng.random(size) - 0.5))
        change = posterior.drift_change[cell] * np.exp(0.05 * (rng.random(size) - 0.5))
        if posteriors["has_evidence"]:
            start = posterior.level_mean[cell] + np.sqrt(posterior.level_var[cell]) * \
                rng.standard_normal(size)
        else:
            start = self.start.sample(rng, size)
        net = np.sqrt(np.maximum(shock**2 - posteriors["net_variance"], 0.0))
        draws = {"base": self.sample_base(rng, size), "shock": net, "drift_change": change,
                 "start": start, "_noise": rng.standard_normal((steps, size)),
                 "_change": rng.standard_normal((steps, size))}
        if self.reversion is not None:
            draws.update(self._reversion_draws(rng, size, cell, start))
        return draws

    def _reversion_draws(self, rng: np.random.Generator, size: int, cell: np.ndarray,
                         start: np.ndarray) -> Draws:
        """The drift's persistence and the long-run pace, jointly with the drift at the base
        year (their filtered covariance) where the national series informs them."""
        posterior = self.fit.parameters.posteriors["local_level"]
        if self.fit.parameters.posteriors["has_evidence"]:
            var = np.maximum(posterior.level_var[cell], 1e-18)
            slope = posterior.level_mean_cov[cell] / var
            rest = np.maximum(posterior.mean_var[cell] - slope * posterior.level_mean_cov[cell],
                              0.0)
            mu = (posterior.mean_mean[cell] + slope * (start - posterior.level_mean[cell])
                  + np.sqrt(rest) * rng.standard_normal(size))
            return {"reversion": posterior.reversion[cell], "long_run": mu}
        return {"reversion": np.clip(self.reversion.sample(rng, size), 0.0, 1.0),
                "long_run": self.long_run.sample(rng, size)}

    def step(self, t, own, inputs, draws, shock):
        if "reversion" in draws:  # m_t = mu + phi^t (m_0 - mu) + sum_k phi^(t-k) change z_k
            phi, mu = draws["reversion"], draws["long_run"]
            powers = phi[None] ** np.arange(t - 1, -1, -1)[:, None]
            drift = (mu + phi**t * (draws["start"] - mu)
                     + draws["drift_change"] * (powers * draws["_change"][:t]).sum(axis=0))
        else:
            drift = draws["start"] + draws["drift_change"] * draws["_change"][:t].sum(axis=0)
        return own[t - 1] * np.exp(drift + draws["shock"] * draws["_noise"][t - 1] + shock)


def _concrete(dist):
    """A pooled prior's distribution (resolved by calibration before this is called)."""
    return getattr(dist, "concrete", dist)


def relative_reading(reading: Reading, common: Component) -> Reading:
    """A region's evidence net of the national part, when the ``common`` component it reads
    was calibrated on national evidence.

    Parameters
    ----------
    reading : Reading
        The region's evidence as read (its whole growth, as published).
    common : Component
        The calibrated national component.

    Returns
    -------
    Reading
        Each block's total less the national log growth of the same years (the national
        blocks whose years make up the block's), the national reporting error added to the
        block's. A block the national series cannot split (a year with no national figure, or
        a national figure spanning years outside it) is left out, its rows listed as unused
        with the reason (an error in a calibration, allowed in a mid-plan update). Without
        national evidence the common part is centred on 0 (``start``) and the region's
        record is its own pace: ``reading`` is returned as it is.
    """
    national = common.fit.reading
    if not national.blocks:
        return reading
    by_year = {year: i for i, block in enumerate(national.blocks) for year in block.years}
    kept, select, totals, unused = [], [], [], list(reading.unused)
    for i, block in enumerate(reading.blocks):
        used = {by_year.get(year) for year in block.years}
        if None in used or sum(len(national.blocks[j].years) for j in used) != len(block.years):
            missing = sorted(y for y in block.years if by_year.get(y) is None)
            why = ("the national series of its common input has no figure for "
                   + ", ".join(map(str, missing)) if missing else "a national figure of its "
                   "common input spans years outside it") + (
                f", so its growth over {min(block.years) - 1}-{max(block.years)} cannot be "
                "split into a national and an own part")
            unused += [(line, why) for line in block.rows]
            continue
        row = np.zeros(len(national.blocks))
        row[sorted(used)] = 1.0
        kept.append(i)
        select.append(row)
        totals.append(block.total - sum(national.blocks[j].total for j in used))
    blocks = tuple(Block(reading.blocks[i].years, total, reading.blocks[i].rows)
                   for i, total in zip(kept, totals))
    select = np.array(select).reshape(len(kept), len(national.blocks))
    covariance = None
    if reading.covariance is not None or national.covariance is not None:
        covariance = np.zeros((len(kept), len(kept)))
        if reading.covariance is not None:
            covariance += reading.covariance[np.ix_(kept, kept)]
        if national.covariance is not None:
            covariance += select @ national.covariance @ select.T
    return Reading(blocks, tuple(unused), reading.levels, covariance)
