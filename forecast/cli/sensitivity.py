"""``forecast sensitivity``: what drives each probability, and which unknown to measure first."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def print_sensitivity(result, console, lang: str = "en") -> None:
    """Per target: the inputs that explain most of its hit indicator's variance, the groups,
    what to measure first and where it misses; then the overall ranking, in ``lang``."""
    from forecast.cli.tables import add_columns, add_id_column, make_table
    from forecast.formatting import number, percent
    from forecast.messages import CATALOG, message
    from forecast.report.html import _box_sentence

    def two(v: float) -> str:
        return number(v, 2, lang)

    def origin(name: str) -> str:
        return message(f"origin_{name}", lang) if f"origin_{name}" in CATALOG else name

    data = result.to_json()
    for target, entry in data["targets"].items():
        table = make_table(console, f"{target}: P = {two(entry['probability'])}")
        shown = entry["inputs"][:6]
        add_id_column(table, message("t_input", lang), [row["input"] for row in shown])
        add_columns(table, [(message(key, lang), "left" if key == "t_origin" else "right")
                            for key in ("t_origin", "t_first_order", "t_total_order",
                                        "t_given_data", "t_if_known")])
        spread = {m["input"]: m for m in entry["measure_first"]}
        for row in shown:
            known = spread.get(row["input"])
            table.add_row(
                row["input"], origin(row["origin"]),
                f"{two(row['first_order'])} ± {two(row['first_order_se'])}",
                f"{two(row['total'])} ± {two(row['total_se'])}",
                f"{two(row['given_data_first_order'])} ± "
                f"{two(row['given_data_first_order_se'])}",
                "" if known is None else
                f"{percent(known['probability_p05'], 0, lang)} – "
                f"{percent(known['probability_p95'], 0, lang)}")
        console.print(table)
        groups = ", ".join(message("t_group_share", lang, group=origin(g),
                                   first=two(v["first_order"]), total=two(v["total"]))
                           for g, v in entry["groups"].items())
        console.print("  " + message("t_by_origin", lang, groups=groups))
        box = entry["scenario_discovery"]
        if box is not None:
            console.print(f"  {_box_sentence(target, box, lang)}")
        for item in entry["disagreements"]:
            what = message("t_disagree_detail", lang, input=item["input"],
                           sobol=two(item["first_order"]), sobol_se=two(item["first_order_se"]),
                           given=two(item["given_data_first_order"]),
                           given_se=two(item["given_data_first_order_se"]))
            output = message({"hit": "t_output_hit"}.get(item["output"], "t_output_quantity"),
                             lang)
            console.print("  " + message("t_disagree", lang, output=output, what=what))
    console.print(message("t_measure_first", lang))
    for rank, item in enumerate(data["measure_first"][:8], start=1):
        console.print(f"  {rank}. {item['input']} ({origin(item['origin'])}): "
                      f"{two(item['variance_reduction'])}")


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
@LANG
def sensitivity(scenario: Path, draws: int, seed: int | None, out: Path | None, as_json: bool,
                force: bool, lang: str = "en") -> None:
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
    print_sensitivity(result, console, lang)
    from forecast.messages import message

    console.print(message("t_wrote", lang, files=", ".join(str(out / name) for name in contents)))
