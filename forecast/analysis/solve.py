"""What would it take: the lever value that gives a target a chosen probability.

The one-lever, one-target case of :mod:`forecast.analysis.plan`, on the same machinery
(:class:`forecast.analysis.trials.Trials`): the model is calibrated once; each trial value of the
lever re-runs the simulation with the same seed, so every trial sees the same random numbers
(common random numbers) and the probability moves only because the lever moved. A bisection on
the exact Monte Carlo probability then finds the crossing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.analysis.trials import Trials, check_lever, check_probability, check_targets
from forecast.spec.scenario import Scenario
from forecast.summary import binomial_se

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary



@dataclass(frozen=True)
class Solution:
    """The answer of :func:`solve`.

    Attributes
    ----------
    value : float or None
        Lever value at which the target reaches ``probability``; None when no value in the
        lever's range does.
    value_se : float or None
        Monte Carlo standard error of ``value`` (delta method: probability s.e. over the slope).
    achieved, achieved_se : float
        Probability at ``value`` (or at the better end of the range) and its s.e.
    outcome : {"value", "every", "none"}
        A value found by bisection; every value of the range gives the chance wanted (``value``
        is the least favourable end); no value does.
    best : float or None
        With ``"none"``: the end of the range that comes closest.
    flat : bool
        With ``"none"``: the lever does not move the target at all.
    trials : list of (value, probability)
        Every evaluation made, in order.

    :meth:`text` writes the answer in a sentence in either language; :attr:`message` is that
    sentence in English.
    """

    target: str
    lever: str
    probability: float
    low: float
    high: float
    value: float | None
    value_se: float | None
    achieved: float
    achieved_se: float
    draws: int
    seed: int
    outcome: str
    best: float | None = None
    flat: bool = False
    trials: list[tuple[float, float]] = field(default_factory=list)

    def text(self, lang: str = "en") -> str:
        """The answer in a sentence in ``lang``: the lever value and the chance it gives
        (``outcome`` ``"value"``), that every value of the range gives at least the chance
        wanted (``"every"``), or that none does, with the best one (``"none"``).

        Parameters
        ----------
        lang : {"en", "vi"}

        Returns
        -------
        str
        """
        from forecast.formatting import percent, significant
        from forecast.messages import message

        def share(p: float, decimals: int) -> str:
            return percent(p, decimals, lang)

        def value(v: float, digits: int = 6) -> str:
            return significant(v, digits, lang, group=False)

        fields = dict(lever=self.lever, target=self.target, low=value(self.low),
                      high=value(self.high), wanted=share(self.probability, 0),
                      p=share(self.achieved, 1))
        if self.outcome == "none":
            return message("t_solve_none", lang, best=value(self.best), **fields) + \
                (message("t_solve_flat", lang) if self.flat else "")
        if self.outcome == "every":
            return message("t_solve_every", lang, value=value(self.value, 4), **fields)
        spread = (f"± {value(self.value_se, 2)}" if self.value_se is not None
                  else message("t_solve_flat_nearby", lang))
        return message("t_solve_value", lang, value=value(self.value, 4), spread=spread,
                       **fields)

    @property
    def message(self) -> str:
        """:meth:`text` in English."""
        return self.text("en")

    def to_json(self) -> dict:
        """Plain data for ``--json`` (with ``message``: the answer in English)."""
        data = dataclasses.asdict(self)
        data["trials"] = [list(t) for t in self.trials]
        data["message"] = self.message
        return data

    def _searched(self, lang: str) -> str:
        from forecast.formatting import number, significant
        from forecast.messages import message

        return message("t_solve_trials", lang, n=len(self.trials),
                       draws=number(self.draws, 0, lang), seed=self.seed,
                       low=significant(self.low, 6, lang, group=False),
                       high=significant(self.high, 6, lang, group=False))

    def __repr__(self) -> str:
        """The answer in a sentence, then what was searched."""
        from forecast.messages import message

        return (message("nb_solution", target=self.target, lever=self.lever,
                        message=self.text("en")) + "\n  " + self._searched("en"))

    def to_html(self, lang: str = "en") -> str:
        """The answer, and every trial (lever value, probability) as an HTML table.

        Parameters
        ----------
        lang : {"en", "vi"}
            Language of the headings and numbers.

        Returns
        -------
        str
        """
        from forecast.analysis.compare import html_table
        from forecast.formatting import percent, significant
        from forecast.messages import message

        header = [message("nb_trial", lang), f"{message('plan_lever', lang)}: {self.lever}",
                  f"{message('t_probability', lang)}: {self.target}"]
        rows = [[i, significant(value, 4, lang), percent(p, 1, lang)]
                for i, (value, p) in enumerate(self.trials, start=1)]
        return html_table(header, rows, caption=self.text(lang), notes=[self._searched(lang)])

    def _repr_html_(self) -> str:
        return self.to_html()


def solve(scenario: Scenario | Mapping[str, Any] | str | Path, *, target: str, lever: str,
          probability: float = 0.8, draws: int | None = None, seed: int | None = None,
          tolerance: float | None = None, max_trials: int = 40,
          priors: PriorLibrary | None = None) -> Solution:
    """Find the value of ``lever`` at which ``target`` is reached with ``probability``.

    Parameters
    ----------
    scenario : Scenario, dict or path
        The scenario, its plain data or the path of its file
        (:func:`forecast.pipeline.as_scenario`); the lever must be declared under ``levers:``.
    target : str
        Target id.
    lever : str
        Lever name; the search stays within the lever's ``[low, high]``.
    probability : float
        The probability wanted, in (0, 1).
    draws, seed : int, optional
        Override the scenario's.
    tolerance : float, optional
        Stop when the bracket is narrower than this (default: 1/1000 of the lever's range).
    max_trials : int
        Most simulations to run.
    priors : PriorLibrary, optional
        Where pooled priors come from (default: the library shipped in the package).

    Returns
    -------
    Solution

    Raises
    ------
    InputError
        Naming the parameter (``target``, ``lever``, ``probability``, ``draws``, ``seed``)
        whose value is unknown or out of bounds; the command line names the same as flags.
    """
    from forecast.limits import check_draws, check_seed
    from forecast.pipeline import as_scenario

    scenario = as_scenario(scenario)
    draws = None if draws is None else check_draws(draws)
    seed = None if seed is None else check_seed(seed)
    probability = check_probability(probability)
    check_targets(scenario, [target], key="target")
    check_lever(scenario, lever)
    spec = scenario.levers[lever]
    tolerance = tolerance if tolerance is not None else (spec.high - spec.low) / 1000
    runs = Trials(scenario, [target], draws=draws, seed=seed, priors=priors)
    draws, seed = runs.draws, runs.seed
    trials: list[tuple[float, float]] = []

    def chance(value: float) -> float:
        p = runs.probability({lever: value}, target)
        trials.append((value, p))
        return p

    def se(p: float) -> float:
        return binomial_se(p, draws)

    low, high = spec.low, spec.high
    p_low, p_high = chance(low), chance(high)
    common = dict(target=target, lever=lever, probability=probability, low=low, high=high,
                  draws=draws, seed=seed, trials=trials)
    rising = p_high >= p_low
    best, p_best = (high, p_high) if rising else (low, p_low)
    worst, p_worst = (low, p_low) if rising else (high, p_high)
    if p_best < probability:
        return Solution(value=None, value_se=None, achieved=p_best, achieved_se=se(p_best),
                        outcome="none", best=best, flat=p_best == p_worst, **common)
    if p_worst >= probability:
        return Solution(value=worst, value_se=0.0, achieved=p_worst, achieved_se=se(p_worst),
                        outcome="every", **common)
    below, above = worst, best  # chance(below) < probability <= chance(above)
    p_above = p_best
    while abs(above - below) > tolerance and len(trials) < max_trials:
        middle = 0.5 * (below + above)
        p_middle = chance(middle)
        if p_middle >= probability:
            above, p_above = middle, p_middle
        else:
            below = middle
    value = above
    # slope over a bracket wide enough to see the probability move by several s.e.
    width = max(abs(spec.high - spec.low) / 20, tolerance)
    a, b = max(spec.low, value - width), min(spec.high, value + width)
    slope = (chance(b) - chance(a)) / (b - a) if b > a else 0.0
    value_se = se(p_above) / abs(slope) if slope else None
    return Solution(value=value, value_se=value_se, achieved=p_above, achieved_se=se(p_above),
                    outcome="value", **common)


__all__ = ["Solution", "solve"]
