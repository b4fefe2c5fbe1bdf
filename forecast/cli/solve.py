"""``forecast solve``: the lever value that gives a target a chosen probability."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", "target", required=True, help="Target id.")
@click.option("--lever", required=True, help="Lever name (declared under 'levers:').")
@click.option("--probability", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="Chance wanted.")
@click.option("--draws", type=draws_option(2), help="Draws per trial (default: the "
              "scenario's).")
@click.option("--seed", type=SEED, help="Seed (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@LANG
def solve(scenario: Path, target: str, lever: str, probability: float, draws: int | None,
          seed: int | None, as_json: bool, lang: str = "en") -> None:
    """Find the LEVER value that gives TARGET the chosen PROBABILITY (a monotone search with
    common random numbers), or say that no value in the lever's range does."""
    from forecast.analysis.solve import solve as run_solve
    from forecast.formatting import number, significant
    from forecast.io.scenario_file import load_scenario
    from forecast.messages import message

    solution = run_solve(load_scenario(scenario), target=target, lever=lever,
                         probability=probability, draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(solution.to_json(), indent=2))
        return
    console = make_console()
    console.print(answer_text(solution, lang))
    console.print(message("t_solve_trials", lang, n=len(solution.trials),
                          draws=number(solution.draws, 0, lang), seed=solution.seed,
                          low=significant(solution.low, 6, lang, group=False),
                          high=significant(solution.high, 6, lang, group=False)))


def answer_text(solution, lang: str = "en") -> str:
    """The answer of ``forecast solve`` in a sentence in ``lang`` (:meth:`Solution.text`)."""
    return solution.text(lang)
