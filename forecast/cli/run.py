"""``forecast run``: simulate a scenario, print the target table, write the run folder."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import Command, console as make_console


def print_summary(results, console) -> None:
    """The target table, the joint probability and every assumption, as the terminal shows
    them."""
    from rich.table import Table

    from forecast.formatting import format_probability, format_quantity, format_rate

    summary = results.summary
    table = Table(title=f"{results.scenario_name}: {results.draws:,} draws, seed {results.seed}",
                  title_justify="left")
    for column, justify in (("target", "left"), ("probability", "right"), ("median", "right"),
                            ("90 % interval", "right"), ("required rate", "right"),
                            ("historical rate", "right"), ("assumed", "left")):
        table.add_column(column, justify=justify)
    for t in summary.targets:
        q = functools.partial(format_quantity, scale=t.quantity_scale, unit=t.unit)
        table.add_row(
            t.id, format_probability(t.probability, t.probability_se)
            + (" †" if t.rests_on_assumptions else ""), q(t.median),
            f"{q(t.p05)} – {q(t.p95)}", format_rate(t.required_rate, t.rate_kind, t.unit),
            format_rate(t.historical_rate, t.historical_rate_kind, t.unit),
            "*" if t.assumed else "")
    console.print(table)
    console.print("All targets together: " + format_probability(
        summary.joint_probability, summary.joint_probability_se))
    if summary.at_least:
        n = len(summary.at_least)
        console.print(f"At least k of {n} targets: " + ", ".join(
            f"{k}: {format_probability(p, se)}" for k, (p, se)
            in enumerate(zip(summary.at_least, summary.at_least_se), start=1)), soft_wrap=True)
    marked = [t for t in summary.targets if t.drivers]
    if marked:
        console.print("What drives each probability (share of its variance from priors and "
                      "assumptions; † more than half):")
        for t in marked:
            console.print(f"  {'†' if t.rests_on_assumptions else ' '} {t.id}: "
                          f"{100 * t.assumption_share:.0f} % from priors and assumptions; "
                          f"{t.drivers[0].words()}", soft_wrap=True)
    elif summary.targets and not summary.exact:
        console.print("Drivers need every draw (this run kept only summaries): "
                      "run with --keep-draws or use 'forecast sensitivity'.")
    if not summary.exact:
        loose = [t.id for t in summary.targets if t.loose]
        console.print("Quantiles come from streamed summaries (draws not kept); their error "
                      "bounds are in summary.json" + (f"; above 1 % for: {', '.join(loose)}"
                                                      if loose else ", all under 1 %."))
    for heading, levels in (("* Assumed base-year levels (sampled: no source gives them):", True),
                            ("Other assumptions (priors, shocks, levers), declared in the "
                             "scenario:", False)):
        console.print(heading)
        for item in results.assumptions():
            if item.level == levels:
                console.print(f"  {item.key} ~ {item.distribution}: {item.why}", soft_wrap=True)


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draws", type=click.IntRange(min=1), help="Number of draws (default: the "
              "scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: runs/<scenario name>).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes of a local Dask cluster; results do not depend on it.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Run the blocks on this Dask "
              "cluster; results do not depend on it.")
@click.option("--keep-draws/--no-keep-draws", default=None, help="Keep every draw in "
              "results.nc, or only summaries (default: keep up to 200,000 draws).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--report", "with_report", is_flag=True,
              help="Also write report.html (self-contained) beside the results.")
def run(scenario: Path, draws: int | None, seed: int | None, out: Path | None, force: bool,
        workers: int, with_report: bool = False, scheduler: str | None = None,
        keep_draws: bool | None = None, quiet: bool = False) -> None:
    """Simulate SCENARIO and report the probability of every target."""
    from forecast.pipeline import simulate
    from forecast.io.writers import check_writable, write_folder
    from forecast.io.scenario_file import load_scenario

    loaded = load_scenario(scenario)
    out = out or Path("runs") / loaded.name
    check_writable(out, force=force)
    from forecast.cli.progress import ProgressBar, wanted

    with ProgressBar(loaded.draws if draws is None else draws,
                     enabled=wanted(quiet=quiet)) as progress:
        results = simulate(loaded, draws=draws, seed=seed, workers=workers, scheduler=scheduler,
                           keep_draws=keep_draws, progress=progress)
    contents = results.outputs()
    if with_report:
        from forecast.report import render_report

        contents["report.html"] = render_report(results)
    write_folder(out, contents, force=force)
    console = make_console()
    print_summary(results, console)
    console.print("Wrote " + ", ".join(str(out / name) for name in contents))
