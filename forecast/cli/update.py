"""``forecast update``: the odds given the figures observed after the base year."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import Command
from forecast.cli.app import console as make_console
from forecast.cli.options import LANG


_LABEL_KEYS = {"on track": "t_on_track", "at risk": "t_at_risk", "off track": "t_off_track"}


def print_update(answer, console, lang: str = "en") -> None:
    """The monitoring table, the change of each probability and the probability path, in
    ``lang``."""
    from forecast.cli.tables import add_columns, add_id_column, make_table, narrow
    from forecast.formatting import (format_probability, format_quantity, format_rate, number,
                                     percent, significant)
    from forecast.messages import message, unit_text

    results = answer.results
    scenario = answer.scenario
    changes = {c["target"]: c for c in answer.changes()}

    def points(value: float) -> str:
        return number(100 * value, 1, lang, sign=True)

    table = make_table(console, message(
        "t_update_title", lang, name=results.scenario_name, year=answer.as_of,
        draws=number(results.draws, 0, lang), seed=results.seed,
        ess=number(answer.ess, 0, lang)))
    compact = narrow(console)  # stacked: probability over the base year's, median over range
    add_id_column(table, message("t_target", lang), [t.id for t in results.summary.targets])
    headers = [message("t_status", lang), message("t_probability", lang),
               message("t_in_year", lang, year=scenario.base_year), message("t_change", lang),
               message("t_median", lang), message("t_interval", lang),
               message("t_required_from", lang), message("t_observed_rate", lang)]
    if compact:
        headers = [headers[0], f"{headers[1]} / {headers[2]}", headers[3],
                   f"{headers[4]} / {headers[5]}", f"{headers[6]} / {headers[7]}"]
    add_columns(table, [(h, "left" if i == 0 else "right") for i, h in enumerate(headers)])
    for t in results.summary.targets:
        q = functools.partial(format_quantity, scale=t.quantity_scale, unit=t.unit, lang=lang)
        change = changes[t.id]
        required = ("-" if t.observed_year is None else
                    f"{format_rate(t.required_from_observed, t.rate_kind, t.unit, lang)} "
                    f"({t.observed_year})")
        observed = ("-" if t.observed_rate is None else
                    format_rate(t.observed_rate, t.historical_rate_kind, t.unit, lang))
        label = message(_LABEL_KEYS[t.label], lang) if t.label in _LABEL_KEYS else t.label
        cells = [label, format_probability(t.probability, t.probability_se, lang),
                 format_probability(change["probability_base_year"],
                                    change["probability_base_year_se"], lang),
                 message("t_points_change", lang, change=points(change["difference"]),
                         se=number(100 * change["difference_se"], 1, lang)),
                 q(t.median), f"{q(t.p05)} – {q(t.p95)}", required, observed]
        if compact:
            cells = [cells[0], f"{cells[1]}\n{cells[2]}", cells[3], f"{cells[4]}\n{cells[5]}",
                     f"{cells[6]}\n{cells[7]}"]
        table.add_row(t.id, *cells, end_section=compact)
    console.print(table)
    monitoring = scenario.monitoring
    console.print(message("t_labels", lang, on=percent(monitoring.on_track, 0, lang),
                          off=percent(monitoring.off_track, 0, lang)))
    for change in changes.values():
        if answer.baseline is not None:
            console.print("  " + message("t_change_parts", lang, target=change["target"],
                                         figures=points(change["due_to_figures"]),
                                         scenario=points(change["due_to_scenario"])))
    by_target: dict[str, list[str]] = {}
    for record in answer.path_records():
        by_target.setdefault(record["target"], []).append(message(
            "t_path_step", lang, p=percent(record["probability"], 0, lang), year=record["as_of"]))
    console.print(message("t_path", lang))
    for target, steps in by_target.items():
        console.print(f"  P({target}): " + " → ".join(steps))
    console.print(message("t_observed_used", lang))
    for o in answer.now.observations:
        how = message("t_read_by_calibration" if o.read else "t_weighted", lang)
        console.print(f"  {Path(o.row.file).name}:{o.row.line} {o.indicator} {o.year} "
                      f"{o.row.kind} = {significant(o.row.value, 6, lang)} "
                      f"{unit_text(o.row.unit, lang)} ({how})")
    for step in answer.now.conditioned.steps:
        console.print("  " + message("t_weighted_step", lang, year=step["year"],
                                     indicators=", ".join(step["indicators"]),
                                     ess=number(step["ess"], 0, lang),
                                     draws=number(results.draws, 0, lang)))


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--observed", "observed", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of figures dated after the base year (history format); repeatable. "
                   "Default: the scenario's monitoring.observed.")
@click.option("--as-of", "as_of", type=int, help="Ignore figures dated after this year "
              "(default: the latest observed year).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="The scenario file as it stood at the base year, to split each change "
                   "into new figures and a changed scenario.")
@click.option("--draws", type=click.IntRange(min=1, max=200_000),
              help="Number of draws (default: the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: runs/<scenario name>_update_<as-of>).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@LANG
def update(scenario: Path, observed: tuple[Path, ...], as_of: int | None,
           baseline: Path | None, draws: int | None, seed: int | None, out: Path | None,
           force: bool, lang: str) -> None:
    """Update the odds of SCENARIO's targets with the figures observed since its base year."""
    from forecast.pipeline import update as run_update
    from forecast.io.scenario_file import load_scenario
    from forecast.io.writers import check_writable, write_folder

    loaded = load_scenario(scenario)
    answer = run_update(loaded, list(observed) or None, as_of=as_of, draws=draws, seed=seed,
                        baseline=baseline)
    out = out or Path("runs") / f"{loaded.name}_update_{answer.as_of}"
    check_writable(out, force=force)
    from forecast.report import render_report
    from forecast.report.update_section import with_update

    contents = answer.outputs()
    contents["report.html"] = with_update(render_report(answer.results, lang=lang), answer, lang)
    write_folder(out, contents, force=force)
    console = make_console()
    print_update(answer, console, lang)
    from forecast.messages import message

    console.print(message("t_wrote", lang, files=", ".join(str(out / name) for name in contents)))
