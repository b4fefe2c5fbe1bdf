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


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--origin", type=int, help="Forecast origin: calibrate on the figures up to this "
              "year and score the later ones (default: the scenario's base year).")
@click.option("--draws", type=draws_option(100), default=4000, show_default=True,
              help="Monte Carlo draws.")
@click.option("--seed", type=SEED, help="Seed (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@LANG
def holdout(scenario: Path, origin: int | None, draws: int, seed: int | None, as_json: bool,
            lang: str = "en") -> None:
    """Calibrate SCENARIO on the figures up to an origin and score its forecasts of every later
    figure its indicators name (the history file's and the monitoring.observed files')."""
    from forecast.analysis.holdout import holdout as run_holdout
    from forecast.io.observed import observed_files, read_observed
    from forecast.io.history import History
    from forecast.io.prior_library import load_prior_library
    from forecast.io.scenario_file import load_scenario
    from forecast.pipeline import scenario_history

    loaded = load_scenario(scenario)
    history = scenario_history(loaded)
    later = History(read_observed(observed_files(loaded)), "monitoring.observed")
    result = run_holdout(loaded, history, later, priors=load_prior_library(), origin=origin,
                         draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_holdout(result, make_console(), lang)
