"""Panels of yearly regional series in memory: the documented exclusions, yearly changes.

One place applies the exclusions of a pooled prior (:class:`forecast.priors.pooled_spec.PooledSpec`:
left out years, series and breaks), so that the derivation of the prior
(:func:`forecast.priors.pooled.derive`) and the backtest (:mod:`forecast.analysis.backtest`) see
the same panel. Nothing here opens a file: a :class:`Panel` holds values read by
:func:`forecast.io.panel.read_panel`.

Years left out for every unit (``drop_years``) leave a gap common to all units: the change
across it is kept as one change over several years (a *span*), with its length in ``gaps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import numpy as np

from forecast.errors import DataError, did_you_mean
from forecast.priors.pooled_spec import PooledSpec


@dataclass(frozen=True)
class Panel:
    """Yearly series of regional units (provinces), column by column, in memory.

    Attributes
    ----------
    file : str
        Where the values were read from (for messages and audit records).
    columns : mapping
        Column -> unit -> year -> value, for non-empty values.
    unnamed : tuple of int
        Line numbers of rows with an empty unit (left out).
    units : frozenset of str
        Every unit with a row, whether or not it has values.
    """

    file: str
    columns: Mapping[str, Mapping[str, Mapping[int, float]]]
    unnamed: tuple[int, ...] = ()
    units: frozenset[str] = field(default_factory=frozenset)

    def values(self, column: str) -> dict[str, dict[int, float]]:
        """A fresh copy of ``column`` as unit -> year -> value.

        Raises
        ------
        DataError
            If the panel has no such column.
        """
        if column not in self.columns:
            raise DataError.single(f"the panel has no column '{column}'."
                                   f"{did_you_mean(column, self.columns)} Columns: "
                                   f"{', '.join(self.columns)}", file=self.file, key=column)
        return {unit: dict(series) for unit, series in self.columns[column].items()}


def log_changes(values: Mapping[str, Mapping[int, float]], years: list[int],
                breaks: Mapping[str, int] | None = None,
                ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Log changes between consecutive ``years`` per unit, NaN where a level is missing.

    Parameters
    ----------
    values : mapping
        unit -> year -> level.
    years : list of int
        Increasing years; a step of more than one year is one change over that span.
    breaks : mapping, optional
        unit -> year: the change of that unit into ``year`` (across it) is left out.

    Returns
    -------
    units : list of str
    changes : ndarray, shape (units, len(years) - 1)
    gaps : ndarray, shape (len(years) - 1,)
        Years spanned by each change.
    """
    units = sorted(values)
    levels = np.array([[values[u].get(int(y), np.nan) for y in years] for u in units],
                      dtype=float).reshape(len(units), len(years))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(levels > 0, np.log(np.where(levels > 0, levels, 1.0)), np.nan)
    changes = np.diff(logs, axis=1)
    ends = np.array(years[1:], dtype=int)
    starts = np.array(years[:-1], dtype=int)
    for unit, year in (breaks or {}).items():
        if unit in values:
            changes[units.index(unit), (starts < year) & (year <= ends)] = np.nan
    return units, changes, (ends - starts).astype(float)


def sample_sds(changes: np.ndarray, gaps: np.ndarray | None = None,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Sample sd of the yearly growth of each row and its number of changes, ignoring NaN.

    A change over ``g`` years of a random walk with drift ``m`` and yearly sd ``s`` is normal
    with mean ``g m`` and variance ``g s**2``: the drift is estimated as the sum of the changes
    over the sum of their years and the residuals are scaled by ``1 / sqrt(g)``, so that
    ``(n - 1) sd**2 / s**2`` is chi-square with ``n - 1`` degrees of freedom for ``n`` changes
    (with yearly changes only, the ordinary sample sd). NaN with fewer than 2 changes.
    """
    changes = np.atleast_2d(np.asarray(changes, float))
    gaps = np.ones(changes.shape[1]) if gaps is None else np.asarray(gaps, float)
    finite = np.isfinite(changes)
    count = finite.sum(axis=1)
    values = np.where(finite, changes, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        drift = values.sum(axis=1) / np.where(finite, gaps[None], 0.0).sum(axis=1)
        residual = (values - drift[:, None] * gaps[None]) / np.sqrt(gaps)[None]
        square = np.where(finite, residual**2, 0.0).sum(axis=1)
        sd = np.sqrt(square / (count - 1))
    return np.where(count > 1, sd, np.nan), count


def year_effects(changes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The common part of each span (the mean change across units that have it) and what is
    left of every unit's change once it is removed (the idiosyncratic part).

    Returns
    -------
    effects : ndarray, shape (spans,)
        NaN for a span no unit has.
    idiosyncratic : ndarray, same shape as ``changes``
    """
    finite = np.isfinite(changes)
    count = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        effects = np.where(count > 0, np.where(finite, changes, 0.0).sum(axis=0) / count,
                           np.nan)
    return effects, changes - effects[None]


@dataclass(frozen=True)
class PanelLevels:
    """The levels of a panel after a pooled prior's exclusions.

    Attributes
    ----------
    values : dict
        unit -> year -> level, without the left-out years and series.
    breaks : dict
        unit -> year: the unit's change into that year is not comparable (a change of
        territory); its series is comparable from that year on.
    data_years : tuple of int
        First and last year with a value in the column (before any exclusion).
    excluded : list of (what, why)
    dropped_series : dict
        Left-out unit -> why (units present in the file).
    dropped_sd : dict
        Left-out unit -> sd of its own yearly growth (for the audit).
    final_to_plan : dict
        Year -> median ratio of the column to the compare column.
    dispersion : dict
        Year -> sd across units of the yearly log change into that year, before the years
        are left out (a year of accounting shows as an outlier here).
    """

    values: dict[str, dict[int, float]]
    breaks: dict[str, int]
    data_years: tuple[int, int]
    excluded: list[tuple[str, str]]
    dropped_series: dict[str, str]
    dropped_sd: dict[str, float]
    final_to_plan: dict[int, float]
    dispersion: dict[int, float]

    def years(self, spec: PooledSpec, first: int, last: int) -> list[int]:
        """Years ``first..last`` whose levels are kept."""
        return [y for y in range(first, last + 1) if y not in spec.drop_years]


def panel_levels(spec: PooledSpec, panel: Panel, *, column: str | None = None,
                 ) -> PanelLevels:
    """Take ``column`` (default: the spec's) of ``panel`` and apply the spec's exclusions:
    rows without a unit, left-out years, left-out series, breaks.

    Parameters
    ----------
    spec : PooledSpec
        Whose exclusions apply (and whose ``compare_column`` is reported).
    panel : Panel
        The values.
    column : str, optional
        The column to take (default: ``spec.column``).

    Returns
    -------
    PanelLevels

    Raises
    ------
    DataError
        If the panel lacks the column or has no value in it.
    """
    values = panel.values(column or spec.column)
    unnamed = panel.unnamed
    excluded: list[tuple[str, str]] = []
    if unnamed:
        excluded.append((f"{len(unnamed)} rows with an empty province (lines "
                         f"{', '.join(map(str, unnamed))})", "no province to attach them to"))
    years = sorted({y for series in values.values() for y in series})
    if not years:
        raise DataError.single(f"no value in column {column or spec.column}", file=panel.file,
                               key=column or spec.column)
    ratios: dict[int, float] = {}
    if spec.compare_column:
        other = panel.values(spec.compare_column)
        for year in years:
            pairs = [values[u][year] / other[u][year] for u in values
                     if year in values[u] and other.get(u, {}).get(year)]
            if pairs:
                ratios[year] = float(np.median(pairs))
    dropped_series, dropped_sd = {}, {}
    for unit, why in spec.drop_series.items():
        series = values.pop(unit, None)
        if series is not None:
            excluded.append((unit, why))
            dropped_series[unit] = why
            kept = [y for y in years if y not in spec.drop_years]
            _, own, gaps = log_changes({unit: series}, kept)
            dropped_sd[unit] = float(sample_sds(own, gaps)[0][0])
    breaks = {unit: year for (unit, year) in spec.drop_changes if unit in values}
    _, every, _ = log_changes(values, years, breaks)
    with np.errstate(invalid="ignore"):
        spread = [np.nanstd(every[:, j], ddof=1) if np.isfinite(every[:, j]).sum() > 1
                  else np.nan for j in range(every.shape[1])]
    dispersion = {year: float(s) for year, s in zip(years[1:], spread)}
    for year, why in spec.drop_years.items():
        for series in values.values():
            series.pop(year, None)
        excluded.append((f"levels of {year}", why))
    for (unit, year), why in spec.drop_changes.items():
        if unit in values:
            excluded.append((f"{unit} {year - 1}-{year}", why))
    return PanelLevels(values, breaks, (years[0], years[-1]), excluded, dropped_series,
                       dropped_sd, ratios, dispersion)


@dataclass(frozen=True)
class PanelChanges:
    """Log changes of a pooled prior's panel after its exclusions, between consecutive kept
    years ``spans[j] = (start, end)`` (``gaps[j] = end - start`` years)."""

    units: list[str]
    changes: np.ndarray
    gaps: np.ndarray
    spans: list[tuple[int, int]]
    excluded: list[tuple[str, str]]
    final_to_plan: dict[int, float]
    dropped_sd: dict[str, float]
    dispersion: dict[int, float]


def panel_changes(spec: PooledSpec, panel: Panel, *, last_year: int | None = None,
                  ) -> PanelChanges:
    """The changes a pooled prior is derived from: the kept levels of ``spec.first_year`` to
    ``last_year`` (default: the spec's) of ``panel``, after every exclusion
    (:func:`panel_levels`).

    Parameters
    ----------
    spec : PooledSpec
    panel : Panel
    last_year : int, optional
        Last level used (the backtest's cut-off; default ``spec.last_year``).

    Returns
    -------
    PanelChanges

    Raises
    ------
    DataError
        If the panel lacks the spec's column or has no value in it.
    """
    last_year = spec.last_year if last_year is None else last_year
    levels = panel_levels(spec, panel)
    years = levels.years(spec, spec.first_year, last_year)
    units, changes, gaps = log_changes(levels.values, years, levels.breaks)
    later = {(f"levels of {year}", why) for year, why in spec.drop_years.items()
             if year > last_year}
    excluded = [item for item in levels.excluded if item not in later]
    return PanelChanges(units, changes, gaps, list(zip(years[:-1], years[1:])), excluded,
                        {y: r for y, r in levels.final_to_plan.items()
                         if spec.first_year <= y <= last_year},
                        levels.dropped_sd,
                        {y: d for y, d in levels.dispersion.items() if y <= last_year})
