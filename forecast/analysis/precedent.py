"""Has anyone done it? A target's required pace beside the fastest pace any unit of a shipped
panel achieved over a period of the same length.

A scenario says under ``precedents:`` which panel column an indicator compares with (budget
revenue against the provinces' settled revenue), with why. The panel is one of the prior
library's (given as a value), and what the library's priors leave
out of it (years, series, breaks, each with its reason) is left out here too: a window whose ends
fall in a left-out year, a left-out province, or a window across a province's break.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from forecast.errors import DataError, ScenarioError, did_you_mean
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario


@dataclass(frozen=True)
class Pace:
    """The fastest pace in a panel over ``years`` years, beside the one a target requires.

    ``fastest`` is the highest yearly rate (the lowest, for an ``at_most`` target) any unit
    achieved over any window of ``years`` years, on ``rate_kind`` (compound growth or change
    per year), by ``holder`` from ``first`` to ``last``; ``windows`` were compared, from the
    panel's ``span``. ``faster`` says the required pace is beyond anything observed.
    """

    panel: str
    column: str
    units: str
    years: int
    rate_kind: str
    required: float
    fastest: float | None
    holder: str | None
    first: int | None
    last: int | None
    windows: int
    span: tuple[int, int] | None
    faster: bool
    message: str


def window_years(target, base_year: int) -> int:
    """Years the target's required rate runs over: from the base year for a level or a sum
    (the growth of the yearly value), over the period for a change or growth."""
    if target.kind in ("level", "cumulative"):
        return target.last_year - base_year
    return target.years


def _panel(scenario: Scenario, indicator: str, library):
    precedent = scenario.precedents[indicator]
    by_stem: dict[str, tuple] = {}
    for name, panel in library.panels.items():
        stem = Path(panel.file).stem
        spec = library.specs[name]
        drop = by_stem.setdefault(stem, (panel, {}, {}, {}))
        drop[1].update(spec.drop_years)
        drop[2].update(spec.drop_series)
        drop[3].update(spec.drop_changes)
    if precedent.panel not in by_stem:
        raise ScenarioError([scenario.problem(("precedents", indicator, "panel"), (
            f"no panel '{precedent.panel}' in the prior library."
            f"{did_you_mean(precedent.panel, by_stem)} Panels: {', '.join(sorted(by_stem))}"))])
    panel, drop_years, drop_series, drop_changes = by_stem[precedent.panel]
    try:
        values = panel.values(precedent.column)
    except DataError as exc:
        raise ScenarioError([scenario.problem(("precedents", indicator, "column"),
                                              exc.problems[0].message)]) from None
    return precedent, values, drop_years, drop_series, drop_changes


def fastest_pace(values: Mapping[str, Mapping[int, float]], years: int, rate_kind: str, *,
                 rising: bool = True, drop_years=(), drop_series=(), drop_changes=()):
    """The fastest yearly pace over ``years`` years in a panel column.

    Returns ``(pace, unit, first, last, windows, span)``; ``pace`` is None when no window fits.
    """
    best = None
    windows = 0
    seen: list[int] = []
    for unit, series in sorted(values.items()):
        if unit in drop_series:
            continue
        seen += list(series)
        for first, start in sorted(series.items()):
            last = first + years
            if last not in series or first in drop_years or last in drop_years:
                continue
            if any((unit, y) in drop_changes for y in range(first + 1, last + 1)):
                continue
            end = series[last]
            if rate_kind == "growth":
                if start <= 0 or end <= 0:
                    continue
                pace = (end / start) ** (1.0 / years) - 1.0
            else:
                pace = (end - start) / years
            windows += 1
            if best is None or (pace > best[0] if rising else pace < best[0]):
                best = (pace, unit, first, last)
    span = (min(seen), max(seen)) if seen else None
    if best is None:
        return None, None, None, None, 0, span
    return (*best, windows, span)


def paces(scenario: Scenario, targets: Sequence[str], summary,
          library: PriorLibrary) -> dict[str, Pace]:
    """Per chosen target whose indicator has a precedent: its :class:`Pace` (the others have
    none: "no panel"), from the panels of ``library``."""
    wanted = [t for t in scenario.targets if t.id in targets and t.indicator in
              scenario.precedents]
    if not wanted:
        return {}
    out = {}
    for target in wanted:
        precedent, values, drop_years, drop_series, drop_changes = _panel(
            scenario, target.indicator, library)
        row = summary.target(target.id)
        years = window_years(target, scenario.base_year)
        rising = target.at_least is not None
        pace, holder, first, last, windows, span = fastest_pace(
            values, years, row.rate_kind, rising=rising, drop_years=drop_years,
            drop_series=drop_series, drop_changes=drop_changes)
        required = row.required_rate
        faster = pace is not None and (required > pace if rising else required < pace)
        where = f"{span[0]}-{span[1]}" if span else "the panel"
        show = ((lambda r: _percent(r, 1)) if row.rate_kind == "growth"
                else (lambda r: f"{r:.3g}"))
        if pace is None:
            message = f"no {years}-year window in {precedent.panel}.{precedent.column}"
        else:
            message = (f"needs {show(required)} a year over {years} years; the fastest of the "
                       f"{precedent.units} in {where}: {show(pace)} ({holder} {first}-{last})")
            if faster:
                message += f": faster than any of the {precedent.units} managed in {where}"
        out[target.id] = Pace(precedent.panel, precedent.column, precedent.units, years,
                              row.rate_kind, float(required), pace, holder, first, last, windows,
                              span, faster, message)
    return out


def pace_text(pace: Pace, lang: str = "en") -> str:
    """The sentence of a :class:`Pace` in ``lang`` (``message`` is the English one): the
    pace needed, the fastest in the panel and, when it is beyond that, that no unit managed it.

    Parameters
    ----------
    pace : Pace
    lang : {"en", "vi"}

    Returns
    -------
    str
    """
    from forecast.formatting import percent, significant
    from forecast.messages import message, unit_text

    def show(rate: float) -> str:
        return percent(rate, 1, lang) if pace.rate_kind == "growth" else \
            significant(rate, 3, lang)

    if pace.fastest is None:
        return message("t_pace_none", lang, years=pace.years,
                       panel=f"{pace.panel}.{pace.column}")
    where = f"{pace.span[0]}-{pace.span[1]}" if pace.span else message("t_the_panel", lang)
    units = unit_text(pace.units, lang)
    text = message("t_pace", lang, required=show(pace.required), years=pace.years,
                   units=units, where=where, fastest=show(pace.fastest), holder=pace.holder,
                   first=pace.first, last=pace.last)
    return text + (message("t_pace_faster", lang, units=units, where=where) if pace.faster
                   else "")


def _percent(share: float, decimals: int) -> str:
    """A share in English as the rest of the tool writes it (``80.0 %``)."""
    from forecast.formatting import percent

    return percent(share, decimals, "en")


__all__ = ["Pace", "fastest_pace", "pace_text", "paces", "window_years"]
