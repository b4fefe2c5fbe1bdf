"""Command ``forecast export``: a saved run in another tool's format (``--format iamc``:
pyam's long format, :mod:`forecast.io.iamc`)."""

from __future__ import annotations

from pathlib import Path

import click

from forecast.cli.app import Command
from forecast.messages import LANGUAGES


@click.command(cls=Command)
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["iamc"]), default="iamc", show_default=True,
              help="iamc: the IAMC long format of pyam (model, scenario, region, variable, "
                   "unit, year, value), every quantile of every indicator per year.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV file to write (default: iamc.csv in RUN_DIR).")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="en", show_default=True,
              help="Language of the text the command prints.")
def export(run_dir: Path, fmt: str, out: Path | None, lang: str) -> None:
    """Write the run in RUN_DIR in another tool's format (a CSV file, written in one move)."""
    from forecast.errors import InputError
    from forecast.io.iamc import iamc_table
    from forecast.io.writers import EXPORTS, check_file_writable, write_export
    from forecast.messages import message
    from forecast.results import Results

    out = out or Path(run_dir) / EXPORTS[fmt]
    if out.suffix.lower() != ".csv":
        raise InputError.single(f"the {fmt} export is a CSV file; name it '*.csv' (found "
                                f"'{out.suffix or out.name}')", file=str(out), key="out")
    results = Results.load(run_dir)
    check_file_writable(out)
    write_export(out, fmt, iamc_table(results))
    click.echo(message("t_wrote", lang, files=str(out)))
