"""``forecast backtest``: score the revenue model on the provincial panel."""

from __future__ import annotations

from pathlib import Path

import click

from forecast.cli.app import Command, console as make_console


def _prior_option(text: str, option: str, allowed: tuple[str | None, ...]):
    """``pooled``/``none`` or a distribution written as YAML flow (``{dist: halfnormal, ...}``)."""
    import yaml
    from pydantic import TypeAdapter, ValidationError

    from forecast.spec.distributions import Distribution
    from forecast.errors import InputError

    word = None if text == "none" else text
    if word in allowed:
        return word
    try:
        raw = yaml.safe_load(text)
        if isinstance(raw, dict):
            raw.setdefault("why", "given on the command line")
        return TypeAdapter(Distribution).validate_python(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        choices = " or ".join(f"'{a or 'none'}'" for a in allowed)
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InputError.single(f"found {text!r} ({detail}); expected {choices} or a "
                                "distribution such as '{dist: halfnormal, scale: 0.1}'",
                                key=option) from None


def _print_backtest(result, console) -> None:
    from forecast.cli.tables import add_columns, make_table

    s = result.settings
    table = make_table(console, f"Backtest: fit {s.first_year}-{s.cutoff}, forecast "
                       f"{s.cutoff + 1}-{s.last_year}, {len(result.provinces)} provinces "
                       f"({s.column}, log scale)")
    add_columns(table, (("method", "left"), ("horizon", "right"), ("n", "right"),
                        ("50 % coverage", "right"), ("90 % coverage", "right"),
                        ("CRPS", "right"), ("mean PIT", "right"),
                        ("PIT histogram (10 bins)", "left")))
    for r in result.records:
        table.add_row(r["method"], str(r["horizon"]), str(r["forecasts"]),
                      f"{100 * r['coverage50']:.0f} % ± {100 * r['coverage50_se']:.0f}",
                      f"{100 * r['coverage90']:.0f} % ± {100 * r['coverage90_se']:.0f}",
                      f"{r['crps']:.3f} ± {r['crps_se']:.3f}", f"{r['mean_pit']:.2f}",
                      " ".join(f"{c:>2}" for c in r["pit_histogram"]))
    console.print(table)
    for what, why in result.excluded:
        console.print(f"  left out {what}: {why}")
    for item in result.skipped:
        console.print(f"  skipped {item['province']}: {item['why']}")
    console.print("Coverage ± its binomial standard error at the nominal rate; CRPS of log "
                  "revenue ± its standard error across forecasts. Provinces share their years, "
                  "so forecasts of one year are not independent.")


def _print_horizons(column: str, result: dict, console) -> None:
    from forecast.cli.tables import make_table, narrow

    s = result["settings"]
    table = make_table(console, f"Backtest at every origin and horizon: {column}, model "
                       f"{s['model']} (log scale)")
    compact = narrow(console)  # the two coverages and the two CRPS ratios stacked
    headers = ["method", "horizon", "n", "origins", "50 % coverage", "90 % coverage", "CRPS",
               "CRPS vs naive", "vs climatology", "mean PIT", "interval score 90"]
    if compact:
        headers = ["method", "ahead", "n", "origins", "cover 50 / 90 %", "CRPS",
                   "ratio naive / clim", "mean PIT", "IS 90"]
    rows = []
    for r in result["summary"]:
        origins = r["origins"]
        cells = [r["method"], str(r["horizon"]), str(r["forecasts"]),
                 f"{origins[0]}-{origins[-1]}" if len(origins) > 1 else str(origins[0]),
                 f"{100 * r['coverage50']:.0f} % ± {100 * r['coverage50_se']:.0f}",
                 f"{100 * r['coverage90']:.0f} % ± {100 * r['coverage90_se']:.0f}",
                 f"{r['crps']:.3f}", f"{r['crps_vs_naive']:.2f}" if "crps_vs_naive" in r
                 else "", f"{r['crps_vs_climatology']:.2f}" if "crps_vs_climatology" in r
                 else "", f"{r['mean_pit']:.2f}", f"{r['interval90']:.3f}"]
        if compact:
            cells = cells[:4] + [f"{cells[4]}\n{cells[5]}", cells[6],
                                 f"{cells[7]}\n{cells[8]}", cells[9], cells[10]]
        rows.append(cells)
    for index, name in enumerate(headers):
        # narrow: each column as wide as its widest number (numbers are never broken), the
        # header wrapping between its words
        width = max([len(line) for row in rows for line in row[index].split("\n")]
                    + [len(word) for word in name.split()]) if compact else None
        table.add_column(name, justify="left" if name == "method" else "right",
                         overflow="fold", width=width)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)
    if compact:
        console.print("ahead: horizon in years; cover: coverage of the 50 % and 90 % intervals; "
                      "ratio: CRPS over that of the naive and of the climatology forecast; IS "
                      "90: interval score of the 90 % interval.")


@click.command(cls=Command)
@click.option("--panel", type=click.Path(dir_okay=False, path_type=Path),
              help="Panel CSV to backtest on (province, year, final_revenue, ...), with the "
              "exclusions of the prior library (default: the provincial budget panel shipped "
              "in the library).")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Prior library folder, with priors.yaml (default: the one shipped in the "
              "package).")
@click.option("--first-year", type=int, default=2006, show_default=True,
              help="First level used for fitting.")
@click.option("--cutoff", type=int, default=2011, show_default=True,
              help="Last level used for fitting (the forecast origin).")
@click.option("--last-year", type=int, default=2014, show_default=True,
              help="Last year forecast and scored.")
@click.option("--volatility", default="pooled", show_default=True,
              help="'pooled' (re-derived from the other provinces' fitting years) or a "
              "distribution, e.g. '{dist: halfnormal, scale: 0.1}'.")
@click.option("--persistence", default="pooled", show_default=True,
              help="'pooled', 'none' (independent years) or a distribution.")
@click.option("--tail-dof", type=click.FloatRange(min=2, min_open=True),
              help="Student-t shocks with these degrees of freedom (default: normal).")
@click.option("--draws", type=click.IntRange(min=100), default=4000, show_default=True,
              help="Draws per province.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs") / "backtest", show_default=True,
              help="Folder for backtest.json.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--horizons", is_flag=True, help="Every origin from 2009 and horizons 1-5 on the "
              "settled and the planned revenue panels, scored per horizon against the naive "
              "and the panel-climatology benchmarks (the table of docs/validation.md).")
@click.option("--model", "model_name", type=click.Choice(["pooled", "independent"]),
              default="pooled", show_default=True, help="With --horizons: the common "
              "component with pooled drifts, or the earlier independent-province model.")
def backtest(panel: Path | None, library: Path | None, first_year: int, cutoff: int,
             last_year: int, volatility: str, persistence: str, tail_dof: float | None,
             draws: int, seed: int, out: Path, force: bool, horizons: bool,
             model_name: str) -> None:
    """Fit the revenue model on every province up to a cut-off and score its forecasts of the
    later years against a naive benchmark (--horizons: at every origin and horizon)."""
    from forecast.analysis.backtest import BacktestSettings, run_backtest
    from forecast.io.panel import read_panel
    from forecast.io.prior_library import load_prior_library
    from forecast.io.writers import check_writable, write_folder

    check_writable(out, force=force)
    if horizons:
        from forecast.analysis.backtest import COLUMNS, HorizonSettings, run_horizons

        loaded = load_prior_library(library)
        results = {column: run_horizons(loaded, HorizonSettings(
            column=column, model=model_name, draws=draws, seed=seed)) for column in COLUMNS}
        write_folder(out, {"backtest.json": {"horizons": results}}, force=force)
        console = make_console()
        for column, result in results.items():
            _print_horizons(column, result, console)
        console.print("Coverage ± its binomial standard error at the nominal rate; CRPS of log "
                      "revenue and its ratio to each benchmark's; forecasts of one origin share "
                      "the national path, so they are not independent.")
        console.print(f"Wrote {out / 'backtest.json'}")
        return
    settings = BacktestSettings(
        first_year=first_year, cutoff=cutoff, last_year=last_year,
        volatility=_prior_option(volatility, "volatility", ("pooled",)),
        persistence=_prior_option(persistence, "persistence", ("pooled", None)),
        tail_dof=tail_dof, draws=draws, seed=seed)
    priors = load_prior_library(library)
    result = run_backtest(priors, settings,
                          panel=read_panel(panel) if panel is not None else None)
    write_folder(out, {"backtest.json": result.to_dict()}, force=force)
    path = out / "backtest.json"
    console = make_console()
    _print_backtest(result, console)
    console.print(f"Wrote {path}")
