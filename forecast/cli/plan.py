"""``forecast plan``: the cheapest mix of levers that gives the chosen targets a probability."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option


def _rate(value: float | None, kind: str) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:+.1%}" if kind == "growth" else f"{value:+.3g}"


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--probability", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="Chance wanted for each target.")
@click.option("--targets", default="all", show_default=True,
              help="'all' or target ids separated by commas.")
@click.option("--joint", is_flag=True, help="Ask for the chance that all chosen targets are "
              "reached together.")
@click.option("--budget", "budget", multiple=True, metavar="NAME=VALUE",
              help="Yearly limit of a budget group (repeatable; replaces the scenario's).")
@click.option("--draws", type=draws_option(2), help="Draws per trial (default: the "
              "scenario's).")
@click.option("--seed", type=SEED, help="Seed (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write plan.json into this folder.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
def plan(scenario: Path, probability: float, targets: str, joint: bool, budget: tuple[str, ...],
         draws: int | None, seed: int | None, as_json: bool, out: Path | None,
         force: bool) -> None:
    """Find the cheapest setting of the SCENARIO's costed levers at which every chosen target
    (with --joint: all together) reaches PROBABILITY, within the levers' ranges and the
    budgets, or say that none does; beside each target, the fastest pace a shipped panel
    shows over a period of the same length."""
    from forecast.analysis.plan import plan as run_plan
    from forecast.io.scenario_file import load_scenario
    from forecast.io.writers import check_writable, write_folder

    if out is not None:
        check_writable(out, force=force)
    answer = run_plan(load_scenario(scenario), probability=probability, targets=targets,
                      joint=joint, budgets=list(budget), draws=draws, seed=seed)
    if out is not None:
        write_folder(out, {"plan.json": answer.to_json()}, force=force)
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    console = make_console()
    console.print(("" if answer.feasible else "INFEASIBLE: ") + answer.message)
    levers = Table(title="setting" if answer.feasible else "best reachable setting (misses)")
    for column in ("lever", "value", "cost a year"):
        levers.add_column(column, justify="left" if column == "lever" else "right")
    for name, value in answer.setting.items():
        levers.add_row(name, f"{value:.4g}", "")
    levers.add_row("total", "", f"{answer.cost:,.4g}")
    for group, spent in answer.cost_by_group.items():
        levers.add_row(f"budget {group}", "", f"{spent:,.4g} of {answer.budgets[group]:,.4g}")
    console.print(levers)
    table = Table()
    for column in ("target", "probability", "required rate", "implied rate",
                   "fastest in panel", "precedent"):
        table.add_column(column, justify="left" if column in ("target", "precedent") else "right")
    for o in answer.outcomes:
        pace = o.pace
        table.add_row(o.target + ("" if o.moved else " (no lever moves it)"),
                      f"{o.probability:.1%} ± {o.probability_se:.1%}",
                      _rate(o.required_rate, o.rate_kind), _rate(o.implied_rate, o.rate_kind),
                      "-" if pace is None or pace.fastest is None else
                      f"{_rate(pace.fastest, pace.rate_kind)} ({pace.holder} "
                      f"{pace.first}-{pace.last})",
                      "no panel" if pace is None else
                      ("FASTER than any observed" if pace.faster else "within observed"))
    console.print(table)
    console.print(f"all chosen targets together: {answer.joint_probability:.1%} ± "
                  f"{answer.joint_probability_se:.1%}")
    if answer.feasible:
        console.print("binding: " + ("; ".join(answer.binding) or "none"))
    for o in answer.outcomes:
        if o.pace is not None and o.pace.faster:
            console.print(f"{o.target}: {o.pace.message}")
    held = ", ".join(f"{n} = {v:g}" for n, v in answer.held.items())
    console.print(f"{answer.simulations} simulations of {answer.draws:,} draws, seed "
                  f"{answer.seed}; probabilities are exact Monte Carlo estimates at the setting"
                  + (f"; held at their values (no cost): {held}" if held else ""))
