"""The mid-plan update's part of the report: the monitoring labels, required against observed
rates, and the probability path over the as-of years (en and vi)."""

from __future__ import annotations

import math
from typing import Any

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Mid-plan update: the odds as the years come in",
        "intro": ("Figures observed up to {as_of} condition the model: its parameters are "
                  "calibrated again with them and the simulated paths pass through them within "
                  "their reporting error. Effective sample size: {ess} of {draws} draws."),
        "col_target": "Target", "col_label": "Label", "col_probability": "Probability now",
        "col_base": "At the base year ({year})", "col_change": "Change",
        "col_required": "Required from the last observed year",
        "col_observed": "Observed so far",
        "labels_note": ("On track: probability at least {on} %; off track: below {off} %; at "
                        "risk between (thresholds declared in the scenario under monitoring)."),
        "path_heading": "Probability path",
        "path_alt": "Probability of each target as of each year",
        "path_axis": "probability (%)", "year_axis": "figures observed up to",
        "on track": "on track", "at risk": "at risk", "off track": "off track",
        "path_sentence": "P({target}): {steps}", "step": "{p} in {year}",
        "observed_heading": "Figures observed since the base year",
        "read": "read by the calibration", "weighted": "weighted (re-sampled)",
    },
    "vi": {
        "heading": "Cập nhật giữa kỳ: xác suất theo các năm đã có số liệu",
        "intro": ("Số liệu thực hiện đến năm {as_of} được đưa vào mô hình: các tham số được "
                  "hiệu chỉnh lại và các đường mô phỏng đi qua số liệu trong phạm vi sai số "
                  "báo cáo. Cỡ mẫu hiệu dụng: {ess} trên {draws} lần mô phỏng."),
        "col_target": "Chỉ tiêu", "col_label": "Đánh giá", "col_probability": "Xác suất hiện nay",
        "col_base": "Tại năm gốc ({year})", "col_change": "Thay đổi",
        "col_required": "Tốc độ cần đạt từ năm có số liệu gần nhất",
        "col_observed": "Tốc độ thực hiện",
        "labels_note": ("Đúng tiến độ: xác suất từ {on} % trở lên; chệch hướng: dưới {off} %; "
                        "có nguy cơ: ở giữa (ngưỡng khai báo trong kịch bản, mục monitoring)."),
        "path_heading": "Diễn biến xác suất",
        "path_alt": "Xác suất đạt từng chỉ tiêu theo năm có số liệu",
        "path_axis": "xác suất (%)", "year_axis": "số liệu đến năm",
        "on track": "đúng tiến độ", "at risk": "có nguy cơ", "off track": "chệch hướng",
        "path_sentence": "P({target}): {steps}", "step": "{p} năm {year}",
        "observed_heading": "Số liệu thực hiện sau năm gốc",
        "read": "dùng trong hiệu chỉnh", "weighted": "gán trọng số (lấy mẫu lại)",
    },
}


def _percent(p: float, lang: str, decimals: int = 0) -> str:
    text = f"{100 * p:.{decimals}f} %"
    return text.replace(".", ",") if lang == "vi" else text


def _number(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "vi" else text


def _rate(value: float | None, kind: str, unit: str, lang: str) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if kind == "growth":
        text = f"{100 * value:+.1f} %/yr"
    elif unit == "share":
        text = f"{100 * value:+.2f} pts/yr"
    else:
        text = f"{value:+.3g} {unit}/yr"
    if lang == "vi":
        text = text.replace(".", ",").replace("/yr", "/năm").replace("pts", "điểm %")
    return text


def path_chart(answer, *, lang: str = "en"):
    """The probability of every target as of each year (a matplotlib Figure)."""
    from forecast.report.style import SERIES, chart_style, new_axes

    words = WORDS[lang]
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
                ax.annotate(_percent(yi / 100, lang), (xi, yi), textcoords="offset points",
                            xytext=(4, 6), fontsize=8, color=colour)
        ax.set_ylim(0, 100)
        ax.set_xticks(years)
        ax.set_ylabel(words["path_axis"])
        ax.set_xlabel(words["year_axis"])
        ax.text(years[0], 100 * monitoring.on_track + 2, words["on track"], fontsize=8)
        ax.text(years[0], 100 * monitoring.off_track - 7, words["off track"], fontsize=8)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    return figure


def path_sentences(answer, lang: str = "en") -> list[str]:
    """``P(target): 49 % in 2020 → 41 % in 2022`` per target."""
    words = WORDS[lang]
    steps: dict[str, list[str]] = {}
    for r in answer.path_records():
        steps.setdefault(r["target"], []).append(
            words["step"].format(p=_percent(r["probability"], lang), year=r["as_of"]))
    return [words["path_sentence"].format(target=t, steps=" → ".join(s))
            for t, s in steps.items()]


def section(answer, lang: str = "en") -> str:
    """The update's section of the report, as HTML."""
    import base64

    from markupsafe import escape

    from forecast.report.style import figure_bytes

    words = WORDS[lang]
    results = answer.results
    monitoring = answer.scenario.monitoring
    changes = {c["target"]: c for c in answer.changes()}
    svg = figure_bytes(path_chart(answer, lang=lang), "svg")
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    rows = []
    for t in results.summary.targets:
        c = changes[t.id]
        required = ("–" if t.observed_year is None else
                    f"{_rate(t.required_from_observed, t.rate_kind, t.unit, lang)} "
                    f"({t.observed_year})")
        rows.append(
            f"<tr data-target=\"{escape(t.id)}\"><td>{escape(t.id)}</td>"
            f"<td class=\"label\">{escape(words[t.label])}</td>"
            f"<td>{_percent(t.probability, lang, 1)}</td>"
            f"<td>{_percent(c['probability_base_year'], lang, 1)}</td>"
            f"<td>{_percent(c['difference'], lang, 1).replace(' %', ' pts')}</td>"
            f"<td>{escape(required)}</td>"
            f"<td>{escape(_rate(t.observed_rate, t.historical_rate_kind, t.unit, lang))}</td>"
            "</tr>")
    observed = "".join(
        f"<li>{escape(o.indicator)} {o.year}: {o.row.value:g} {escape(o.row.unit)} "
        f"({escape(words['read'] if o.read else words['weighted'])}; "
        f"{escape(o.row.source)})</li>" for o in answer.now.observations)
    head = "".join(f"<th>{escape(words[k])}</th>" for k in (
        "col_target", "col_label", "col_probability")) + \
        f"<th>{escape(words['col_base'].format(year=answer.scenario.base_year))}</th>" + \
        "".join(f"<th>{escape(words[k])}</th>" for k in (
            "col_change", "col_required", "col_observed"))
    sentences = "".join(f"<li>{escape(s)}</li>" for s in path_sentences(answer, lang))
    return (
        f"<section id=\"update\">\n<h2>{escape(words['heading'])}</h2>\n"
        f"<p>{escape(words['intro'].format(as_of=answer.as_of, ess=_number(answer.ess, lang), draws=_number(results.draws, lang)))}</p>\n"
        f"<table class=\"update\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        f"</tbody></table>\n<p class=\"note\">"
        f"{escape(words['labels_note'].format(on=f'{100 * monitoring.on_track:g}', off=f'{100 * monitoring.off_track:g}'))}"
        f"</p>\n<h3>{escape(words['path_heading'])}</h3>\n"
        f"<figure class=\"path\"><img src=\"{uri}\" alt=\"{escape(words['path_alt'])}\">"
        f"<figcaption><ul>{sentences}</ul></figcaption></figure>\n"
        f"<h3>{escape(words['observed_heading'])}</h3>\n<ul>{observed}</ul>\n</section>\n")


def with_update(html: str, answer, lang: str = "en") -> str:
    """The report ``html`` with the update's section after its target table."""
    part = section(answer, lang)
    marker = '<section id="charts">'
    if marker in html:
        return html.replace(marker, part + marker, 1)
    return html.replace("</body>", part + "</body>", 1)


def labels(lang: str) -> dict[str, Any]:
    """The monitoring labels in ``lang``."""
    return {k: WORDS[lang][k] for k in ("on track", "at risk", "off track")}
