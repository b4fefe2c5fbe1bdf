"""The mid-plan update's part of the report: the monitoring labels, required against observed
rates, and the probability path over the as-of years (en and vi)."""

from __future__ import annotations

from typing import Any

from forecast.formatting import format_rate, number, percent, significant
from forecast.messages import message, unit_text

_LABEL_KEYS = {"on track": "t_on_track", "at risk": "t_at_risk", "off track": "t_off_track"}
"""The catalog key of each monitoring label an update gives a target."""


def path_chart(answer, *, lang: str = "en"):
    """The probability of every target as of each year (a matplotlib Figure)."""
    from forecast.report.style import SERIES, chart_style, new_axes

    monitoring = answer.scenario.monitoring
    records = answer.path_records()
    with chart_style():
        figure, ax = new_axes(None, (6.4, 3.2))
        years = sorted({r["as_of"] for r in records})
        ax.axhspan(100 * monitoring.on_track, 100, color="#009E73", alpha=0.08, lw=0)
        ax.axhspan(0, 100 * monitoring.off_track, color="#D55E00", alpha=0.08, lw=0)
        for position, target in enumerate(dict.fromkeys(r["target"] for r in records)):
            mine = [r for r in records if r["target"] == target]
            x = [r["as_of"] for r in mine]
            y = [100 * r["probability"] for r in mine]
            e = [196 * r["probability_se"] for r in mine]
            colour = SERIES[position % len(SERIES)]
            ax.errorbar(x, y, yerr=e, marker="o", color=colour, capsize=3, label=target)
            for xi, yi in zip(x, y):
                ax.annotate(percent(yi / 100, 0, lang), (xi, yi), textcoords="offset points",
                            xytext=(4, 6), fontsize=8, color=colour)
        ax.set_ylim(0, 100)
        ax.set_xticks(years)
        ax.set_ylabel(message("up_path_axis", lang))
        ax.set_xlabel(message("up_year_axis", lang))
        ax.text(years[0], 100 * monitoring.on_track + 2, message("t_on_track", lang), fontsize=8)
        ax.text(years[0], 100 * monitoring.off_track - 7, message("t_off_track", lang),
                fontsize=8)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    return figure


def path_sentences(answer, lang: str = "en") -> list[str]:
    """``P(target): 49 % in 2020 → 41 % in 2022`` per target."""
    steps: dict[str, list[str]] = {}
    for r in answer.path_records():
        steps.setdefault(r["target"], []).append(
            message("t_path_step", lang, p=percent(r["probability"], 0, lang), year=r["as_of"]))
    return [message("up_path_sentence", lang, target=t, steps=" → ".join(s))
            for t, s in steps.items()]


def section(answer, lang: str = "en") -> str:
    """The update's section of the report, as HTML."""
    import base64

    from markupsafe import escape

    from forecast.report.style import figure_bytes

    results = answer.results
    monitoring = answer.scenario.monitoring
    changes = {c["target"]: c for c in answer.changes()}
    svg = figure_bytes(path_chart(answer, lang=lang), "svg")
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    rows = []
    for t in results.summary.targets:
        c = changes[t.id]
        required = ("–" if t.observed_year is None else
                    f"{format_rate(t.required_from_observed, t.rate_kind, t.unit, lang)} "
                    f"({t.observed_year})")
        change = message("up_change", lang,
                         change=number(100 * c["difference"], 1, lang, sign=True))
        rows.append(
            f"<tr data-target=\"{escape(t.id)}\"><td>{escape(t.id)}</td>"
            f"<td class=\"label\">{escape(message(_LABEL_KEYS[t.label], lang))}</td>"
            f"<td>{percent(t.probability, 1, lang)}</td>"
            f"<td>{percent(c['probability_base_year'], 1, lang)}</td>"
            f"<td>{escape(change)}</td>"
            f"<td>{escape(required)}</td>"
            f"<td>{escape(format_rate(t.observed_rate, t.historical_rate_kind, t.unit, lang))}"
            "</td></tr>")
    observed = "".join(
        f"<li>{escape(o.indicator)} {o.year}: {significant(o.row.value, 10, lang)} "
        f"{escape(unit_text(o.row.unit, lang))} "
        f"({escape(message('t_read_by_calibration' if o.read else 'up_weighted', lang))}; "
        f"{escape(o.row.source)})</li>" for o in answer.now.observations)
    head = "".join(f"<th>{escape(message(k, lang))}</th>" for k in (
        "col_target", "up_col_label", "up_col_probability")) + \
        f"<th>{escape(message('up_col_base', lang, year=answer.scenario.base_year))}</th>" + \
        "".join(f"<th>{escape(message(k, lang))}</th>" for k in (
            "up_col_change", "up_col_required", "up_col_observed"))
    sentences = "".join(f"<li>{escape(s)}</li>" for s in path_sentences(answer, lang))
    intro = message("up_intro", lang, as_of=answer.as_of, ess=number(answer.ess, 0, lang),
                    draws=number(results.draws, 0, lang))
    note = message("up_labels_note", lang, on=percent(monitoring.on_track, 0, lang),
                   off=percent(monitoring.off_track, 0, lang))
    return (
        f"<section id=\"update\">\n<h2>{escape(message('up_heading', lang))}</h2>\n"
        f"<p>{escape(intro)}</p>\n"
        f"<table class=\"update\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        f"</tbody></table>\n<p class=\"note\">"
        f"{escape(note)}"
        f"</p>\n<h3>{escape(message('up_path_heading', lang))}</h3>\n"
        f"<figure class=\"path\"><img src=\"{uri}\" "
        f"alt=\"{escape(message('up_path_alt', lang))}\">"
        f"<figcaption><ul>{sentences}</ul></figcaption></figure>\n"
        f"<h3>{escape(message('up_observed_heading', lang))}</h3>\n<ul>{observed}</ul>\n"
        "</section>\n")


def with_update(html: str, answer, lang: str = "en") -> str:
    """The report ``html`` with the update's section after its target table."""
    part = section(answer, lang)
    marker = '<section id="charts">'
    if marker in html:
        return html.replace(marker, part + marker, 1)
    return html.replace("</body>", part + "</body>", 1)


def labels(lang: str) -> dict[str, Any]:
    """The monitoring labels in ``lang``, by the label an update gives a target."""
    return {label: message(key, lang) for label, key in _LABEL_KEYS.items()}
