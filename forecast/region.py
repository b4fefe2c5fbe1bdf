"""The evidence a scenario calibrates on: superseded rows left out, readings of one quantity
combined, and the history of a merged region derived from its predecessors' rows.

Mathematics on rows only; the io layer reads the file (:func:`forecast.io.region.read_evidence`).

- **Readings.** Two or more rows of one quantity (same region, indicator, kind and years), each
  with a reporting error, are readings of it: they become one row at their precision-weighted
  mean, with the error ``(sum 1 / sd_i^2)^(-1/2)``. For normal reporting errors that is exactly
  the likelihood of the readings taken together, whatever their disagreement; the source and the
  note of the combined row list every reading.
- **Sum.** A level (or a yearly change) of the merged region in a year is the sum of the
  predecessors' levels in that year, each converted to the derived unit; its error is the root
  sum of squares of theirs. A year in which a predecessor has no row gives no derived row.
- **Weighted.** A growth rate of the merged region over ``year .. year_end`` is
  ``(sum_i w_i (1 + g_i)^n)^(1/n) - 1`` with ``w_i`` the predecessors' shares of the weights'
  level in ``year`` (the year before the first growth year): exact for compound growth when the
  weights are the levels of that year. When a predecessor has no level in that year, the shares
  of the nearest year in which all have one are used (at most ``nearest`` years away) and the
  row becomes an estimate (the default 5 % of an estimate is added to its error).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from forecast.errors import DataError, Problem, did_you_mean
from forecast.io.history import DEFAULT_ERROR, STATUSES, Evidence, History
from forecast.spec.region import Derivation, Region

_PREFIXES = (("thousand ", 1e3), ("million ", 1e6), ("billion ", 1e9), ("trillion ", 1e12))
_RATES = {"%/yr": 0.01, "%": 0.01, "/yr": 1.0, "share/yr": 1.0}
_ORDER = {status: i for i, status in enumerate(STATUSES)}


def _scaled(unit: str) -> tuple[float, str]:
    """``'thousand billion VND'`` -> (1e12, 'VND'): the multiplier words in front of a unit."""
    factor, rest = 1.0, unit.strip()
    changed = True
    while changed:
        changed = False
        for word, size in _PREFIXES:
            if rest.startswith(word):
                factor, rest, changed = factor * size, rest[len(word):], True
    return factor, rest


def unit_factor(unit: str, target: str) -> float | None:
    """The factor that converts a value in ``unit`` to ``target`` (None if it cannot):
    the same unit, multiples of one unit (``billion VND`` to ``thousand billion VND``), or two
    ways of writing a growth rate (``%/yr``, ``%``, ``/yr``)."""
    if unit == target:
        return 1.0
    if unit in _RATES and target in _RATES:
        return _RATES[unit] / _RATES[target]
    (a, base_a), (b, base_b) = _scaled(unit), _scaled(target)
    if base_a == base_b and base_a:
        return a / b
    return None


def _converted(row: Evidence, unit: str, what: str) -> tuple[float, float]:
    """The row's value and reporting error in ``unit`` (a DataError at its unit otherwise)."""
    factor = unit_factor(row.unit, unit)
    if factor is None:
        raise row.problem(f"unit '{row.unit}' cannot be converted to '{unit}', the unit of "
                          f"{what}; write the row in '{unit}' or a multiple of it", "unit")
    return row.value * factor, row.sd * factor


def _least_final(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: _ORDER.get(s, 0), default="final")


def _key(row: Evidence) -> tuple:
    return (row.region, row.indicator, row.kind, row.year, row.year_end)


def _cite(row: Evidence) -> str:
    return f"line {row.line}: {row.value:g} {row.unit}, {row.source}"


def combine_readings(rows: Sequence[Evidence]) -> list[Evidence]:
    """Rows with every group of readings of one quantity replaced by one combined row (in the
    place of the group's first row).

    Raises
    ------
    DataError
        If a group holds an exact row (no reporting error) beside another row, or rows whose
        units cannot be converted to the first's.
    """
    groups: dict[tuple, list[Evidence]] = defaultdict(list)
    for row in rows:
        groups[_key(row)].append(row)
    out = []
    for row in rows:
        group = groups[_key(row)]
        if len(group) == 1:
            out.append(row)
        elif row is group[0]:
            out.append(_combined(group))
    return out


def _combined(group: list[Evidence]) -> Evidence:
    first = group[0]
    values, sds = [], []
    for row in group:
        value, sd = _converted(row, first.unit, f"line {first.line} (another reading of it)")
        if sd <= 0:
            other = next(r for r in group if r is not row)
            raise row.problem(f"two readings of {row.indicator} {row.kind} {row.year}"
                              f"{'-' + str(row.year_end) if row.year_end else ''} (this row and "
                              f"line {other.line}) need a reporting error each; this one has "
                              "none (give it a status or an error, or mark one superseded)",
                              "error")
        values.append(value)
        sds.append(sd)
    precision = sum(1.0 / s**2 for s in sds)
    value = sum(v / s**2 for v, s in zip(values, sds)) / precision
    sd = precision ** -0.5
    parts = "; ".join(f"{_cite(r)} ± {s:.3g}" for r, s in zip(group, sds))
    return dataclasses.replace(
        first, value=value, status=_least_final(r.status for r in group), error=sd,
        error_relative=False,
        source=f"{len(group)} readings combined at their precision-weighted mean: {parts}",
        note=" | ".join(f"line {r.line}: {r.note}" for r in group))


def resolve(history: History, region: Region | None = None) -> History:
    """The evidence a scenario with ``region`` calibrates on.

    Superseded rows are left out; readings of one quantity are combined; with a region
    assembled from predecessors, its derived rows are added to its own rows (and combined with
    them where both give the same quantity, as readings). Predecessors' rows are not evidence
    themselves: they enter only through the derived rows.

    Raises
    ------
    DataError
        At the row, when it names a region that is not a predecessor, is dated after the
        merger, has a unit the derived indicator cannot take, or is an exact duplicate of a
        derived row.
    """
    predecessors = list(region.predecessors) if region is not None else []
    problems: list[Problem] = []
    own: list[Evidence] = []
    theirs: list[Evidence] = []
    for row in history.rows:
        if row.region and row.region not in predecessors:
            what = ("the scenario's region declares no predecessors" if not predecessors else
                    f"the predecessors are {', '.join(predecessors)}."
                    f"{did_you_mean(row.region, predecessors)}")
            problems.append(Problem(row.file, row.line, "region",
                                    f"row of region '{row.region}', but {what}"))
            continue
        last = row.year_end if row.year_end is not None else row.year
        if row.region and last > region.merged.year:
            problems.append(Problem(row.file, row.line, "year_end" if row.year_end else "year",
                                    f"a row of the predecessor '{row.region}' dated {last}, "
                                    f"after the merger ({region.merged.isoformat()}); figures "
                                    "after it belong to the merged region (an empty region "
                                    "cell)"))
            continue
        if row.status == "superseded":
            continue
        (theirs if row.region else own).append(row)
    if problems:
        raise DataError(problems)
    if region is None or not region.derive:
        return History(tuple(combine_readings(own)), history.file)
    theirs = combine_readings(theirs)
    derived: list[Evidence] = []
    for name, derivation in region.derive.items():
        derived.extend(derive(name, derivation, theirs, predecessors, file=history.file))
    return History(tuple(combine_readings(own + derived)), history.file)


def derive(name: str, derivation: Derivation, rows: Sequence[Evidence],
           predecessors: Sequence[str], *, file: str = "<memory>") -> list[Evidence]:
    """The rows of the merged indicator ``name`` that ``derivation`` gives from the
    predecessors' ``rows`` (readings already combined).

    Raises
    ------
    DataError
        If a predecessor has no row of the indicator, or a row's unit cannot be converted.
    """
    source = derivation.source or name
    mine = [r for r in rows if r.indicator == source]
    missing = [p for p in predecessors if not any(r.region == p for r in mine)]
    if missing:
        raise DataError([Problem(file, None, f"region.derive.{name}", (
            f"no row of '{source}' for the predecessor(s) {', '.join(missing)}"))])
    if derivation.rule == "sum":
        return _sums(name, derivation, mine, predecessors)
    return _weighted(name, derivation, mine, rows, predecessors)


def _by_region(rows: Iterable[Evidence], predecessors: Sequence[str]) -> dict | None:
    found = {r.region: r for r in rows}
    return found if all(p in found for p in predecessors) else None


def _sums(name: str, derivation: Derivation, rows: Sequence[Evidence],
          predecessors: Sequence[str]) -> list[Evidence]:
    groups: dict[tuple, list[Evidence]] = defaultdict(list)
    for row in rows:
        if row.kind in ("level", "change"):
            groups[(row.kind, row.year)].append(row)
    out = []
    for (kind, year), group in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        found = _by_region(group, predecessors)
        if found is None:
            continue
        parts = [(found[p], *_converted(found[p], derivation.unit, f"the derived '{name}'"))
                 for p in predecessors]
        value = sum(v for _, v, _ in parts)
        sd = math.sqrt(sum(s**2 for _, _, s in parts))
        cites = "; ".join(f"{p} {_cite(r)}" for p, (r, _, _) in zip(predecessors, parts))
        first = found[predecessors[0]]
        out.append(dataclasses.replace(
            first, indicator=name, kind=kind, year=year, year_end=None, value=value,
            unit=derivation.unit, region="", status=_least_final(r.status for r, _, _ in parts),
            error=sd, error_relative=False,
            source=f"derived: sum of the predecessors' rows ({cites})",
            note=f"{derivation.why} ({' + '.join(f'{v:g}' for _, v, _ in parts)} = {value:g} "
                 f"{derivation.unit})"))
    return out


def _weights(derivation: Derivation, rows: Sequence[Evidence],
             predecessors: Sequence[str]) -> dict[int, dict[str, Evidence]]:
    """Year -> the predecessors' weight rows, for the years in which every one has a level."""
    spec = derivation.weights
    levels: dict[int, list[Evidence]] = defaultdict(list)
    for row in rows:
        if row.indicator == spec.indicator and row.kind == "level":
            levels[row.year].append(row)
    found = {}
    for year, group in levels.items():
        complete = _by_region(group, predecessors)
        if complete is not None:
            found[year] = complete
    return found


def _weighted(name: str, derivation: Derivation, rows: Sequence[Evidence],
              every: Sequence[Evidence], predecessors: Sequence[str]) -> list[Evidence]:
    spec = derivation.weights
    weights = _weights(derivation, every, predecessors)
    if not weights:
        raise DataError([Problem(every[0].file if every else "<memory>", None,
                                 f"region.derive.{name}.weights", (
            f"no year in which every predecessor has a level row of '{spec.indicator}'"))])
    base_unit = next(iter(weights.values()))[predecessors[0]].unit
    groups: dict[tuple, list[Evidence]] = defaultdict(list)
    for row in rows:
        if row.kind == "average_growth":
            groups[(row.year, row.year_end)].append(row)
    out = []
    for (year, year_end), group in sorted(groups.items()):
        found = _by_region(group, predecessors)
        if found is None:
            continue
        candidates = sorted((abs(y - year), y) for y in weights if abs(y - year) <= spec.nearest)
        if not candidates:
            continue
        weight_year = candidates[0][1]
        levels = [_converted(weights[weight_year][p], base_unit,
                             f"the weights '{spec.indicator}'")[0] for p in predecessors]
        shares = [level / sum(levels) for level in levels]
        n = year_end - year
        rates = [_converted(found[p], "/yr", f"the derived '{name}'") for p in predecessors]
        total = sum(w * (1 + g) ** n for w, (g, _) in zip(shares, rates))
        merged = total ** (1 / n) - 1
        variance = sum((w * ((1 + g) / (1 + merged)) ** (n - 1) * s) ** 2
                       for w, (g, s) in zip(shares, rates))
        statuses = [found[p].status for p in predecessors]
        if weight_year != year:
            variance += (DEFAULT_ERROR["estimate"] * merged) ** 2
            statuses.append("estimate")
        to_unit = unit_factor("/yr", derivation.unit)
        if to_unit is None:
            raise DataError([Problem(found[predecessors[0]].file, None,
                                     f"region.derive.{name}.unit", (
                f"'{derivation.unit}' is not a unit of a growth rate; expected %/yr"))])
        grown = "; ".join(f"{p} {_cite(found[p])}" for p in predecessors)
        weighed = "; ".join(f"{p} {_cite(weights[weight_year][p])}" for p in predecessors)
        shares_text = ", ".join(f"{p} {100 * w:.1f} %" for p, w in zip(predecessors, shares))
        when = ("" if weight_year == year else
                f" (no level of every predecessor in {year}: the nearest year's shares, so an "
                "estimate)")
        out.append(dataclasses.replace(
            found[predecessors[0]], indicator=name, value=merged * to_unit, unit=derivation.unit,
            region="", status=_least_final(statuses), error=math.sqrt(variance) * to_unit,
            error_relative=False,
            source=(f"derived: the predecessors' growth ({grown}) weighted by their "
                    f"{spec.indicator} in {weight_year} ({weighed})"),
            note=(f"{derivation.why} Shares in {weight_year}: {shares_text}{when}; "
                  f"weights: {spec.why}")))
    return out
