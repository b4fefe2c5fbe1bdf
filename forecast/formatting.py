"""Every number the tool writes, one formatter per quantity, in each language (Babel): levels
(shares in percent), yearly rates, target quantities, probabilities with their standard error,
model parameters, dates, distributions and their plain reading, labels.

``lang`` is ``en`` (``1,234.5``) or ``vi`` (``1.234,5``, locale ``vi_VN``); words and units come
from the message catalog (:mod:`forecast.messages`).
"""

from __future__ import annotations

import datetime
import math
import re
from functools import lru_cache

from forecast.messages import LOCALES, check_language, message, unit_text


@lru_cache(maxsize=None)
def _pattern(decimals: int, group: bool, sign: bool) -> str:
    body = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals else "")
    return f"+{body};-{body}" if sign else body


def number(value: float, decimals: int = 0, lang: str = "en", *, group: bool = True,
           sign: bool = False) -> str:
    """``value`` with ``decimals`` decimals (thousands grouped unless ``group`` is false, a
    ``+`` for positive values with ``sign``), written for ``lang``; never ``-0``."""
    from babel.numbers import format_decimal

    check_language(lang)
    value = float(value)
    if round(value, decimals) == 0:
        value = 0.0
    return format_decimal(value, format=_pattern(decimals, group, sign), locale=LOCALES[lang],
                          decimal_quantization=True)


def significant(value: float, digits: int = 3, lang: str = "en", *, group: bool = True) -> str:
    """``value`` to ``digits`` significant digits (no trailing zeros), written for ``lang``."""
    from babel.numbers import format_decimal

    check_language(lang)
    value = float(value)
    if not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(value)))))
    rounded = round(value, decimals)
    body = ("#,##0" if group else "0") + ("." + "#" * decimals if decimals else "")
    return format_decimal(rounded, format=body, locale=LOCALES[lang])


def percent(share: float, decimals: int = 1, lang: str = "en") -> str:
    """A share as ``49.6 %`` (``49,6 %`` in Vietnamese)."""
    return f"{number(100 * share, decimals, lang)} %"


def format_value(value: float | None, unit: str, lang: str = "en") -> str:
    """A level or target quantity in its unit (shares as percent)."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "share":
        return percent(value, 1, lang)
    if abs(value) >= 100:
        return number(value, 0, lang)
    if abs(value) < 10:
        from babel.numbers import format_decimal

        return format_decimal(round(value, 2) + 0.0, format="#,##0.##", locale=LOCALES[lang])
    return number(value, 1, lang)


def rate_unit(rate_kind: str, unit: str, lang: str = "en") -> str:
    """The unit of a yearly rate: ``%/yr``, ``pt/yr`` or ``<unit>/yr`` (``%/năm``,
    ``điểm/năm``, ``xã/năm`` in Vietnamese)."""
    per_year = message("per_year", lang)
    if rate_kind == "growth":
        return f"%{per_year}"
    if unit == "share":
        return f"{message('points', lang)}{per_year}"
    return f"{unit_text(unit, lang)}{per_year}"


def format_rate(rate: float | None, rate_kind: str, unit: str, lang: str = "en") -> str:
    """A yearly rate: compound growth in %/yr, or a change in points or units per year."""
    if rate is None or not math.isfinite(rate):
        return "–"
    if rate_kind == "growth":
        return f"{number(100 * rate, 1, lang, sign=True)} {rate_unit(rate_kind, unit, lang)}"
    if unit == "share":
        return f"{number(100 * rate, 2, lang, sign=True)} {rate_unit(rate_kind, unit, lang)}"
    return f"{number(rate, 2, lang, sign=True)} {rate_unit(rate_kind, unit, lang)}"


def format_quantity(value: float | None, scale: str, unit: str, lang: str = "en") -> str:
    """A target quantity on its kind's scale (:meth:`forecast.spec.targets.TargetKind.
    quantity_scale`): ``value`` (a level or a sum), ``change`` or ``growth`` (a yearly rate)."""
    if scale == "value":
        return format_value(value, unit, lang)
    return format_rate(value, scale, unit, lang)


def format_probability(probability: float, se: float, lang: str = "en") -> str:
    """``49.6 % ± 0.4`` in percent, with enough decimals to show the standard error."""
    decimals = 1 if 100 * se >= 0.05 or se == 0 else 2
    return f"{number(100 * probability, decimals, lang)} % ± {number(100 * se, decimals, lang)}"


def format_number(value: float | None, lang: str = "en") -> str:
    """A model parameter: four significant digits, thousands separated; '' for None or NaN."""
    if value is None or not math.isfinite(value):
        return ""
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        text = f"{value:.3e}"
        return text if lang == "en" else text.replace(".", ",")
    return significant(value, 4, lang, group=abs(value) >= 1000)


def format_date(value: str | datetime.date | datetime.datetime, lang: str = "en") -> str:
    """A date as a reader writes it: ``June 24, 2020``, ``24 tháng 6, 2020``; an ISO text that
    does not parse is returned as given."""
    from babel.dates import format_date as babel_date

    check_language(lang)
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = value.date()
    return babel_date(value, format="long", locale=LOCALES[lang])


def label_of(label: str | dict[str, str], fallback: str, lang: str = "en") -> str:
    """The label in ``lang`` (falling back to English, then to ``fallback``)."""
    if isinstance(label, dict):
        return label.get(lang) or label.get("en") or fallback
    return label or fallback


# -- distributions ------------------------------------------------------------------------

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
_CALL = re.compile(rf"\b([a-z]+)\(((?:{_NUM})(?:, {_NUM})*)\)")
_ARGS = {"uniform": 2, "integers": 2, "normal": 2, "halfnormal": 1, "beta": 2,
         "triangular": 3, "lognormal": 2, "fixed": 1}


def _param(value: str, lang: str) -> str:
    number_value = float(value)
    if number_value.is_integer() and abs(number_value) < 1e15:
        return number(number_value, 0, lang, group=False)
    return significant(number_value, 6, lang, group=False)


def format_distribution(text: str, lang: str = "en") -> str:
    """A distribution as the scenario declares it (``uniform(4000, 4700)``), its numbers
    written for ``lang`` and separated so that a decimal comma is never ambiguous
    (``normal(0,07; 0,03)`` in Vietnamese)."""
    check_language(lang)
    separator = ", " if lang == "en" else "; "

    def call(match: re.Match) -> str:
        args = [_param(a, lang) for a in match.group(2).split(", ")]
        return f"{match.group(1)}({separator.join(args)})"

    out = _CALL.sub(call, text)
    if lang != "en":
        out = re.sub(r" x ", " \u00d7 ", out)
        out = re.sub(rf"(?<![\w(.,;]){_NUM}(?![\w)])",
                     lambda m: _param(m.group(0), lang) if not m.group(0).isdigit() else
                     m.group(0), out)
    return out


def _declared(name: str, args: list[float]):
    """The declared distribution a description names (its ``ppf`` gives ``scipy.stats``'
    numbers without importing it), or None."""
    from forecast.spec import distributions as d

    try:
        return _declared_as(d, name, args, {"why": "read from its description"})
    except ValueError:  # parameters the description rounded out of their range
        return None


def _declared_as(d, name: str, args: list[float], why: dict):
    if name == "normal":
        return d.Normal(dist="normal", loc=args[0], scale=args[1], **why)
    if name == "halfnormal":
        return d.HalfNormal(dist="halfnormal", scale=args[0], **why)
    if name == "beta":
        return d.Beta(dist="beta", a=args[0], b=args[1], **why)
    if name == "lognormal":
        return d.LogNormal(dist="lognormal", mu=args[0], sigma=args[1], **why)
    if name == "triangular":
        return d.Triangular(dist="triangular", low=args[0], mode=args[1], high=args[2], **why)
    return None


def _value(value: float, unit: str | None, lang: str) -> str:
    if unit == "share":
        return f"{significant(100 * value, 2, lang)} %"
    return significant(value, 2 if abs(value) < 1 else 3, lang)


def plain_reading(text: str, lang: str = "en", *, unit: str | None = None) -> str:
    """What a declared distribution says, in words: ``beta(2, 7)`` -> ``most likely about 0.21,
    rarely above 0.48``; ``uniform(0.06, 0.14)`` of a share -> ``any value from 6 % to 14 %,
    all equally likely``. '' for a description it cannot read."""
    check_language(lang)
    text = text.strip()
    pooled = re.fullmatch(r"pooled (\S+) = (.*)", text)
    if pooled:
        inner = plain_reading(pooled.group(2), lang, unit=unit)
        prefix = message("read_pooled", lang, name=pooled.group(1))
        return f"{inner} ({prefix})" if inner else prefix
    lever = re.fullmatch(rf"lever (\w+) = ({_NUM})(?: (.*))?", text)
    if lever:
        value = significant(float(lever.group(2)), 4, lang)
        if lever.group(3):
            value += " " + unit_text(lever.group(3), lang)
        return message("read_lever", lang, name=lever.group(1), value=value)
    shock = re.fullmatch(rf"({_NUM}) in (\d{{4}})", text)
    if shock:
        return message("read_shock_year", lang, size=number(float(shock.group(1)), 2, lang,
                                                              sign=True), year=shock.group(2))
    rare = re.fullmatch(rf"(.*) with probability ({_NUM}) a year", text)
    if rare:
        return message("read_shock_rare", lang, p=percent(float(rare.group(2)), 0, lang),
                       size=plain_reading(rare.group(1), lang) or
                       format_distribution(rare.group(1), lang))
    if " x " in text:
        return message("read_relation", lang)
    call = _CALL.fullmatch(text)
    if call is None:
        return ""
    name, args = call.group(1), [float(a) for a in call.group(2).split(", ")]
    if _ARGS.get(name) != len(args):
        return ""
    if name == "fixed":
        return message("read_fixed", lang, value=_value(args[0], unit, lang))
    if name in ("uniform", "integers"):
        return message(f"read_{name}", lang, low=_value(args[0], unit, lang),
                       high=_value(args[1], unit, lang))
    dist = _declared(name, args)
    if dist is None:
        return ""
    low, median, high = (float(v) for v in dist.ppf([0.05, 0.5, 0.95]))
    lower_bound = float(dist.bounds()[0])
    if name in ("halfnormal", "lognormal") or (math.isfinite(lower_bound) and lower_bound == 0
                                               and low < 0.25 * median):
        return message("read_one_sided", lang, median=_value(median, unit, lang),
                       high=_value(high, unit, lang))
    return message("read_two_sided", lang, median=_value(median, unit, lang),
                   low=_value(low, unit, lang), high=_value(high, unit, lang))


def assumption_text(text: str, lang: str = "en", *, unit: str | None = None) -> tuple[str, str]:
    """``(declared, reading)`` of an assumption's distribution: the declaration as the scenario
    writes it, numbers written for ``lang`` (empty when the reading says it all: a lever's value
    or a shock in words), and its :func:`plain_reading`."""
    reading = plain_reading(text, lang, unit=unit)
    words_only = re.fullmatch(rf"lever .*|{_NUM} in \d{{4}}|.* with probability .*", text.strip())
    if lang != "en" and words_only:
        return "", reading
    declared = format_distribution(text, lang)
    if lang != "en":
        declared = declared.replace("^years", f"^({message('years_exponent', lang)})")
    return declared, reading


__all__ = ["assumption_text", "format_date", "format_distribution", "format_number", "format_probability",
           "format_quantity", "format_rate", "format_value", "label_of", "number", "percent",
           "plain_reading", "rate_unit", "significant"]
