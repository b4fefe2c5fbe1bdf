"""``forecast calibrate``: every parameter, where it came from, and the fits made."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option


def _print_calibration(report, console) -> None:
    from rich.table import Table

    from forecast.formatting import format_number, format_value

    by_indicator: dict[str, list[dict]] = {}
    for record in report.parameters:
        by_indicator.setdefault(record["indicator"], []).append(record)
    for info in report.indicators:
        name = info["indicator"]
        table = Table(title=f"{name} ({info['model']}, {info['unit']})", title_justify="left",
                      show_lines=False)
        for column, justify in (("parameter", "left"), ("mean", "right"),
                                ("5–95 %", "right"), ("from", "left"), ("how", "left")):
            table.add_column(column, justify=justify, overflow="fold")
        for record in by_indicator.get(name, []):
            if record["parameter"] == "base":
                fmt = lambda v: format_value(v, info["unit"])  # noqa: E731
            else:
                fmt = format_number
            how = record["detail"]
            if record["fit"] is not None:
                fit = record["fit"]
                se = f" ± {format_number(fit['se'])}" if fit["se"] is not None else ""
                how += f" [{fit['fit']}: {format_number(fit['estimate'])}{se}, n={fit['nobs']}]"
            table.add_row(record["parameter"], fmt(record["mean"]),
                          f"{fmt(record['p05'])} – {fmt(record['p95'])}", record["origin"], how)
        console.print(table)
        rows = {r["line"]: r for r in info["evidence"]}
        used = sorted({line for block in info["blocks"] for line in block["rows"]})
        for line in used:
            row = rows[line]
            years = f"{row['year']}" + (f"-{row['year_end']}" if row["year_end"] else "")
            console.print(f"  evidence {row['file']}:{line} {row['indicator']} {row['kind']} "
                          f"{years} = {row['value']:,.10g} {row['unit']} ({row['source']})",
                          soft_wrap=True)
        for unused in info["unused"]:
            console.print(f"  unused line {unused['line']}: {unused['why']}", soft_wrap=True)
        for fit_name, fit in info["fits"].items():
            if fit.get("fitted"):
                estimates = ", ".join(f"{k} {format_number(v)} ± {format_number(fit['bse'][k])}"
                                      for k, v in fit["params"].items())
                console.print(f"  fit {fit_name} ({fit['method']}, n={fit['nobs']}): "
                              f"{estimates}; residual sd {format_number(fit['sigma'])}",
                              soft_wrap=True)
            else:
                console.print(f"  no {fit_name}: {fit['reason']}; the posterior rests on the "
                              "blocks and priors above", soft_wrap=True)
    console.print(f"Distributions from {report.draws:,} draws of the calibrated posterior, seed "
                  f"{report.seed} (the draws of block 0 of a run with this seed).")


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--draws", type=draws_option(100), default=8192, show_default=True,
              help="Draws per parameter for its mean and interval.")
@click.option("--seed", type=SEED, help="Seed of those draws (default: the "
              "scenario's).")
def calibrate(scenario: Path, as_json: bool, draws: int, seed: int | None) -> None:
    """Show every model parameter of SCENARIO: its distribution, where it came from, and the
    fits made on the way."""
    from forecast.analysis.calibration_report import calibration_report

    report = calibration_report(scenario, draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_calibration(report, make_console())
