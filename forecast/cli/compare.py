"""``forecast compare``: scenarios and runs side by side, target by target."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def default_folder(items: list[Path] | tuple[Path, ...]) -> Path:
    """``runs/compare-<a>-<b>...``: named after what is compared (a scenario file's stem, a run
    folder's name), so that comparisons of other items never meet in one folder; a long name is
    cut and ends in a digest of the whole.

    Parameters
    ----------
    items : sequence of Path
        The scenario files and run folders, in the order given.

    Returns
    -------
    Path
    """
    names = []
    for item in items:
        path = Path(item)
        name = path.stem if path.suffix.lower() in (".yaml", ".yml") else \
            (path.name or Path.cwd().name)
        names.append(re.sub(r"[^\w.-]+", "_", name).strip("._") or "item")
    name = "compare-" + "-".join(names)
    if len(name) > 96:
        digest = hashlib.sha256("\0".join(map(str, items)).encode("utf-8")).hexdigest()[:10]
        name = f"{name[:84]}-{digest}"
    return Path("runs") / name


@click.command(cls=Command)
@click.argument("items", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--draws", type=draws_option(2), help="Draws for every scenario (default: "
              "the first one's).")
@click.option("--seed", type=SEED, help="Seed shared by every scenario "
              "(default: the first one's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: runs/compare-<names of the items compared>).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@LANG
def compare(items: tuple[Path, ...], draws: int | None, seed: int | None, out: Path | None,
            force: bool, lang: str = "en") -> None:
    """Compare scenario files and/or run folders, target by target, against the first.

    Scenarios run with one seed so they share their random numbers: the difference of each
    target's probability comes with the standard error of the paired difference.
    """
    from forecast.analysis.compare import compare as run_compare
    from forecast.cli.tables import add_columns, add_id_column, make_table, narrow
    from forecast.formatting import format_probability, format_rate, number
    from forecast.io.writers import check_writable, write_folder
    from forecast.messages import message

    out = out or default_folder(items)
    check_writable(out, force=force)
    comparison = run_compare(list(items), draws=draws, seed=seed)
    reference = comparison.runs[0]
    seeds = (message("t_common_seed", lang, seed=reference.seed) if comparison.paired
             else message("t_unpaired", lang))
    console = make_console()
    records = comparison.records()
    table = make_table(console, message("t_compared", lang, name=comparison.scenarios[0],
                                        draws=number(reference.draws, 0, lang), seed=seeds))
    compact = narrow(console)  # the scenario under the target, in the first column
    names = [r["target"] for r in records] + ["  " + s for s in comparison.scenarios]
    add_id_column(table, message("t_target", lang) + (
        " / " + message("t_scenario", lang) if compact else ""), names)
    add_columns(table, [(message(key, lang), "left" if key == "t_scenario" else "right")
                        for key in ("t_scenario", "t_probability", "t_difference",
                                    "t_required", "t_median_rate")
                        if not (compact and key == "t_scenario")])
    for record in records:
        first = record["scenario"] == comparison.scenarios[0]
        names = ([f"{record['target']}\n  {record['scenario']}" if first else
                  f"  {record['scenario']}"] if compact else
                 [record["target"] if first else "", record["scenario"]])
        rate = functools.partial(format_rate, rate_kind=record["rate_kind"], unit=record["unit"],
                                 lang=lang)
        cells = [format_probability(record["probability"], record["probability_se"], lang),
                 "" if first else
                 f"{number(100 * record['difference'], 1, lang, sign=True)} ± "
                 f"{number(100 * record['difference_se'], 1, lang)}",
                 rate(record["required_rate"]), rate(record["median_rate"])]
        if compact and first:  # the numbers on the scenario's line, under the target id
            cells = [f"\n{cell}" for cell in cells]
        table.add_row(*names, *cells,
                      end_section=record["scenario"] == comparison.scenarios[-1])
    console.print(table)
    console.print(message("t_difference_note" if comparison.paired else "t_difference_unpaired",
                          lang))
    for sentence in comparison.left_out_text(lang):
        console.print(message("t_not_compared", lang, what=sentence))
    contents = comparison.outputs()
    write_folder(out, contents, force=force)
    console.print(message("t_wrote", lang, files=", ".join(str(out / name) for name in contents)))
