"""Command line: ``forecast run | validate | schema``.

The one place where errors become text and an exit code: every :class:`ForecastError` is printed
as one paragraph on stderr with exit code 2, never as a traceback (``--debug`` shows one).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """A bad input, reported without a traceback and with exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def handle_errors(command):
    """Turn the package's errors into :class:`InputProblem` (exit code 2)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import ForecastError

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except ForecastError as exc:
            if debug:
                raise
            raise InputProblem(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was written.", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.version_option(package_name="forecast")
def main(debug: bool) -> None:
    """Odds of reaching the targets of a five-year plan, by Monte Carlo simulation."""


def _console():
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    return console


def _print_summary(results, console) -> None:
    from rich.table import Table

    from .formatting import format_probability, format_quantity, format_rate

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


@main.command()
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
@handle_errors
def run(scenario: Path, draws: int | None, seed: int | None, out: Path | None, force: bool,
        workers: int, with_report: bool = False, scheduler: str | None = None,
        keep_draws: bool | None = None, quiet: bool = False) -> None:
    """Simulate SCENARIO and report the probability of every target."""
    from .api import simulate
    from .output import check_writable
    from .scenario import load_scenario

    loaded = load_scenario(scenario)
    out = out or Path("runs") / loaded.name
    check_writable(out, force=force)
    if scheduler is not None and workers > 1:
        raise InputProblem("use either --scheduler (an existing Dask cluster) or --workers "
                           "(a new local one), not both")
    from .progress import ProgressBar, wanted

    with ProgressBar(loaded.draws if draws is None else draws,
                     enabled=wanted(quiet=quiet)) as progress:
        results = simulate(loaded, draws=draws, seed=seed, workers=workers, scheduler=scheduler,
                           keep_draws=keep_draws, progress=progress)
    results.save(out, force=force)
    console = _console()
    _print_summary(results, console)
    console.print(f"Wrote {out / 'results.nc'}, {out / 'summary.json'}, {out / 'summary.csv'}")
    if with_report:
        from .report import write_report

        console.print(f"Wrote {write_report(results, out / 'report.html')}")


@main.command()
@click.argument("scenarios", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files (with the history files they name, calibrating but not simulating)
    and history files (.csv)."""
    from .api import calibrate
    from .history import read_history
    from .scenario import load_scenario

    for path in scenarios:
        if path.suffix.lower() == ".csv":
            history = read_history(path)
            click.echo(f"{path}: valid history ({len(history.rows)} rows, "
                       f"{len(history.indicators)} indicators)")
            continue
        loaded = load_scenario(path)
        calibrate(loaded)
        click.echo(f"{path}: valid ({len(loaded.indicators)} indicators, "
                   f"{len(loaded.targets)} targets)")


@main.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from .scenario import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


from .cli_compare import compare, solve  # noqa: E402  (commands in their own module)

main.add_command(compare)
main.add_command(solve)

from .cli_report import plot, report  # noqa: E402  (commands in their own module)

main.add_command(report)
main.add_command(plot)

from .cli_calibrate import backtest, calibrate  # noqa: E402  (commands in their own module)

main.add_command(calibrate)
main.add_command(backtest)
