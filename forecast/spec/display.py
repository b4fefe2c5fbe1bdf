"""How a :class:`~forecast.spec.scenario.Scenario` shows itself: a few lines for ``repr`` and
an HTML summary with its targets for notebooks, in either language of the message catalog."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forecast.spec.scenario import Scenario


def _names(items: Any) -> str:
    items = list(items)
    text = ", ".join(items[:6]) + (", ..." if len(items) > 6 else "")
    return text if len(text) < 80 else text[:76] + " ..."


def lines(scenario: "Scenario", lang: str = "en") -> list[str]:
    """The scenario in a few short lines: name and region, period, draws and seed, indicators,
    targets, levers and where its history comes from.

    Parameters
    ----------
    scenario : Scenario
    lang : {"en", "vi"}
        Language of the words and numbers.

    Returns
    -------
    list of str
    """
    from forecast.formatting import number
    from forecast.messages import message

    out = [message("nb_scenario", lang, name=scenario.name, region=scenario.region),
           "  " + message("nb_period", lang, base=scenario.base_year,
                          first=scenario.base_year + 1, last=scenario.horizon,
                          draws=number(scenario.draws, 0, lang), seed=scenario.seed),
           "  " + message("nb_indicators", lang, n=len(scenario.indicators),
                          names=_names(scenario.indicators)),
           "  " + message("nb_targets", lang, n=len(scenario.targets),
                          names=_names(t.id for t in scenario.targets))]
    if scenario.levers:
        out.append("  " + message("nb_levers", lang, n=len(scenario.levers),
                                  names=_names(scenario.levers)))
    history = scenario._history
    if history is not None:
        out.append("  " + message("nb_history_rows", lang, n=len(history.rows),
                                  name=history.file))
    else:
        out.append("  " + message("nb_history_file", lang, file=Path(scenario.history).name))
    return out


def html(scenario: "Scenario", lang: str = "en") -> str:
    """The lines of :func:`lines`, then a table of the targets: id and label, indicator, kind,
    year or period, threshold in the indicator's unit.

    Parameters
    ----------
    scenario : Scenario
    lang : {"en", "vi"}
        Language of the words and numbers.

    Returns
    -------
    str
        An HTML fragment (every text from the scenario escaped).
    """
    from forecast.formatting import format_value, label_of
    from forecast.messages import CATALOG, message, unit_text

    text = lines(scenario, lang)
    head = [message(k, lang) for k in ("col_target", "nb_indicator", "nb_kind", "nb_when",
                                       "nb_threshold")]
    rows = []
    for t in scenario.targets:
        unit = getattr(scenario.indicators.get(t.indicator), "unit", "")
        kind = message(f"kind_{t.kind}", lang) if f"kind_{t.kind}" in CATALOG else t.kind
        when = str(t.year) if t.year is not None else f"{t.first_year}\u2013{t.last_year}"
        op = message("at_least" if t.at_least is not None else "at_most", lang)
        value = format_value(float(t.threshold), unit, lang)
        shown_unit = "" if unit == "share" else f" {unit_text(unit, lang)}"
        rows.append([f"{escape(t.id)}<br><small>{escape(label_of(t.label, '', lang))}</small>",
                     escape(t.indicator), escape(kind), when,
                     f"{op} {escape(value + shown_unit)}"])
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<div><strong>{escape(text[0])}</strong><br>"
            + "<br>".join(escape(line.strip()) for line in text[1:])
            + "<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
            + f"</tr></thead><tbody>{cells}</tbody></table></div>")


__all__ = ["html", "lines"]
