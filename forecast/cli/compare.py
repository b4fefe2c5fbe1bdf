"""``forecast compare``: scenarios and runs side by side, target by target."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option


@click.command(cls=Command)
@click.argument("items", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draws", type=draws_option(2), help="Draws for every scenario (default: "
              "the first one's).")
@click.option("--seed", type=SEED, help="Seed shared by every scenario "
              "(default: the first one's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs") / "comparison", show_default=True, help="Output folder.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def compare(items: tuple[Path, ...], draws: int | None, seed: int | None, out: Path,
            force: bool) -> None:
    """Compare scenario files and/or run folders, target by target, against the first.

    Scenarios run with one seed so they share their random numbers: the difference of each
    target's probability comes with the standard error of the paired difference.
    """
    from rich.table import Table

    from forecast.analysis.compare import compare as run_compare
    from forecast.formatting import format_probability, format_rate
    from forecast.io.writers import check_writable, write_folder

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
        first = record["scenario"] == comparison.scenarios[0]
        rate = functools.partial(format_rate, rate_kind=record["rate_kind"], unit=record["unit"])
        table.add_row(record["target"] if first else "", record["scenario"],
                      format_probability(record["probability"], record["probability_se"]),
                      "" if first else f"{100 * record['difference']:+.1f} ± "
                      f"{100 * record['difference_se']:.1f}",
                      rate(record["required_rate"]), rate(record["median_rate"]),
                      end_section=record["scenario"] == comparison.scenarios[-1])
    console = make_console()
    console.print(table)
    console.print("difference: points against the first scenario ± the standard error of the "
                  + ("paired difference (common random numbers)" if comparison.paired else
                     "unpaired difference (different seeds: independent estimates)"))
    for sentence in comparison.left_out:
        console.print(f"Not compared: {sentence}", soft_wrap=True)
    contents = comparison.outputs()
    write_folder(out, contents, force=force)
    console.print("Wrote " + ", ".join(str(out / name) for name in contents))
