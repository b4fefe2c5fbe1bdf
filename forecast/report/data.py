"""What the charts show, computed from :class:`~forecast.results.Results` with numpy only.

Kept apart from the drawing so that the numbers behind every chart can be tested without
matplotlib: the fan's quantiles, the published figures that can be drawn on an indicator's
scale, where a target sits on that scale, and the rates a target needs against those history
shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import DataError, InputError, did_you_mean
from forecast.formatting import label_of
from forecast.io.history import Evidence
from forecast.spec.scenario import Target

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def check_indicator(results, name: str, *, file: str | None = None) -> dict[str, Any]:
    """The metadata of indicator ``name`` (``file``: the run's folder, for the message).

    Raises
    ------
    InputError
        If the run has no such indicator (with a did-you-mean).
    """
    names = results.indicators
    if name not in names:
        raise InputError.single(f"no indicator '{name}' in scenario '{results.scenario_name}'; "
                                f"expected one of {', '.join(names)}.{did_you_mean(name, names)}",
                                file=file, key="indicator")
    return results.indicator_info(name)


@dataclass(frozen=True)
class Fan:
    """Quantiles of an indicator's simulated paths, one value per year.

    Attributes
    ----------
    years : ndarray of int
        Simulated years, base year first.
    quantiles : ndarray, shape (5, year)
        The 5, 25, 50, 75 and 95 % quantiles over draws (:data:`FAN_QUANTILES`).
    """

    years: np.ndarray
    quantiles: np.ndarray

    @property
    def median(self) -> np.ndarray:
        """The 50 % quantile per year."""
        return self.quantiles[2]

    def at(self, year: int) -> float:
        """The median in ``year`` (a simulated year)."""
        return float(self.median[list(self.years).index(year)])


def fan(results, name: str) -> Fan:
    """The fan of indicator ``name``: its quantiles over draws, year by year.

    Uses ``results.quantiles`` where the run provides it (a run that kept only summaries has no
    draws to take quantiles of), else ``numpy.quantile`` over the draws.
    """
    check_indicator(results, name)
    stored = getattr(results, "quantiles", None)
    if stored is not None:
        array = stored(name, FAN_QUANTILES).transpose("quantile", "year")
        return Fan(np.asarray(array["year"].values, dtype=int),
                   np.asarray(array.values, dtype=float))
    array = results.dataset[name].transpose("year", "draw")
    return Fan(np.asarray(array["year"].values, dtype=int),
               np.quantile(np.asarray(array.values, dtype=float), FAN_QUANTILES, axis=1))


@dataclass(frozen=True)
class EvidenceRow:
    """One published figure behind an indicator, and whether it sits on the indicator's scale.

    ``value`` is the figure in the indicator's unit when ``plotted``, else ``None`` (a rate, or a
    level in a unit that does not convert).
    """

    evidence: Evidence
    value: float | None

    @property
    def plotted(self) -> bool:
        """Whether the figure is drawn on the fan chart."""
        return self.value is not None


def evidence_rows(info: dict[str, Any]) -> list[EvidenceRow]:
    """Every evidence row of an indicator, with its value in the indicator's unit where it has one.

    Only ``level`` rows whose unit converts to the indicator's unit get a value; rows on another
    definition keep their own indicator name (``Evidence.indicator``) so the chart can say so.
    """
    rows = list(info.get("evidence") or [])
    if info.get("base_observed"):
        rows.append(info["base_observed"])
    out: list[EvidenceRow] = []
    seen: set[tuple] = set()
    for row in rows:
        evidence = Evidence(**row)
        key = (evidence.file, evidence.line, evidence.indicator, evidence.kind, evidence.year)
        if key in seen:
            continue
        seen.add(key)
        value = None
        if evidence.kind == "level":
            try:
                value = evidence.value_in(info["unit"])
            except DataError:
                value = None
        out.append(EvidenceRow(evidence, value))
    return out


_URL = re.compile(r"https?://[^\s<>\"')]+")


def short_source(source: str, width: int = 60) -> str:
    """A short name for a source: a URL's host, or the text before its first comma or bracket."""
    match = _URL.match(source.strip())
    if match:
        host = re.sub(r"^https?://", "", match.group(0)).split("/")[0]
        return host.removeprefix("www.")
    text = re.split(r" \(|, ", source.strip(), maxsplit=1)[0]
    if len(text) <= width:
        return text
    return text[: width].rsplit(" ", 1)[0] + "\u2026"


def urls(text: str) -> list[str]:
    """The http(s) links in a source text."""
    return [m.group(0).rstrip(".,;") for m in _URL.finditer(text)]


@dataclass(frozen=True)
class TargetMark:
    """Where a target sits on its indicator's fan chart.

    ``shape`` is ``level`` (the threshold in a year), ``pace`` (the path a period target requires
    from the median of the year before the period) or ``sum`` (the yearly value that, held over
    the period, just reaches a cumulative target).
    """

    target: Target
    shape: str
    years: tuple[int, ...]
    values: tuple[float, ...]


def target_marks(results, name: str, fan_: Fan | None = None) -> list[TargetMark]:
    """The targets on indicator ``name``, placed on its scale."""
    fan_ = fan(results, name) if fan_ is None else fan_
    marks = []
    for target in results.targets:
        if target.indicator != name:
            continue
        if target.kind == "level":
            marks.append(TargetMark(target, "level", (target.year,), (target.threshold,)))
            continue
        years = np.arange(target.first_year - 1, target.last_year + 1)
        steps = years - years[0]
        if target.kind == "cumulative":
            average = target.threshold / (target.last_year - target.first_year + 1)
            marks.append(TargetMark(target, "sum", tuple(int(y) for y in years[1:]),
                                    tuple(float(average) for _ in years[1:])))
            continue
        start = fan_.at(int(years[0]))
        if target.kind == "average_change":
            values = start + target.threshold * steps
        else:
            values = start * (1.0 + target.threshold) ** steps
        marks.append(TargetMark(target, "pace", tuple(int(y) for y in years),
                                tuple(float(v) for v in values)))
    return marks


@dataclass(frozen=True)
class RateRow:
    """The yearly rate a target requires against the rate history shows.

    ``kind`` (``growth`` or ``change``) is the scale of the required rate; ``comparable`` says
    whether the historical rate is on the same scale (it is ``None`` where history gives none).
    """

    target: Target
    label: str
    required: float | None
    historical: float | None
    kind: str
    historical_kind: str
    unit: str

    @property
    def comparable(self) -> bool:
        """Whether required and historical rates can share one axis."""
        return self.historical is not None and self.kind == self.historical_kind


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def rate_rows(results, lang: str = "en") -> list[RateRow]:
    """One :class:`RateRow` per target, in the scenario's order."""
    rows = []
    for target, record in zip(results.targets, results.records()):
        info = results.indicator_info(target.indicator)
        if target.kind in ("average_change", "growth"):
            kind = "change" if target.kind == "average_change" else "growth"
        elif target.kind == "cumulative":
            kind = "growth"
        else:
            kind = info["rate_kind"]
        rows.append(RateRow(target, label_of(target.label, target.id, lang),
                            _finite(record["required_rate"]), _finite(record["historical_rate"]),
                            kind, info["rate_kind"], info["unit"]))
    return rows


def run_names(runs) -> list[str]:
    """Scenario names of several runs, made distinct (``base``, ``base (2)``) where they repeat."""
    names: list[str] = []
    for run in runs:
        name, k = run.scenario_name, 2
        while name in names:
            name, k = f"{run.scenario_name} ({k})", k + 1
        names.append(name)
    return names
