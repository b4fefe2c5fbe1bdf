"""``forecast compare`` and ``forecast solve``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import _console, handle_errors


@click.command()
@click.argument("items", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draws", type=click.IntRange(min=2), help="Draws for every scenario (default: "
              "the first one's).")
@click.option("--seed", type=click.IntRange(min=0), help="Seed shared by every scenario "
              "(default: the first one's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs") / "comparison", show_default=True, help="Output folder.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@handle_errors
def compare(items: tuple[Path, ...], draws: int | None, seed: int | None, out: Path,
            force: bool) -> None:
    """Compare scenario files and/or run folders, target by target, against the first.

    Scenarios run with one seed so they share their random numbers: the difference of each
    target's probability comes with the standard error of the paired difference.
    """
    from rich.table import Table

    from .compare import compare as run_compare
    from .formatting import format_rate
    from .output import check_writable

    check_writable(out, force=force)
    comparison = run_compare(list(items), draws=draws, seed=seed)
    reference = comparison.runs[0]
    table = Table(title=f"Compared with {comparison.scenarios[0]} ({reference.draws:,} draws, "
                  f"{'common seed ' + str(reference.seed) if comparison.paired else 'different seeds: unpaired'})",
                  title_justify="left")
    for column in ("target", "scenario", "probability", "difference", "required rate",
                   "median rate"):
        table.add_column(column, justify="left" if column in ("target", "scenario") else "right")
    for record in comparison.records():
        run = comparison.run_of(record["scenario"])
        target = run.target(record["target"])
        info = run.indicator_info(target.indicator)
        kind = "change" if target.kind == "average_change" else (
            "growth" if target.kind == "growth" else info["rate_kind"])
        first = record["scenario"] == comparison.scenarios[0]
        table.add_row(record["target"] if first else "", record["scenario"],
                      f"{100 * record['probability']:.1f} %",
                      "" if first else f"{100 * record['difference']:+.1f} ± "
                      f"{100 * record['difference_se']:.1f}",
                      format_rate(record["required_rate"], kind, info["unit"]),
                      format_rate(record["median_rate"], kind, info["unit"]),
                      end_section=record["scenario"] == comparison.scenarios[-1])
    console = _console()
    console.print(table)
    console.print("difference: points against the first scenario ± the standard error of the "
                  "paired difference")
    comparison.save(out, force=force)
    console.print(f"Wrote {out / 'comparison.csv'}, {out / 'comparison.json'}, "
                  f"{out / 'comparison.nc'}")


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", "target", required=True, help="Target id.")
@click.option("--lever", required=True, help="Lever name (declared under 'levers:').")
@click.option("--probability", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="Chance wanted.")
@click.option("--draws", type=click.IntRange(min=2), help="Draws per trial (default: the "
              "scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@handle_errors
def solve(scenario: Path, target: str, lever: str, probability: float, draws: int | None,
          seed: int | None, as_json: bool) -> None:
    """Find the LEVER value that gives TARGET the chosen PROBABILITY (a monotone search with
    common random numbers), or say that no value in the lever's range does."""
    from .scenario import load_scenario
    from .solve import solve as run_solve

    solution = run_solve(load_scenario(scenario), target=target, lever=lever,
                         probability=probability, draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(solution.to_json(), indent=2))
        return
    console = _console()
    console.print(solution.message)
    console.print(f"{len(solution.trials)} simulations of {solution.draws:,} draws, seed "
                  f"{solution.seed}; range searched [{solution.low:g}, {solution.high:g}]")
