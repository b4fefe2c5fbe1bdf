"""The four charts of a run: fan chart, target panel, required against historical rate, comparison.

Every function takes :class:`~forecast.results.Results` (or several), draws on ``ax`` when one is
given (else on a new figure of its own) and returns the axes it drew on. ``lang`` picks the
language of every word the chart writes; indicator and target labels come from the scenario.

A figure of its own is made without pyplot (no global figure state, so the command line stays
headless), and it and its axes show themselves in Jupyter: the last expression of a cell,
``fan_chart(results, "output")``, displays the chart as a PNG (:func:`chart_classes`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from forecast.formatting import format_value, label_of
from forecast.report import data
from forecast.results import run_labels
from forecast.report.style import (BLACK, BLUE, HATCHES, LINESTYLES, MARKERS, ORANGE, SERIES, VERMILLION,
                    chart_style, figure_bytes, new_axes, rate_formatter, rate_unit_label, unit_label,
                    value_formatter, value_locator, wrap, year_axis)
from forecast.formatting import number, percent
from forecast.report.text import strings


DISPLAY_DPI = 100
"""Resolution of the PNG a notebook shows."""


@functools.lru_cache(maxsize=1)
def chart_classes() -> tuple[type, type]:
    """The figure and axes classes of a chart drawn on a figure of its own: matplotlib's
    ``Figure`` and ``Axes`` with a ``_repr_png_``, so that IPython shows either as the chart.

    Made on first use, so that importing this module does not import matplotlib.

    Returns
    -------
    (type, type)
        ``ChartFigure`` and ``ChartAxes``.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    def png(figure) -> bytes:
        return figure_bytes(figure, "png", dpi=DISPLAY_DPI)

    class ChartFigure(Figure):
        """A figure that Jupyter shows as a PNG, drawn without pyplot."""

        def _repr_png_(self) -> bytes:
            return png(self)

    class ChartAxes(Axes):
        """Axes that Jupyter shows as their whole figure (a PNG)."""

        def _repr_png_(self) -> bytes:
            return png(self.figure)

    return ChartFigure, ChartAxes


def _new_axes(ax, size: tuple[float, float]):
    """``ax`` and its figure, or a new chart figure of ``size`` inches on the Agg canvas whose
    figure and axes show themselves in Jupyter."""
    if ax is not None:
        return new_axes(ax, size)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure_class, axes_class = chart_classes()
    figure = figure_class(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot(axes_class=axes_class)


def _legend(figure, ax, own_figure: bool, ncols: int = 2) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if own_figure:
        figure.legend(handles, labels, loc="outside lower center", ncols=ncols)
    else:
        ax.legend(handles, labels, loc="best")


def _target_words(target, unit: str, words) -> tuple[str, str]:
    op = words["at_least"] if target.at_least is not None else words["at_most"]
    threshold = float(target.threshold)
    if unit != "share" and threshold.is_integer():
        return op, number(threshold, 0, words["_lang"])      # 16 communes, not 16.0
    return op, format_value(threshold, unit, words["_lang"])


def _draw_targets(ax, marks: list[data.TargetMark], unit: str, words) -> None:
    from forecast.formatting import format_rate

    lang = words["_lang"]
    for mark in marks:
        target = mark.target
        op, value = _target_words(target, unit, words)
        if mark.shape == "level":
            ax.axhline(mark.values[0], color=VERMILLION, lw=1.2, ls=(0, (5, 3)), zorder=3)
            label = words["target_level"].format(year=target.year, op=op, value=value)
            ax.plot(mark.years, mark.values, ls="none", marker="D", ms=8, mfc=VERMILLION,
                    mec=BLACK, zorder=6, label=label)
        elif mark.shape == "pace":
            rate = format_rate(target.threshold, target.rule.quantity_scale(), unit, lang)
            label = words["target_pace"].format(first=target.first_year, last=target.last_year,
                                                op=op, value=rate)
            ax.plot(mark.years, mark.values, color=VERMILLION, lw=1.8, ls=(0, (5, 3)),
                    marker="D", markevery=[len(mark.years) - 1], ms=7, mec=BLACK, zorder=6,
                    label=label)
        else:
            average = format_value(mark.values[0], unit, lang)
            label = words["target_sum"].format(first=target.first_year, last=target.last_year,
                                               op=op, value=value, avg=average)
            ax.plot(mark.years, mark.values, color=VERMILLION, lw=2.2, ls=(0, (1, 1.2)),
                    marker="D", ms=6, mec=BLACK, zorder=6, label=label)


def _words(lang: str) -> dict[str, Any]:
    return dict(strings(lang), _lang=lang)


def fan_chart(results, indicator: str, ax=None, *, lang: str = "en",
              others: Sequence[Any] = ()):
    """The spread of one indicator's simulated paths, year by year.

    Draws the median, the 50 % and 90 % bands from the base year to the horizon, the published
    figures that are on the indicator's scale (level rows whose unit converts, each marked with
    its source and, when it is on another definition, that definition's name), and the
    indicator's targets: a level target as its threshold in its year, a change or growth target
    as the pace it requires from the median, a cumulative target as the yearly value that just
    reaches it.

    Parameters
    ----------
    results : Results
        The run.
    indicator : str
        The indicator's name in the scenario.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure (7 x 4.8 in) if omitted.
    lang : {"en", "vi"}
        Language of the words the chart writes.
    others : sequence of Results
        Other runs whose median to draw on top, for comparison.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; on a figure of its own, they show the chart in Jupyter when they
        are the last expression of a cell (``ax.figure`` too), with no pyplot.

    Raises
    ------
    InputError
        If the run has no such indicator.
    """
    words = _words(lang)
    info = results.indicator_info(indicator)
    unit = info.unit
    fan = data.fan(results, indicator)
    own = ax is None
    with chart_style():
        figure, ax = _new_axes(ax, (7.0, 4.8))
        years, q = fan.years, fan.quantiles
        ax.fill_between(years, q[0], q[4], color=BLUE, alpha=0.2, lw=0, label=words["band90"])
        ax.fill_between(years, q[1], q[3], color=BLUE, alpha=0.5, lw=0, label=words["band50"])
        names = run_labels([results, *others])
        suffix = f" \u2013 {names[0]}" if others else ""
        ax.plot(years, q[2], color=BLACK, lw=2.2, label=words["median"] + suffix, zorder=4)
        for k, other in enumerate(others):
            if indicator in other.indicators:
                other_fan = data.fan(other, indicator)
                ax.plot(other_fan.years, other_fan.median, color=SERIES[(k + 1) % len(SERIES)],
                        lw=2, ls=LINESTYLES[(k + 1) % len(LINESTYLES)], zorder=4,
                        label=f"{words['median']} \u2013 {names[k + 1]}")
        groups: dict[str, list[data.EvidenceRow]] = {}
        for row in data.evidence_rows(info):
            if row.plotted:
                source = data.short_source(row.evidence.source)
                if row.evidence.indicator != indicator:
                    source += f" ({words['definition']}: {row.evidence.indicator})"
                groups.setdefault(source, []).append(row)
        for k, (source, rows) in enumerate(groups.items()):
            ax.plot([r.evidence.year for r in rows], [r.value for r in rows], ls="none",
                    marker=MARKERS[k % len(MARKERS)], ms=7, mfc=ORANGE, mec=BLACK, mew=1.2,
                    zorder=7, label=wrap(f"{words['observed']}: {source}", 60))
        _draw_targets(ax, data.target_marks(results, indicator, fan), unit, words)
        ax.set_title(wrap(label_of(info.label, indicator, lang), 60))
        ax.set_xlabel(words["year"])
        ax.set_ylabel(unit_label(unit, lang))
        year_axis(ax.xaxis)
        ax.yaxis.set_major_locator(value_locator())
        ax.yaxis.set_major_formatter(value_formatter(unit, lang))
        ax.grid(axis="y", color="0.88", lw=0.8)
        ax.set_axisbelow(True)
        _legend(figure, ax, own)
    return ax


def _probability_bars(ax, positions, probabilities, errors, *, color, hatch, height, label,
                      lang) -> None:
    ax.barh(positions, 100 * np.asarray(probabilities), xerr=200 * np.asarray(errors),
            height=height, color=color, edgecolor=BLACK, lw=0.8, hatch=hatch, label=label,
            error_kw={"ecolor": BLACK, "capsize": 3, "lw": 1})
    for y, p, e in zip(positions, probabilities, errors):
        ax.text(min(100 * (p + 2 * e), 100) + 1.5, y, percent(p, 1, lang),
                va="center", ha="left", fontsize=8)


def _probability_axis(ax, positions, labels, words) -> None:
    ax.set_yticks(positions, [wrap(label, 32) for label in labels])
    ax.set_xlim(0, 113)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(f"{words['probability_axis']}\n{words['mc_error']}")
    ax.invert_yaxis()
    ax.grid(axis="x", color="0.88", lw=0.8)
    ax.set_axisbelow(True)


def _joint(results) -> tuple[float, float]:
    return results.summary.joint_probability, results.summary.joint_probability_se


def target_panel(results, ax=None, *, lang: str = "en"):
    """The probability of reaching each target, and all of them together.

    Bars carry error bars of two Monte Carlo standard errors (about a 95 % interval for the
    probability itself); the joint probability is the last, hatched bar.

    Parameters
    ----------
    results : Results
        The run.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    lang : {"en", "vi"}
        Language of the words the chart writes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    words = _words(lang)
    records = results.summary.records()
    labels = [label_of(t.label, t.id, lang) for t in results.targets] + [words["all_targets"]]
    n = len(records)
    with chart_style():
        figure, ax = _new_axes(ax, (7.0, 1.4 + 0.55 * (n + 1)))
        _probability_bars(ax, np.arange(n), [r["probability"] for r in records],
                          [r["probability_se"] for r in records], color=BLUE, hatch="",
                          height=0.65, label=None, lang=lang)
        joint, se = _joint(results)
        _probability_bars(ax, [n], [joint], [se], color=VERMILLION, hatch="///", height=0.65,
                          label=None, lang=lang)
        _probability_axis(ax, np.arange(n + 1), labels, words)
        ax.set_title(words["targets_title"], loc="left")
    return ax


def comparison_chart(runs: Sequence[Any], target_id: str | None = None, ax=None, *,
                     lang: str = "en"):
    """The same targets' probabilities across several runs (scenarios), side by side.

    Parameters
    ----------
    runs : sequence of Results
        The runs; targets are matched by id (a run without a target has no bar for it).
    target_id : str, optional
        Only this target; by default every target of every run, then all targets together.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    lang : {"en", "vi"}
        Language of the words the chart writes.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        If ``target_id`` is given and no run has it.
    """
    from forecast.errors import InputError, did_you_mean

    from forecast.results import shared_targets

    words = _words(lang)
    targets, shared, _ = shared_targets(runs)  # an id of another region's target is not it
    if target_id is not None:
        if target_id not in targets:
            raise InputError.single(f"no target '{target_id}' in these runs; expected one of "
                                    f"{', '.join(targets)}.{did_you_mean(target_id, targets)}",
                                    key="target")
        targets = {target_id: targets[target_id]}
    groups = list(targets) + ([] if target_id is not None else [None])
    labels = [label_of(targets[t].label, t, lang) if t else words["all_targets"] for t in groups]
    k = len(runs)
    height = 0.8 / k
    own = ax is None
    with chart_style():
        figure, ax = _new_axes(ax, (7.0, 1.8 + len(groups) * (0.25 + 0.3 * k)))
        for j, (run, name) in enumerate(zip(runs, run_labels(runs))):
            records = {r["id"]: r for r in run.summary.records() if r["id"] in shared[j]}
            positions, probabilities, errors = [], [], []
            for g, target in enumerate(groups):
                if target is None:
                    p, se = _joint(run)
                elif target in records:
                    p, se = records[target]["probability"], records[target]["probability_se"]
                else:
                    continue
                positions.append(g - 0.4 + height * (j + 0.5))
                probabilities.append(p)
                errors.append(se)
            _probability_bars(ax, positions, probabilities, errors,
                              color=SERIES[j % len(SERIES)], hatch=HATCHES[j % len(HATCHES)],
                              height=height * 0.92, label=name, lang=lang)
        _probability_axis(ax, np.arange(len(groups)), labels, words)
        ax.set_title(words["compare_title"], loc="left")
        _legend(figure, ax, own, ncols=min(k, 4))
    return ax


def _rate_row(ax, row: data.RateRow, words) -> None:
    lang = words["_lang"]
    formatter = rate_formatter(row.kind, row.unit, lang)
    shown = [v for v in (row.required, row.historical if row.comparable else None)
             if v is not None]
    parts = []
    if row.required is not None:
        ax.plot([row.required], [0], ls="none", marker="D", ms=10, mfc=VERMILLION, mec=BLACK,
                zorder=5, label=words["required"])
        parts.append(f"{words['required']} {_rate_text(row.required, row.kind, row, lang)}")
    else:
        parts.append(words["no_required"])
    if row.historical is None:
        parts.append(words["no_historical"])
    else:
        if row.comparable:
            ax.plot([row.historical], [0], ls="none", marker="o", ms=10, mfc="white", mec=BLUE,
                    mew=2.5, zorder=4, label=words["historical"])
        parts.append(f"{words['historical']} "
                     f"{_rate_text(row.historical, row.historical_kind, row, lang)}")
    low, high = min(shown + [0.0]), max(shown + [0.0])
    pad = 0.15 * (high - low) or 0.01
    ax.set_xlim(low - pad, high + pad)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(value_locator())
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlabel(rate_unit_label(row.kind, row.unit, lang), fontsize=8, labelpad=1)
    ax.set_title(wrap(f"{row.label}: {'; '.join(parts)}", 90), loc="left", fontsize=9,
                 fontweight="normal")


def _rate_text(value: float, kind: str, row: data.RateRow, lang: str) -> str:
    from forecast.formatting import format_rate

    return format_rate(value, kind, row.unit, lang)


def rate_chart(results, ax=None, *, lang: str = "en"):
    """The yearly rate each target requires, against the rate history shows.

    One row per target, each on its own scale (compound growth in %/yr, change in points or
    units per year); a historical rate on another scale than the target's, or none, is named in
    the row's title and not drawn.

    Parameters
    ----------
    results : Results
        The run.
    ax : matplotlib.axes.Axes, optional
        Where to draw (it is divided into one row per target); a new figure if omitted.
    lang : {"en", "vi"}
        Language of the words the chart writes.

    Returns
    -------
    list of matplotlib.axes.Axes
        One per target.
    """
    words = _words(lang)
    rows = data.rate_rows(results, lang)
    own = ax is None
    with chart_style():
        figure, ax = _new_axes(ax, (7.0, 1.0 + 1.05 * len(rows)))
        grid = ax.get_subplotspec().subgridspec(len(rows), 1)
        ax.remove()
        axes = [figure.add_subplot(cell) for cell in grid]
        for row_ax, row in zip(axes, rows):
            _rate_row(row_ax, row, words)
        handles: dict[str, Any] = {}
        for row_ax in axes:
            for handle, label in zip(*row_ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        if own:
            figure.suptitle(words["rates_title"], fontsize=11, fontweight="bold")
            if handles:
                figure.legend(list(handles.values()), list(handles), loc="outside lower center",
                              ncols=2)
        elif handles:
            axes[0].legend(list(handles.values()), list(handles), loc="upper right")
    return axes


def curve_chart(curve: dict[str, Any], target_label: str, ax=None, *, lang: str = "en"):
    """A target's probability against one input, from a sensitivity analysis's curve
    (``sensitivity.json``: ``x``, ``probability``, ``low``, ``high`` per equal-count bin).

    Parameters
    ----------
    curve : dict
        One curve of ``sensitivity.json`` (``targets[id]["curves"][k]``).
    target_label : str
        The target's label, for the title.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if omitted.
    lang : {"en", "vi"}
        Language of the words the chart writes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    words = _words(lang)
    x = np.asarray(curve["x"], dtype=float)
    own = ax is None
    with chart_style():
        figure, ax = _new_axes(ax, (7.0, 3.6))
        ax.fill_between(x, 100 * np.asarray(curve["low"]), 100 * np.asarray(curve["high"]),
                        color=BLUE, alpha=0.25, lw=0, label=words["curve_band"])
        ax.plot(x, 100 * np.asarray(curve["probability"]), color=BLACK, lw=2, marker="o",
                ms=4, label=words["curve_axis"].split(" (")[0])
        ax.set_ylim(-2, 102)
        ax.set_ylabel(words["curve_axis"])
        ax.set_xlabel(curve["input"])
        ax.xaxis.set_major_locator(value_locator())
        ax.xaxis.set_major_formatter(value_formatter("", lang))
        ax.set_title(wrap(words["curve_title"].format(target=target_label, input=curve["input"]),
                          60), loc="left")
        ax.grid(axis="y", color="0.88", lw=0.8)
        ax.set_axisbelow(True)
        _legend(figure, ax, own)
    return ax
