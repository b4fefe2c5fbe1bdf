"""``forecast run``: simulate a scenario, print the target table, write the run folder."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import Command, console as make_console


def print_summary(results, console) -> None:
    from rich.table import Table

    from forecast.formatting import format_probability, format_quantity, format_rate

    table = Table(title=f"{results.scenario_name}: {results.draws:,} draws, seed {results.seed}",
                  title_justify="left")
    for column, justify in (("target", "left"), ("probability", "right"), ("median", "right"),
                            ("90 % interval", "right"), ("required rate", "right"),
                            ("historical rate", "right"), ("assumed", "left")):
        table.add_column(column, justify=justify)
    assumed_names = {a["indicator"] for a in results.assumptions() if a["level"]}
    for target, record in zip(results.targets, results.records()):
        info = results.indicator_info(target.indicator)
        unit, rate_kind = info["unit"], info["rate_kind"]
        q = functools.partial(format_quantity, kind=target.kind, rate_kind=rate_kind, unit=unit)
        table.add_row(
            target.id,
            format_probability(record["probability"], record["probability_se"]),
            q(record["median"]), f"{q(record['p05'])} – {q(record['p95'])}",
            format_rate(record["required_rate"], "change" if target.kind == "average_change"
                        else rate_kind, unit),
            format_rate(record["historical_rate"], rate_kind, unit),
            "*" if target.indicator in assumed_names else "")
    console.print(table)
    console.print("All targets together: " + format_probability(
        results.joint_probability(), results.joint_probability_se()))
    if not results.draws_kept:
        loose = [t for t, bound in results.quantile_errors().items() if bound["loose"]]
        console.print("Quantiles come from streamed summaries (draws not kept); their error "
                      "bounds are in summary.json" + (f"; above 1 % for: {', '.join(loose)}"
                                                      if loose else ", all under 1 %."))
    for heading, levels in (("* Assumed base-year levels (sampled: no source gives them):", True),
                            ("Other assumptions (priors, shocks, levers), declared in the scenario:", False)):
        console.print(heading)
        for item in results.assumptions():
            if item["level"] == levels:
                console.print(f"  {item['indicator']}.{item['setting']} ~ "
                              f"{item['distribution']}: {item['why']}", soft_wrap=True)


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
    from forecast.io.writers import check_writable
    from forecast.io.scenario_file import load_scenario

    loaded = load_scenario(scenario)
    out = out or Path("runs") / loaded.name
    check_writable(out, force=force)
    from forecast.cli.progress import ProgressBar, wanted

    with ProgressBar(loaded.draws if draws is None else draws,
                     enabled=wanted(quiet=quiet)) as progress:
        results = simulate(loaded, draws=draws, seed=seed, workers=workers, scheduler=scheduler,
                           keep_draws=keep_draws, progress=progress)
    results.save(out, force=force)
    console = make_console()
    print_summary(results, console)
    console.print(f"Wrote {out / 'results.nc'}, {out / 'summary.json'}, {out / 'summary.csv'}")
    if with_report:
        from forecast.report import write_report

        console.print(f"Wrote {write_report(results, out / 'report.html')}")
