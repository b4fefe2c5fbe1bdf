"""``forecast holdout``: score a scenario's forecasts of the figures after an origin."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def _print_holdout(result, console, lang: str = "en") -> None:
    from forecast.cli.tables import add_columns, add_id_column, make_table, narrow
    from forecast.formatting import number, percent, significant
    from forecast.messages import message, unit_text

    table = make_table(console, message("ho_title", lang, origin=result.origin))
    stacked = narrow(console)  # the figure under the indicator, on a narrow terminal

    def figure(held) -> str:
        row = held.row
        years = f"{row.year}" + (f"–{row.year_end}" if row.year_end else "")
        return f"{row.kind} {years} ({Path(row.file).name}:{row.line})"

    add_id_column(table, message("ho_indicator", lang), [h.indicator for h in result.scored])
    keys = (("ho_observed", "right"), ("ho_median", "right"), ("ho_range", "right"),
            ("ho_pit", "right"), ("ho_in90", "left"))
    add_columns(table, [(message(key, lang), justify)
                        for key, justify in ((() if stacked else (("ho_figure", "left"),))
                                             + keys)])
    value = lambda v: significant(v, 4, lang)  # noqa: E731
    for held in result.scored:
        q = held.quantiles
        first = [f"{held.indicator}\n{figure(held)}"] if stacked else [held.indicator,
                                                                       figure(held)]
        table.add_row(*first, f"{value(held.row.value)} {unit_text(held.row.unit, lang)}",
                      value(q[2]), f"{value(q[0])} – {value(q[4])}", number(held.pit, 2, lang),
                      message("ho_yes" if held.in90 else "ho_no", lang))
    console.print(table)
    s = result.summary()
    console.print(message("ho_summary", lang, n=s["figures"],
                          c50=percent(s["coverage50"], 0, lang),
                          c90=percent(s["coverage90"], 0, lang),
                          pit=number(s["mean_pit"], 2, lang)))
    for what, why in result.why(lang):
        console.print("  " + message("ho_skipped", lang, what=what, why=why))


_WIDE = ("bt_method", "bt_horizon", "bt_n", "bt_origins", "bt_coverage50", "bt_coverage90",
         "bt_crps", "bt_crps_vs_naive", "bt_vs_climatology", "bt_mean_pit", "bt_interval90")
_STACKED = {"bt_method": ("bt_method",), "bt_ahead": ("bt_horizon",), "bt_n": ("bt_n",),
            "bt_origins": ("bt_origins",), "bt_cover": ("bt_coverage50", "bt_coverage90"),
            "bt_crps": ("bt_crps",), "bt_ratio": ("bt_crps_vs_naive", "bt_vs_climatology"),
            "bt_mean_pit": ("bt_mean_pit",), "bt_is90": ("bt_interval90",)}
"""The columns of the table by horizon, and on a narrow terminal each stacked column with the
wide ones it holds one above the other."""


def _print_regions(result, console, lang: str = "en") -> None:
    """One table per indicator: every method's scores by horizon (the columns of ``forecast
    backtest --horizons``)."""
    from forecast.cli.backtest import _coverage, _layout, _method, _widths
    from forecast.cli.tables import make_table
    from forecast.formatting import number
    from forecast.messages import message

    def cells(r: dict) -> dict[str, str]:
        years, value = r["origins"], lambda key: (  # noqa: E731
            number(r[key], 2, lang) if r.get(key) is not None else "")
        return {"bt_method": _method(r["method"], lang), "bt_horizon": str(r["horizon"]),
                "bt_n": number(r["forecasts"], 0, lang),
                "bt_origins": f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]),
                "bt_coverage50": _coverage(r, 50, lang), "bt_coverage90": _coverage(r, 90, lang),
                "bt_crps": value("crps"), "bt_crps_vs_naive": value("crps_vs_naive"),
                "bt_vs_climatology": value("crps_vs_climatology"),
                "bt_mean_pit": f"{value('mean_pit')} ± {value('mean_pit_se')}",
                "bt_interval90": number(r["interval90"], 1, lang)}

    for indicator in dict.fromkeys(r["indicator"] for r in result.summary):
        found = [cells(r) for r in result.summary if r["indicator"] == indicator]
        columns = {key: (key,) for key in _WIDE}
        fit = _layout(console, [message(key, lang) for key in _WIDE],
                      [[c[key] for key in _WIDE] for c in found])
        if fit == "stacked":
            columns = _STACKED
            for c in found:
                c["bt_mean_pit"] = c["bt_mean_pit"].replace(" ± ", "\n± ")
        headers = [message(key, lang) for key in columns]
        rows = [["\n".join(c[part] for part in parts) for parts in columns.values()]
                for c in found]
        # natural: rich's widths; else each column as wide as its widest number or word
        widths = _widths(headers, rows, whole=False) if fit != "natural" else None
        table = make_table(console, message("hr_title", lang, indicator=indicator,
                                            regions=", ".join(result.regions)))
        for index, key in enumerate(columns):
            table.add_column(headers[index], overflow="fold",
                             justify="left" if key == "bt_method" else "right",
                             width=widths[index] if widths else None)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        if fit == "stacked":
            console.print(message("bt_compact_note", lang))
    console.print(message("hr_note", lang))
    for what, why in result.why(lang):
        console.print("  " + message("ho_skipped", lang, what=what, why=why))


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--origin", type=int, help="Forecast origin: calibrate on the figures up to this "
              "year and score the later ones (default: the scenario's base year).")
@click.option("--draws", type=draws_option(100), default=4000, show_default=True,
              help="Monte Carlo draws.")
@click.option("--seed", type=SEED, help="Seed (default: the scenario's).")
@click.option("--regions", is_flag=True, help="Hold out each of the scenario's "
              "region.predecessors on its own rows, at every origin its growth figures allow, "
              "and score the growth model's forecasts by horizon (1-5) against a naive and a "
              "climatology benchmark.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@LANG
def holdout(scenario: Path, origin: int | None, draws: int, seed: int | None, regions: bool,
            as_json: bool, lang: str = "en") -> None:
    """Calibrate SCENARIO on the figures up to an origin and score its forecasts of every later
    figure its indicators name (the history file's and the monitoring.observed files').
    With --regions: the same for each predecessor region's own series, at every origin."""
    from forecast.analysis.holdout import holdout as run_holdout
    from forecast.io.observed import observed_files, read_observed
    from forecast.io.history import History
    from forecast.io.prior_library import load_prior_library
    from forecast.io.scenario_file import load_scenario
    from forecast.pipeline import scenario_history

    if regions and origin is not None:
        from forecast.errors import InputError

        raise InputError.single(f"found {origin} with --regions, which forecasts from every "
                                "origin each region's figures allow; leave out --origin (or "
                                "--regions)", key="origin")
    loaded = load_scenario(scenario)
    if regions:
        from forecast.analysis.holdout_regions import holdout_regions

        panel = holdout_regions(loaded, scenario_history(loaded, resolved=False),
                                priors=load_prior_library(), draws=draws, seed=seed)
        if as_json:
            click.echo(json.dumps(panel.to_dict(), indent=2, ensure_ascii=False))
        else:
            _print_regions(panel, make_console(), lang)
        return
    history = scenario_history(loaded)
    later = History(read_observed(observed_files(loaded)), "monitoring.observed")
    result = run_holdout(loaded, history, later, priors=load_prior_library(), origin=origin,
                         draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_holdout(result, make_console(), lang)
