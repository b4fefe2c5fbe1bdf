"""How a pooled prior is derived (:class:`PooledSpec`): a value, read from a prior library's
``priors.yaml`` and ``exclusions.csv`` by :mod:`forecast.io.prior_library`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["STATISTICS", "PooledSpec"]

STATISTICS = ("volatility", "persistence", "own_volatility", "common_shock",
              "common_drift_change", "drift_spread")
"""What a pooled prior can pool: the sd of the yearly changes (the units' own part plus the
common part, or the own part alone), their lag-1 autocorrelation, the two sds of the common
(national) component's local level model, or the spread of the units' persistent relative
drift (:mod:`forecast.priors.common`)."""


@dataclass(frozen=True)
class PooledSpec:
    """How a pooled prior is derived: which panel column, which years, what is left out.

    A prior library holds one per prior (``priors.yaml``), with the exclusions of its panel
    (``exclusions.csv``) in ``drop_series``, ``drop_changes`` and ``drop_years``.

    Attributes
    ----------
    panel : str
        The panel's file name in the library folder (for the audit).
    column : str
        The panel column whose yearly log changes are pooled.
    first_year, last_year : int
        Levels used (changes from the first kept year after ``first_year`` to ``last_year``).
    drop_series : mapping
        Unit (province) -> why its whole series is left out.
    drop_changes : mapping
        (unit, year) -> why that unit's change into ``year`` is left out (a break: its series
        is comparable from ``year`` on).
    drop_years : mapping
        Year -> why its levels are left out (for every unit); the change across the gap is
        kept as one change over two years.
    min_changes : int
        Units with fewer changes (pairs of consecutive yearly changes, for persistence) are
        left out. The same rule holds in the backtest (:func:`fit_prior`).
    compare_column : str, optional
        Another column whose median ratio to ``column`` by year is reported (a change of
        definition shows as a jump in it).
    statistic : {"volatility", "persistence"}
        What is pooled: the sd of the yearly changes, or their lag-1 autocorrelation.
    separate_common : bool
        Volatility: fit the units' own volatility after removing the common part of each span
        and add the common part back (:func:`volatility_prior`); False fits the units' total
        sample sds as they are (kept for comparison, docs/validation.md).
    description : str
        What the prior is, for its ``why``.
    """

    panel: str
    column: str
    first_year: int
    last_year: int
    drop_series: Mapping[str, str] = field(default_factory=dict)
    drop_changes: Mapping[tuple[str, int], str] = field(default_factory=dict)
    drop_years: Mapping[int, str] = field(default_factory=dict)
    min_changes: int = 2
    compare_column: str | None = None
    statistic: str = "volatility"
    separate_common: bool = True
    description: str = ""
