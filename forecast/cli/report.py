"""Commands ``forecast report`` and ``forecast plot``: the HTML report and single charts.

"""

from __future__ import annotations

from pathlib import Path

import click

from forecast.cli.app import Command
from forecast.cli.options import LANG as LANG_OPTION


@click.command(cls=Command)
@click.argument("run_dirs", metavar="RUN_DIR [RUN_DIR ...]", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: report.html in the first RUN_DIR).")
@LANG_OPTION
def report(run_dirs: tuple[Path, ...], output: Path | None, lang: str) -> None:
    """Write one self-contained HTML report of RUN_DIR (several: compared, the first as reference).

    The file opens offline: charts and styles are inside it.
    """
    from forecast.errors import InputError, Problem
    from forecast.pipeline import write_report

    try:  # the one implementation (the library's): checks, saved answers, atomic write
        written = write_report(list(run_dirs), output or run_dirs[0] / "report.html",
                               lang=lang)
    except InputError as exc:  # its parameter is this command's --output
        raise type(exc)([Problem(p.file, p.line, "output" if p.key == "path" else p.key,
                                 p.message) for p in exc.problems]) from None
    click.echo(f"Wrote {written}")


@click.command(cls=Command)
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("indicator")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Image to write: .png, .svg or .pdf (default: RUN_DIR/INDICATOR.png).")
@LANG_OPTION
def plot(run_dir: Path, indicator: str, output: Path | None, lang: str) -> None:
    """Draw the fan chart of INDICATOR from the run in RUN_DIR."""
    from forecast.errors import InputError
    from forecast.io.writers import check_file_writable, write_atomic
    from forecast.results import Results
    from forecast.report.plots import fan_chart
    from forecast.report.style import FORMATS, figure_bytes

    output = output or run_dir / f"{indicator}.png"
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError.single(f"cannot tell the image format from '{output.suffix or output}'; "
                                f"expected a name ending in {', '.join('.' + f for f in FORMATS)}",
                                file=str(output))
    results = Results.load(run_dir)
    results.indicator_info(indicator)
    check_file_writable(output)
    ax = fan_chart(results, indicator, lang=lang)
    write_atomic(output, figure_bytes(ax.figure, fmt))
    click.echo(f"Wrote {output}")
