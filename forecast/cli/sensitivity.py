"""``forecast sensitivity``: what drives each probability, and which unknown to measure first."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option


def print_sensitivity(result, console) -> None:
    """Per target: the inputs that explain most of its hit indicator's variance, the groups,
    what to measure first and where it misses; then the overall ranking."""
    from rich.table import Table

    data = result.to_json()
    for target, entry in data["targets"].items():
        table = Table(title=f"{target}: P = {entry['probability']:.2f}", title_justify="left")
        for column in ("input", "origin", "first order", "total", "given data",
                       "P if known (5-95 %)"):
            table.add_column(column, justify="left" if column in ("input", "origin") else "right")
        spread = {m["input"]: m for m in entry["measure_first"]}
        for row in entry["inputs"][:6]:
            known = spread.get(row["input"])
            table.add_row(
                row["input"], row["origin"],
                f"{row['first_order']:.2f} ± {row['first_order_se']:.2f}",
                f"{row['total']:.2f} ± {row['total_se']:.2f}",
                f"{row['given_data_first_order']:.2f} ± {row['given_data_first_order_se']:.2f}",
                "" if known is None else
                f"{known['probability_p05']:.0%} – {known['probability_p95']:.0%}")
        console.print(table)
        groups = ", ".join(f"{g} {v['first_order']:.2f} (total {v['total']:.2f})"
                           for g, v in entry["groups"].items())
        console.print(f"  by origin (first order): {groups}", soft_wrap=True)
        box = entry["scenario_discovery"]
        if box is not None:
            console.print(f"  {box['sentence']}", soft_wrap=True)
        for item in entry["disagreements"]:
            console.print(f"  disagree ({item['output']}): {item['message']}", soft_wrap=True)
    console.print("What to measure first (mean first-order share over the targets):")
    for rank, item in enumerate(data["measure_first"][:8], start=1):
        console.print(f"  {rank}. {item['input']} ({item['origin']}): "
                      f"{item['variance_reduction']:.2f}")


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draws", type=draws_option(2), default=4096, show_default=True,
              help="Base samples N of the Sobol design (it simulates N x (inputs + 6) draws).")
@click.option("--seed", type=SEED, help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: runs/<scenario name>-sensitivity).")
@click.option("--json", "as_json", is_flag=True, help="Print sensitivity.json instead of the "
              "tables.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def sensitivity(scenario: Path, draws: int, seed: int | None, out: Path | None, as_json: bool,
                force: bool) -> None:
    """Sobol indices of every sampled input for every target of SCENARIO, by origin (data,
    prior, assumption), with conditional probability curves, what to measure first and where
    each target misses; writes sensitivity.json and sensitivity.nc."""
    from forecast.analysis.sensitivity import sensitivity as analyse
    from forecast.io.scenario_file import load_scenario
    from forecast.io.writers import check_writable, write_folder

    loaded = load_scenario(scenario)
    out = out or Path("runs") / f"{loaded.name}-sensitivity"
    check_writable(out, force=force)
    result = analyse(loaded, draws=draws, seed=seed)
    contents = result.outputs()
    write_folder(out, contents, force=force)
    if as_json:
        click.echo(json.dumps(contents["sensitivity.json"], indent=2, ensure_ascii=False))
        return
    console = make_console()
    print_sensitivity(result, console)
    console.print("Wrote " + ", ".join(str(out / name) for name in contents))
