"""``forecast update``: the odds given the figures observed after the base year."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import Command
from forecast.cli.app import console as make_console


def print_update(answer, console) -> None:
    """The monitoring table, the change of each probability and the probability path."""
    from rich.table import Table

    from forecast.formatting import format_probability, format_quantity, format_rate

    results = answer.results
    scenario = answer.scenario
    changes = {c["target"]: c for c in answer.changes()}
    table = Table(title=f"{results.scenario_name} as of {answer.as_of}: {results.draws:,} draws, "
                  f"seed {results.seed}, effective sample size {answer.ess:,.0f}",
                  title_justify="left")
    for column, justify in (("target", "left"), ("label", "left"),
                            ("probability", "right"), (f"in {scenario.base_year}", "right"),
                            ("change", "right"), ("median", "right"), ("90 % interval", "right"),
                            ("required from", "right"), ("observed rate", "right")):
        table.add_column(column, justify=justify)
    for t in results.summary.targets:
        q = functools.partial(format_quantity, scale=t.quantity_scale, unit=t.unit)
        change = changes[t.id]
        required = ("-" if t.observed_year is None else
                    f"{format_rate(t.required_from_observed, t.rate_kind, t.unit)} "
                    f"({t.observed_year})")
        observed = ("-" if t.observed_rate is None else
                    format_rate(t.observed_rate, t.historical_rate_kind, t.unit))
        table.add_row(t.id, t.label, format_probability(t.probability, t.probability_se),
                      format_probability(change["probability_base_year"],
                                         change["probability_base_year_se"]),
                      f"{100 * change['difference']:+.1f} ± {100 * change['difference_se']:.1f}"
                      " pts", q(t.median), f"{q(t.p05)} – {q(t.p95)}", required, observed)
    console.print(table)
    monitoring = scenario.monitoring
    console.print(f"Labels: on track at {100 * monitoring.on_track:g} % or more, off track "
                  f"below {100 * monitoring.off_track:g} %, at risk between (monitoring: in "
                  "the scenario).")
    for change in changes.values():
        if answer.baseline is not None:
            console.print(f"  {change['target']}: {100 * change['due_to_figures']:+.1f} pts from "
                          f"the new figures, {100 * change['due_to_scenario']:+.1f} pts from the "
                          "change of the scenario file", soft_wrap=True)
    by_target: dict[str, list[str]] = {}
    for record in answer.path_records():
        by_target.setdefault(record["target"], []).append(
            f"{100 * record['probability']:.0f} % in {record['as_of']}")
    console.print("Probability path:")
    for target, steps in by_target.items():
        console.print(f"  P({target}): " + " → ".join(steps), soft_wrap=True)
    console.print("Observed figures used:")
    for o in answer.now.observations:
        how = ("read by the calibration" if o.read else "weighted")
        console.print(f"  {Path(o.row.file).name}:{o.row.line} {o.indicator} {o.year} "
                      f"{o.row.kind} = {o.row.value:g} {o.row.unit} ({how})", soft_wrap=True)
    for step in answer.now.conditioned.steps:
        console.print(f"  weighted in {step['year']} ({', '.join(step['indicators'])}): "
                      f"effective sample size {step['ess']:,.0f} of {results.draws:,}; "
                      "resampled", soft_wrap=True)


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
@click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True,
              help="Language of report.html.")
def update(scenario: Path, observed: tuple[Path, ...], as_of: int | None,
           baseline: Path | None, draws: int | None, seed: int | None, out: Path | None,
           force: bool, lang: str) -> None:
    """Update the odds of SCENARIO's targets with the figures observed since its base year."""
    from forecast.analysis.update import update as run_update
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
    print_update(answer, console)
    console.print("Wrote " + ", ".join(str(out / name) for name in contents))
