"""Every number the tool writes, one formatter per quantity: levels (shares in percent), yearly
rates, target quantities, probabilities with their standard error, model parameters, labels."""

from __future__ import annotations

import math


def format_value(value: float | None, unit: str) -> str:
    """A level or target quantity in its unit (shares as percent)."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"


def format_rate(rate: float | None, rate_kind: str, unit: str) -> str:
    """A yearly rate: compound growth in %/yr, or a change in points or units per year."""
    if rate is None or not math.isfinite(rate):
        return "–"
    if rate_kind == "growth":
        return f"{100 * rate:+.1f} %/yr"
    if unit == "share":
        return f"{100 * rate:+.2f} pt/yr"
    return f"{rate:+.2f} {unit}/yr"


def format_quantity(value: float | None, scale: str, unit: str) -> str:
    """A target quantity on its kind's scale (:meth:`forecast.spec.targets.TargetKind.
    quantity_scale`): ``value`` (a level or a sum), ``change`` or ``growth`` (a yearly rate)."""
    if scale == "value":
        return format_value(value, unit)
    return format_rate(value, scale, unit)


def format_probability(probability: float, se: float) -> str:
    """``49.6 % ± 0.4`` in percent, with enough decimals to show the standard error."""
    decimals = 1 if 100 * se >= 0.05 or se == 0 else 2
    return f"{100 * probability:.{decimals}f} % ± {100 * se:.{decimals}f}"


def format_number(value: float | None) -> str:
    """A model parameter: four significant digits, thousands separated; '' for None or NaN."""
    if value is None or not math.isfinite(value):
        return ""
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:,.4g}" if abs(value) >= 1000 else f"{value:.4g}"


def label_of(label: str | dict[str, str], fallback: str, lang: str = "en") -> str:
    """The label in ``lang`` (falling back to English, then to ``fallback``)."""
    if isinstance(label, dict):
        return label.get(lang) or label.get("en") or fallback
    return label or fallback
