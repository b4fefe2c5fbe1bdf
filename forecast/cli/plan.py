"""``forecast plan``: the cheapest mix of levers that gives the chosen targets a probability."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def _rate(value: float | None, kind: str, unit: str, lang: str) -> str:
    from forecast.formatting import format_rate

    return format_rate(value, kind, unit, lang)


def _share(p: float, lang: str, decimals: int = 1) -> str:
    from forecast.formatting import percent

    return percent(p, decimals, lang)


_BINDING = (  # the constraints forecast.analysis.plan reports as binding, and their words
    (re.compile(r"joint probability ([\d.]+) ?% \(wanted (\d+) ?%\)"), "t_binding_joint"),
    (re.compile(r"target (\w+): ([\d.]+) ?% \(wanted (\d+) ?%\)"), "t_binding_target"),
    (re.compile(r"budget (\w+): ([\d.,]+) of ([\d.,]+) a year"), "t_binding_budget"),
    (re.compile(r"lever (\w+) at the top of its range \(([-\d.e+]+)\)"), "t_binding_lever"),
)


def binding_text(item: str, lang: str) -> str:
    """One binding constraint of a plan (as :func:`forecast.analysis.plan.plan` states it) in
    ``lang``, its numbers written for ``lang``; a statement of another shape as given."""
    from forecast.formatting import number, significant
    from forecast.messages import message

    def value(text: str) -> str:
        return significant(float(text.replace(",", "")), 4, lang)

    for pattern, key in _BINDING:
        match = pattern.fullmatch(item)
        if match is None:
            continue
        g = match.groups()
        if key == "t_binding_joint":
            return message(key, lang, p=f"{number(float(g[0]), 1, lang)} %",
                           wanted=f"{g[1]} %")
        if key == "t_binding_target":
            return message(key, lang, target=g[0], p=f"{number(float(g[1]), 1, lang)} %",
                           wanted=f"{g[2]} %")
        if key == "t_binding_budget":
            return message(key, lang, name=g[0], spent=value(g[1]), limit=value(g[2]))
        return message(key, lang, name=g[0], high=value(g[1]))
    return item


def check_plan_file(folder: Path, *, force: bool) -> Path:
    """``folder/plan.json``, if it may be written: the folder is created if missing, what it
    holds stays (a run folder keeps its results), an existing plan.json is replaced only with
    ``force``.

    Raises
    ------
    OutputExistsError
        If ``folder`` is a file or plan.json exists without ``force``.
    """
    from forecast.io.writers import OutputExistsError

    path = Path(folder) / "plan.json"
    if Path(folder).exists() and not Path(folder).is_dir():
        raise OutputExistsError.single("exists and is a file; expected a folder for plan.json",
                                       file=str(folder), key="out")
    if path.exists() and not force:
        raise OutputExistsError.single("exists; replace it (force) or write to another folder",
                                       file=str(path), key="force")
    return path


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
@click.option("--out", type=click.Path(path_type=Path),
              help="Also write plan.json into this folder (a run folder keeps what it holds, "
                   "and its report then shows the answer).")
@click.option("--force", is_flag=True, help="Replace an existing plan.json.")
@LANG
def plan(scenario: Path, probability: float, targets: str, joint: bool, budget: tuple[str, ...],
         draws: int | None, seed: int | None, as_json: bool, out: Path | None,
         force: bool, lang: str = "en") -> None:
    """Find the cheapest setting of the SCENARIO's costed levers at which every chosen target
    (with --joint: all together) reaches PROBABILITY, within the levers' ranges and the
    budgets, or say that none does; beside each target, the fastest pace a shipped panel
    shows over a period of the same length."""
    from forecast.analysis.plan import plan as run_plan
    from forecast.formatting import number, significant
    from forecast.io.scenario_file import load_scenario
    from forecast.io.writers import check_file_writable, write_atomic
    from forecast.analysis.precedent import pace_text
    from forecast.messages import message

    target_file = None if out is None else check_plan_file(out, force=force)
    spec = load_scenario(scenario)
    answer = run_plan(spec, probability=probability, targets=targets,
                      joint=joint, budgets=list(budget), draws=draws, seed=seed)
    units = {t.id: spec.indicators[t.indicator].unit for t in spec.targets}
    if target_file is not None:
        try:
            target_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from forecast.errors import InputError

            raise InputError.single(f"cannot be created ({exc.strerror or exc})",
                                    file=str(target_file.parent), key="out") from None
        text = json.dumps(answer.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_atomic(check_file_writable(target_file), text.encode("utf-8"))
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return
    from forecast.cli.tables import add_columns, add_id_column, make_table, narrow
    from forecast.formatting import format_probability

    number4 = lambda v: significant(v, 4, lang)  # noqa: E731
    console = make_console()
    values = ", ".join(f"{n} = {significant(v, 4, lang, group=False)}"
                       for n, v in answer.setting.items())
    which = message("t_plan_together" if answer.joint else "t_plan_every", lang)
    wanted = _share(answer.probability, lang, 0)
    if answer.feasible:
        console.print(message("t_plan_feasible", lang, which=which, p=wanted, values=values,
                              cost=number4(answer.cost)))
    else:
        reached = (message("t_plan_reached_together", lang, p=_share(
            answer.joint_probability, lang)) if answer.joint else ", ".join(
            f"{o.target} {_share(o.probability, lang)}" for o in answer.outcomes))
        still = [o.target for o in answer.outcomes if not o.moved
                 and o.probability < answer.probability]
        console.print(message("t_plan_infeasible", lang, which=which, p=wanted, values=values,
                              reached=reached)
                      + (message("t_plan_unmoved", lang, ids=", ".join(still)) if still else ""))
    levers = make_table(console, message("t_plan_setting" if answer.feasible else "t_plan_best",
                                         lang))
    add_id_column(levers, message("t_lever", lang), [*answer.setting, message("t_total", lang),
                  *(message("t_budget_row", lang, name=g) for g in answer.cost_by_group)])
    add_columns(levers, [(message(key, lang), "right") for key in ("t_value", "t_cost_year")])
    for name, value in answer.setting.items():
        levers.add_row(name, number4(value), "")
    levers.add_row(message("t_total", lang), "", number4(answer.cost))
    for group, spent in answer.cost_by_group.items():
        levers.add_row(message("t_budget_row", lang, name=group), "", message(
            "t_of", lang, part=number4(spent), whole=number4(answer.budgets[group])))
    console.print(levers)
    table = make_table(console)
    compact = narrow(console)  # required over implied; the panel's pace over the verdict
    add_id_column(table, message("t_target", lang), [o.target for o in answer.outcomes])
    headers = [message(k, lang) for k in ("t_probability", "t_required", "t_implied_rate",
                                          "t_fastest_panel", "t_precedent")]
    if compact:
        headers = [headers[0], f"{headers[1]} / {headers[2]}", f"{headers[3]} / {headers[4]}"]
    add_columns(table, [(h, "left" if i == len(headers) - 1 else "right")
                        for i, h in enumerate(headers)])
    for o in answer.outcomes:
        pace = o.pace
        unit = units.get(o.target, "")
        cells = [format_probability(o.probability, o.probability_se, lang),
                 _rate(o.required_rate, o.rate_kind, unit, lang),
                 _rate(o.implied_rate, o.rate_kind, unit, lang),
                 "-" if pace is None or pace.fastest is None else
                 f"{_rate(pace.fastest, pace.rate_kind, pace.units, lang)} ({pace.holder} "
                 f"{pace.first}-{pace.last})",
                 message("t_no_panel", lang) if pace is None else
                 message("t_faster" if pace.faster else "t_within", lang)]
        if compact:
            cells = [cells[0], f"{cells[1]}\n{cells[2]}", f"{cells[3]}\n{cells[4]}"]
        table.add_row(o.target + ("" if o.moved else "\n" + message("t_not_moved", lang)),
                      *cells, end_section=compact)
    console.print(table)
    console.print(message("t_plan_joint", lang, p=format_probability(
        answer.joint_probability, answer.joint_probability_se, lang)))
    if answer.feasible:
        console.print(message("t_binding", lang, items="; ".join(
            binding_text(item, lang) for item in answer.binding) or message("t_none", lang)))
    for o in answer.outcomes:
        if o.pace is not None and o.pace.faster:
            console.print(f"{o.target}: {pace_text(o.pace, lang)}")
    held = ", ".join(f"{n} = {significant(v, 6, lang, group=False)}"
                     for n, v in answer.held.items())
    console.print(message("t_plan_trials", lang, n=answer.simulations,
                          draws=number(answer.draws, 0, lang), seed=answer.seed)
                  + (message("t_plan_held", lang, held=held) if held else ""))
    if target_file is not None:
        console.print(message("t_wrote", lang, files=str(target_file)))
