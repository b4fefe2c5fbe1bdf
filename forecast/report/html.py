"""One self-contained HTML file of one or several runs: what a planner sends.

Everything is inside the file: the charts are SVG images in ``data:`` URIs and the style sheet is
inline, with no script and no link to anything but the data sources' own pages, so the report
opens offline and prints as it shows.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from forecast.formatting import (assumption_text, format_date, format_probability,
                                 format_quantity, format_rate, label_of, number, percent,
                                 significant)
from forecast.messages import message, unit_text
from forecast.report import data
from forecast.results import run_labels
from forecast.report.text import strings

TEMPLATE = "report.html.j2"


def _runs(runs) -> list:
    from forecast.results import Results

    runs = [runs] if isinstance(runs, Results) else list(runs)
    if not runs:
        raise ValueError("no run to report on")
    return runs


def _uri(figure) -> str:
    from forecast.report.style import figure_bytes

    svg = figure_bytes(figure, "svg")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _linked(text: str):
    """``text`` escaped, with its http(s) links made clickable."""
    from markupsafe import Markup, escape

    parts, last = [], 0
    for url in data.urls(text):
        start = text.index(url, last)
        parts.append(escape(text[last:start]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = start + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _meta(run, name: str, lang: str) -> dict[str, str]:
    attrs = run.provenance
    return {"name": name, "region": str(attrs.get("region", "")),
            "created": format_date(str(attrs.get("created", "")), lang),
            "created_iso": str(attrs.get("created", ""))[:10], "seed": str(run.seed),
            "draws": number(run.draws, 0, lang), "version": str(attrs.get("forecast_version", "")),
            "sha": str(attrs.get("scenario_sha256", ""))}


def _probability(p: float, se: float, lang: str) -> str:
    return format_probability(p, se, lang)


def _target_rows(run, lang: str) -> list[dict[str, Any]]:
    words = strings(lang)
    rows = []
    for target, summary, rate in zip(run.targets, run.summary.targets, data.rate_rows(run, lang)):

        def quantity(value, s=summary):
            return format_quantity(value, s.quantity_scale, s.unit, lang)

        rows.append({
            "id": target.id, "label": rate.label,
            "probability": _probability(summary.probability, summary.probability_se, lang),
            "median": quantity(summary.median),
            "interval": f"{quantity(summary.p05)} \u2013 {quantity(summary.p95)}",
            "required": format_rate(rate.required, rate.kind, rate.unit, lang),
            "historical": format_rate(rate.historical, rate.historical_kind, rate.unit, lang),
            "dagger": "\u2020" if summary.rests_on_assumptions else "",
            "assumed": words["assumed_mark"] if summary.assumed else ""})
    return rows


def _comparison_rows(runs, lang: str) -> list[dict[str, Any]]:
    words = strings(lang)
    from forecast.results import shared_targets

    targets, shared, _ = shared_targets(runs)  # an id of another region's target is not it
    by_run = [{s.id: s for s in run.summary.targets if s.id in ids}
              for run, ids in zip(runs, shared)]
    rows = []
    for target_id, target in targets.items():
        cells = [_probability(r[target_id].probability, r[target_id].probability_se, lang)
                 if target_id in r else "\u2013" for r in by_run]
        rows.append({"label": label_of(target.label, target_id, lang), "cells": cells})
    joint = [_probability(run.summary.joint_probability, run.summary.joint_probability_se, lang)
             for run in runs]
    rows.append({"label": words["all_targets"], "cells": joint})
    return rows


def _assumption_items(run, lang: str, skip: Sequence[Any] = ()) -> dict[str, list]:
    out: dict[str, list] = {"levels": [], "priors": []}
    for item in run.assumptions():
        if item in skip:
            continue
        info = run.indicator_info(item.indicator)
        unit = info.unit if item.level else None
        declared, reading = assumption_text(item.distribution, lang, unit=unit)
        out["levels" if item.level else "priors"].append({
            "indicator": label_of(info.label, item.indicator, lang), "key": item.key,
            "distribution": declared, "reading": reading, "why": item.why})
    return out


def _input_label(run, key: str, lang: str) -> str:
    """``Poverty rate: base`` for ``poverty_rate.base`` (the indicator's label in ``lang``)."""
    indicator, _, setting = key.partition(".")
    if indicator in run.info:
        return f"{label_of(run.info[indicator].label, indicator, lang)}: {setting}"
    return key


def _driver_rows(run, lang: str) -> list[dict[str, Any]]:
    """Per target: what drives it in this run and how much rests on assumptions."""
    rows = []
    for target, summary in zip(run.targets, run.summary.targets):
        if summary.drivers is None:
            continue
        drivers = []
        for d in summary.drivers:
            unit = run.info[d.input.split(".")[0]].unit if d.input.endswith(".base") and \
                d.input.split(".")[0] in run.info else None
            drivers.append(message(
                "driver_words", lang, input=_input_label(run, d.input, lang),
                origin=message(f"origin_{d.origin}", lang) if f"origin_{d.origin}" in
                strings(lang) else d.origin,
                low=percent(d.low_probability, 0, lang),
                low_value=_reading_value(d.low_value, unit, lang),
                high=percent(d.high_probability, 0, lang),
                high_value=_reading_value(d.high_value, unit, lang)))
        rows.append({"id": target.id, "label": label_of(target.label, target.id, lang),
                     "share": message("assumption_share", lang,
                                      share=percent(summary.assumption_share or 0.0, 0, lang)),
                     "mostly": summary.rests_on_assumptions, "drivers": drivers})
    return rows


def _reading_value(value: float, unit: str | None, lang: str) -> str:
    if unit == "share":
        return f"{significant(100 * value, 3, lang)} %"
    return significant(value, 3, lang)


def _at_least_rows(run, lang: str) -> list[dict[str, str]]:
    summary = run.summary
    n = len(summary.at_least)
    return [{"label": message("at_least_row", lang, k=k, n=n),
             "probability": format_probability(p, se, lang)}
            for k, (p, se) in enumerate(zip(summary.at_least, summary.at_least_se), start=1)]


def _box_sentence(target: str, box: dict[str, Any], lang: str) -> str:
    rate = percent(box["miss_rate"], 0, lang)
    if not box["limits"]:
        return message("box_none", lang, target=target, rate=rate)
    conditions = []
    for limit in box["limits"]:
        name, low, high = limit["input"], limit["low"], limit["high"]
        if low is not None and high is not None:
            conditions.append(f"{significant(low, 3, lang)} < {name} < "
                              f"{significant(high, 3, lang)}")
        elif low is not None:
            conditions.append(f"{name} > {significant(low, 3, lang)}")
        else:
            conditions.append(f"{name} < {significant(high, 3, lang)}")
    return message("box_sentence", lang, target=target, rate=rate,
                   density=percent(box["density"], 0, lang),
                   conditions=message("and", lang).join(conditions),
                   mass=percent(box["mass"], 0, lang), coverage=percent(box["coverage"], 0, lang))


def _sensitivity(run, analysis: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """Per target of the saved sensitivity analysis: its dominant input's probability curve and
    where it misses."""
    if not analysis:
        return []
    from forecast.report.plots import curve_chart

    out = []
    labels = {t.id: label_of(t.label, t.id, lang) for t in run.targets}
    for target, entry in analysis.get("targets", {}).items():
        curves = entry.get("curves") or []
        box = entry.get("scenario_discovery")
        label = labels.get(target, target)
        item = {"id": target, "label": label, "uri": None, "alt": "",
                "sentence": _box_sentence(target, box, lang) if box else ""}
        if curves:
            ax = curve_chart(curves[0], label, lang=lang)
            item["uri"] = _uri(ax.figure)
            item["alt"] = message("curve_title", lang, target=label, input=curves[0]["input"])
        out.append(item)
    return out


def _plan(run, answer: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The saved answer of ``forecast plan``: the sentence, the lever settings and each chosen
    target's probability at them."""
    if not answer:
        return None
    labels = {t.id: label_of(t.label, t.id, lang) for t in run.targets}
    chosen = message("and", lang).join(labels.get(t, t) for t in answer["targets"])
    wanted = percent(answer["probability"], 0, lang)
    key = ("plan_feasible_joint" if answer["joint"] else "plan_feasible") if answer["feasible"] \
        else "plan_infeasible"
    sentence = message(key, lang, targets=chosen, p=wanted,
                       cost=significant(answer["cost"], 4, lang))
    levers = [{"name": name, "value": significant(value, 4, lang)}
              for name, value in answer["setting"].items()]
    outcomes = [{"label": labels.get(o["target"], o["target"]),
                 "probability": _probability(o["probability"], o["probability_se"], lang)}
                for o in answer["outcomes"]]
    return {"sentence": sentence, "levers": levers, "outcomes": outcomes,
            "note": message("plan_note", lang, draws=number(answer["draws"], 0, lang),
                            seed=answer["seed"])}


def _figure_text(evidence, lang: str) -> str:
    words = strings(lang)
    years = f"{evidence.year}" + (f"\u2013{evidence.year_end}" if evidence.year_end else "")
    value = f"{significant(evidence.value, 10, lang)} {unit_text(evidence.unit, lang)}"
    return f"{years}, {words['kind_' + evidence.kind]}: {value}"


def _fans(runs, lang: str) -> list[dict[str, Any]]:
    from forecast.report.plots import fan_chart

    words = strings(lang)
    first, others = runs[0], runs[1:]
    fans = []
    for name in first.indicators:
        info = first.indicator_info(name)
        ax = fan_chart(first, name, lang=lang, others=others)
        label = label_of(info.label, name, lang)
        evidence = [{"text": _figure_text(row.evidence, lang),
                     "definition": row.evidence.indicator if row.evidence.indicator != name else "",
                     "source": data.short_source(row.evidence.source),
                     "plotted": words["plotted"] if row.plotted else words["not_plotted"]}
                    for row in data.evidence_rows(info)]
        fans.append({"indicator": name, "label": label, "uri": _uri(ax.figure),
                     "evidence": evidence})
    return fans


def _sources(runs, lang: str) -> dict[str, list]:
    figures: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    for run in runs:
        for name in run.indicators:
            for row in data.evidence_rows(run.indicator_info(name)):
                text = f"{row.evidence.indicator}, {_figure_text(row.evidence, lang)}"
                entries = figures.setdefault(row.evidence.source, [])
                if text not in entries:
                    entries.append(text)
        for target in run.targets:
            entries = targets.setdefault(target.source, [])
            if target.id not in entries:
                entries.append(target.id)
    return {"data": [{"text": _linked(s), "figures": f} for s, f in figures.items()],
            "targets": [{"text": _linked(s), "figures": f} for s, f in targets.items()]}


def _context(runs, lang: str, sensitivity: dict[str, Any] | None = None,
             plan: dict[str, Any] | None = None) -> dict[str, Any]:
    from forecast.report.plots import comparison_chart, rate_chart, target_panel

    words = strings(lang)
    first = runs[0]
    names = run_labels(runs)
    charts = []
    if len(runs) > 1:
        charts.append({"id": "comparison", "alt": words["compare_title"],
                       "uri": _uri(comparison_chart(runs, lang=lang).figure)})
    else:
        charts.append({"id": "targets", "alt": words["targets_title"],
                       "uri": _uri(target_panel(first, lang=lang).figure)})
    charts.append({"id": "rates", "alt": words["rates_title"],
                   "uri": _uri(rate_chart(first, lang=lang)[0].figure)})
    assumptions = [dict(name=names[0], **_assumption_items(first, lang))]
    for run, name in zip(runs[1:], names[1:]):
        assumptions.append(dict(name=name, **_assumption_items(run, lang, first.assumptions())))
    return {
        "lang": lang, "w": words, "runs": [_meta(r, n, lang) for r, n in zip(runs, names)],
        "region": _meta(first, names[0], lang)["region"],
        "joint": words["joint_sentence"].format(n=len(first.targets), p=_probability(
            first.summary.joint_probability, first.summary.joint_probability_se, lang)),
        "targets": _target_rows(first, lang),
        "at_least": _at_least_rows(first, lang),
        "at_least_note": message("at_least_note", lang, n=len(first.targets)),
        "drivers": _driver_rows(first, lang),
        "drivers_missing": not first.draws_kept,
        "sensitivity": _sensitivity(first, sensitivity, lang),
        "plan": _plan(first, plan, lang),
        "comparison": _comparison_rows(runs, lang) if len(runs) > 1 else [],
        "charts": charts, "fans": _fans(runs, lang), "assumptions": assumptions,
        "sources": _sources(runs, lang),
        "how": [p.format(draws=number(first.draws, 0, lang)) for p in words["how_text"]],
    }


def render_report(runs, *, lang: str = "en", sensitivity: dict[str, Any] | None = None,
                  plan: dict[str, Any] | None = None) -> str:
    """The report of one run, or of several runs compared, as one HTML document.

    The first run is the reference: its targets fill the table, its fan charts carry the other
    runs' medians, and the other runs list only the assumptions in which they differ from it.

    Parameters
    ----------
    runs : Results or sequence of Results
        The run or runs.
    lang : {"en", "vi"}
        Language of every word the report writes (indicator and target labels come from the
        scenario; reasons for assumptions and source names are shown as written there).
    sensitivity : dict, optional
        The ``sensitivity.json`` of the first run's scenario (``forecast sensitivity``): adds
        its conditional probability curves and where each target misses.
    plan : dict, optional
        The ``plan.json`` of ``forecast plan``: adds "What it would take" (the cheapest lever
        setting, its cost, and each chosen target's probability there, or that none exists).

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    InputError
        If ``lang`` is unknown.
    """
    import importlib.resources

    import jinja2

    strings(lang)
    runs = _runs(runs)
    template_text = importlib.resources.files(__package__).joinpath(TEMPLATE).read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(template_text).render(**_context(runs, lang, sensitivity, plan))
