"""``forecast run``: simulate a scenario, print the target table, write the run folder."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def print_summary(results, console, *, lang: str = "en", all_assumptions: bool = False) -> None:
    """The target table (ids never cut, labels wrapped), the joint probability, what drives each
    probability, and the assumptions that drive the answer (every assumption with
    ``all_assumptions``), as the terminal shows them in ``lang``."""
    from rich.table import Table

    from forecast.formatting import (assumption_text, format_probability, format_quantity,
                                     format_rate, label_of, number, percent, significant)
    from forecast.messages import message

    summary = results.summary
    table = Table(title=message("t_title", lang, name=results.scenario_name,
                                draws=number(results.draws, 0, lang), seed=results.seed),
                  title_justify="left")
    ids = max((len(t.id) for t in summary.targets), default=6)
    compact = console.width < 120      # median over its interval, required over historical
    table.add_column(message("t_target", lang), justify="left", min_width=min(ids, 24),
                     overflow="fold", width=min(ids + 2, 26) if compact else None)
    keys = (("t_probability",), ("t_median", "t_interval"), ("t_required", "t_historical")) \
        if compact else (("t_probability",), ("t_median",), ("t_interval",), ("t_required",),
                         ("t_historical",))
    first = min(ids + 2, 26)
    rest = max(10, (console.width - 13 - first - 14) // 2)   # 4 columns: 13 border cells
    for group in keys:
        width = (14 if group == ("t_probability",) else rest) if compact else None
        table.add_column(" / ".join(message(k, lang) for k in group), justify="right",
                         overflow="fold", width=width)
    if not compact:
        table.add_column("*", justify="left", no_wrap=True)
    for target, t in zip(results.targets, summary.targets):
        q = functools.partial(format_quantity, scale=t.quantity_scale, unit=t.unit, lang=lang)
        label = label_of(target.label, t.id, lang)
        cells = [format_probability(t.probability, t.probability_se, lang)
                 + (" \u2020" if t.rests_on_assumptions else ""), q(t.median),
                 f"{q(t.p05)} \u2013 {q(t.p95)}",
                 format_rate(t.required_rate, t.rate_kind, t.unit, lang),
                 format_rate(t.historical_rate, t.historical_rate_kind, t.unit, lang)]
        if compact:
            cells = [cells[0], f"{cells[1]}\n{cells[2]}", f"{cells[3]}\n{cells[4]}"]
        star = "*" if t.assumed else ""
        name = t.id + (f" {star}" if compact and star else "")
        table.add_row(name + ("" if label == t.id else f"\n{label}"), *cells,
                      *(() if compact else (star,)), end_section=compact)
    console.print(table)
    console.print(message("t_joint", lang, p=format_probability(
        summary.joint_probability, summary.joint_probability_se, lang)))
    if summary.at_least:
        n = len(summary.at_least)
        console.print(message("t_at_least", lang, n=n, items=", ".join(
            f"{k}: {format_probability(p, se, lang)}" for k, (p, se)
            in enumerate(zip(summary.at_least, summary.at_least_se), start=1))))
    marked = [t for t in summary.targets if t.drivers]
    if marked:
        console.print(message("t_drivers", lang))
        for t in marked:
            d = t.drivers[0]
            words = message("driver_words", lang, input=d.input,
                            origin=message(f"origin_{d.origin}", lang),
                            low=percent(d.low_probability, 0, lang),
                            low_value=significant(d.low_value, 3, lang),
                            high=percent(d.high_probability, 0, lang),
                            high_value=significant(d.high_value, 3, lang))
            mark = "\u2020" if t.rests_on_assumptions else " "
            console.print(f"  {mark} {t.id}: " + message(
                "t_driver_line", lang, share=percent(t.assumption_share or 0.0, 0, lang),
                words=words))
    elif summary.targets and not summary.exact:
        console.print(message("t_no_drivers", lang))
    if not summary.exact:
        loose = [t.id for t in summary.targets if t.loose]
        console.print(message("t_streamed", lang, loose=message("t_loose", lang, ids=", ".join(
            loose)) if loose else message("t_tight", lang)))
    items = results.assumptions()
    if not all_assumptions:
        driving = {d.input for t in marked for d in t.drivers
                   if d.group in ("prior", "assumption")}
        shown = [a for a in items if a.key in driving or (a.level and not marked)]
        if shown:
            console.print(message("t_key_assumptions", lang))
        for item in shown:
            unit = results.info[item.indicator].unit if item.level else None
            declared, reading = assumption_text(item.distribution, lang, unit=unit)
            console.print(f"  {item.key}: {reading or declared}"
                          + (f" ({declared})" if reading and declared else ""))
        console.print(message("t_assumption_count", lang, n=len(items)))
        return
    for key, levels in (("t_levels", True), ("t_others", False)):
        console.print(message(key, lang))
        for item in items:
            if item.level == levels:
                unit = results.info[item.indicator].unit if item.level else None
                declared, reading = assumption_text(item.distribution, lang, unit=unit)
                console.print(f"  {item.key} ~ {declared or reading}"
                              + (f" ({reading})" if reading and declared else "")
                              + f": {item.why}")


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draws", type=draws_option(), help="Number of draws (default: the "
              "scenario's).")
@click.option("--seed", type=SEED, help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: runs/<scenario name>).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              metavar="N", help="Processes sharing the blocks: this one and a local Dask "
              "cluster of N-1 worker processes (1: this process alone); results do not "
              "depend on it.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Run the blocks on this Dask "
              "cluster; results do not depend on it.")
@click.option("--keep-draws/--no-keep-draws", default=None, help="Keep every draw in "
              "results.nc, or only summaries (default: keep up to 200,000 draws).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--report", "with_report", is_flag=True,
              help="Also write report.html (self-contained) beside the results.")
@LANG
@click.option("--assumptions", "all_assumptions", is_flag=True,
              help="List every assumption with its reason (default: those that drive the "
              "answer).")
@click.option("--allow-unused", is_flag=True, help="Calibrate without evidence rows that "
              "cannot be read (each is printed) instead of refusing them.")
def run(scenario: Path, draws: int | None, seed: int | None, out: Path | None, force: bool,
        workers: int, with_report: bool = False, scheduler: str | None = None,
        keep_draws: bool | None = None, quiet: bool = False, allow_unused: bool = False,
        lang: str = "en", all_assumptions: bool = False) -> None:
    """Simulate SCENARIO and report the probability of every target."""
    from forecast.calibration import unused_rows
    from forecast.limits import check_scheduler, check_workers, workers_unused
    from forecast.pipeline import calibrate, simulate
    from forecast.io.writers import check_writable, output_lock, write_folder
    from forecast.io.scenario_file import load_scenario
    from forecast.summary import KEEP_DRAWS_LIMIT

    if scheduler is not None:
        check_scheduler(scheduler)
    check_workers(workers)
    loaded = load_scenario(scenario)
    out = out or Path("runs") / loaded.name
    check_writable(out, force=force)
    console = make_console()
    with output_lock(out):  # a second run writing the same folder now stops here
        model = calibrate(loaded, allow_unused=allow_unused)
        for name, component in model.components.items():
            for row, why in unused_rows(component):
                console.print(f"Not used (--allow-unused): {row.file}:{row.line} {name}: "
                              f"{why}")
        total = loaded.draws if draws is None else draws
        note = None if scheduler else workers_unused(
            total, workers, keep_draws=total <= KEEP_DRAWS_LIMIT if keep_draws is None
            else keep_draws)
        if note:
            console.print(f"--workers {workers}: {note}.")
        from forecast.cli.progress import ProgressBar, wanted

        with ProgressBar(total, enabled=wanted(quiet=quiet)) as progress:
            results = simulate(loaded, draws=draws, seed=seed, workers=workers,
                               scheduler=scheduler, keep_draws=keep_draws, progress=progress,
                               model=model)
        contents = results.outputs()
        if with_report:
            from forecast.report import render_report

            contents["report.html"] = render_report(results, lang=lang)
        write_folder(out, contents, force=force)
    print_summary(results, console, lang=lang, all_assumptions=all_assumptions)
    from forecast.messages import message

    console.print(message("t_wrote", lang, files=", ".join(str(out / name) for name in contents)))
