"""``forecast calibrate``: every parameter, where it came from, and the fits made."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import SEED, Command, console as make_console, draws_option
from forecast.cli.options import LANG


def _print_calibration(report, console, lang: str = "en") -> None:
    from rich.table import Table

    from forecast.analysis.calibration_report import FIT_NAMES, detail_text
    from forecast.formatting import format_number, format_value, significant
    from forecast.messages import CATALOG, message, unit_text

    num = lambda v: format_number(v, lang)  # noqa: E731
    by_indicator: dict[str, list[dict]] = {}
    for record in report.parameters:
        by_indicator.setdefault(record["indicator"], []).append(record)
    for info in report.indicators:
        name = info["indicator"]
        table = Table(title=f"{name} ({info['model']}, {unit_text(info['unit'], lang)})",
                      title_justify="left", show_lines=False)
        for key, justify in (("t_parameter", "left"), ("t_mean", "right"),
                             ("t_range_5_95", "right"), ("t_from", "left"), ("t_how", "left")):
            table.add_column(message(key, lang), justify=justify, overflow="fold")
        for record in by_indicator.get(name, []):
            if record["parameter"] == "base":
                fmt = lambda v: format_value(v, info["unit"], lang)  # noqa: E731
            else:
                fmt = num
            how = detail_text(record, lang)
            if record["fit"] is not None:
                fit = record["fit"]
                se = f" ± {num(fit['se'])}" if fit["se"] is not None else ""
                kind = {v: k for k, v in FIT_NAMES.items()}.get(fit["fit"])
                name = message(f"cal_fit_{kind}", lang) if kind else fit["fit"]
                how += f" [{name}: {num(fit['estimate'])}{se}, n={fit['nobs']}]"
            origin = record["origin"]
            table.add_row(record["parameter"], fmt(record["mean"]),
                          f"{fmt(record['p05'])} – {fmt(record['p95'])}",
                          message(f"origin_{origin}", lang) if f"origin_{origin}" in CATALOG
                          else origin, how)
        console.print(table)
        rows = {r["line"]: r for r in info["evidence"]}
        used = sorted({line for block in info["blocks"] for line in block["rows"]})
        for line in used:
            row = rows[line]
            years = f"{row['year']}" + (f"-{row['year_end']}" if row["year_end"] else "")
            console.print("  " + message(
                "t_evidence_row", lang, where=f"{row['file']}:{line}", indicator=row["indicator"],
                kind=row["kind"], years=years, value=significant(row["value"], 10, lang),
                unit=unit_text(row["unit"], lang), source=row["source"]))
        def reason(key, fields, text):  # a model's reason, in the language when known
            return text if key is None else message(key, lang, **fields)

        for unused in info["unused"]:
            console.print("  " + message("t_unused_row", lang, line=unused["line"], why=reason(
                unused["why_key"], unused["why_fields"], unused["why"])))
        for fit_name, fit in info["fits"].items():
            fit_name = message(f"cal_fit_{fit['kind']}", lang) \
                if f"cal_fit_{fit['kind']}" in CATALOG else fit_name
            if fit.get("fitted"):
                estimates = ", ".join(f"{k} {num(v)} ± {num(fit['bse'][k])}"
                                      for k, v in fit["params"].items())
                console.print("  " + message("t_fit", lang, name=fit_name, method=fit["method"],
                                             n=fit["nobs"], estimates=estimates,
                                             sigma=num(fit["sigma"])))
            else:
                console.print("  " + message("t_no_fit", lang, name=fit_name, reason=reason(
                    fit.get("reason_key"), fit.get("reason_fields", {}), fit["reason"])))
    console.print(message("t_calibration_draws", lang, draws=significant(report.draws, 12, lang),
                          seed=report.seed))


@click.command(cls=Command)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--draws", type=draws_option(100), default=8192, show_default=True,
              help="Draws per parameter for its mean and interval.")
@click.option("--seed", type=SEED, help="Seed of those draws (default: the "
              "scenario's).")
@LANG
def calibrate(scenario: Path, as_json: bool, draws: int, seed: int | None,
              lang: str = "en") -> None:
    """Show every model parameter of SCENARIO: its distribution, where it came from, and the
    fits made on the way."""
    from forecast.analysis.calibration_report import calibration_report

    report = calibration_report(scenario, draws=draws, seed=seed)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_calibration(report, make_console(), lang)
