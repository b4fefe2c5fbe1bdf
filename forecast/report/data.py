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

from forecast.errors import DataError
from forecast.formatting import label_of
from forecast.info import IndicatorInfo
from forecast.io.history import Evidence
from forecast.spec.targets import Target, TargetMark

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


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
    """The fan of indicator ``name``: its quantiles over draws, year by year (exact when the
    draws were kept, from the summary otherwise)."""
    results.indicator_info(name)
    array = results.quantiles(name, FAN_QUANTILES).transpose("quantile", "year")
    return Fan(np.asarray(array["year"].values, dtype=int), np.asarray(array.values, dtype=float))


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


def evidence_rows(info: IndicatorInfo) -> list[EvidenceRow]:
    """Every evidence row of an indicator, with its value in the indicator's unit where it has one.

    Only ``level`` rows whose unit converts to the indicator's unit get a value; rows on another
    definition keep their own indicator name (``Evidence.indicator``) so the chart can say so.
    """
    rows = list(info.evidence) + ([info.base_observed] if info.base_observed else [])
    out: list[EvidenceRow] = []
    seen: set[tuple] = set()
    for evidence in rows:
        key = (evidence.file, evidence.line, evidence.indicator, evidence.kind, evidence.year)
        if key in seen:
            continue
        seen.add(key)
        value = None
        if evidence.kind == "level":
            try:
                value = evidence.value_in(info.unit)
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


def target_marks(results, name: str, fan_: Fan | None = None) -> list[TargetMark]:
    """The targets on indicator ``name``, placed on its scale (:meth:`forecast.spec.targets.
    TargetKind.mark`, from the median of the year before each period)."""
    fan_ = fan(results, name) if fan_ is None else fan_
    return [target.rule.mark(target, fan_.at(target.first_year - 1))
            for target in results.targets if target.indicator == name]


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
    return [RateRow(target, label_of(target.label, target.id, lang), _finite(s.required_rate),
                    _finite(s.historical_rate), s.rate_kind, s.historical_rate_kind, s.unit)
            for target, s in zip(results.targets, results.summary.targets)]
