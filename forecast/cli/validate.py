"""``forecast validate`` and ``forecast schema``: check inputs without simulating."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import Command


@click.command(cls=Command)
@click.argument("scenarios", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--allow-unused", is_flag=True, help="Accept evidence rows that cannot be read "
              "(each is printed) instead of refusing them.")
def validate(scenarios: tuple[Path, ...], allow_unused: bool = False) -> None:
    """Check scenario files (with the history files they name, calibrating but not simulating)
    and history files (.csv)."""
    from forecast.pipeline import calibrate
    from forecast.io.history import read_history
    from forecast.io.scenario_file import load_scenario

    for path in scenarios:
        if path.suffix.lower() == ".csv":
            history = read_history(path)
            click.echo(f"{path}: valid history ({len(history.rows)} rows, "
                       f"{len(history.indicators)} indicators)")
            continue
        loaded = load_scenario(path)
        model = calibrate(loaded, allow_unused=allow_unused)
        from forecast.calibration import unused_rows

        for name, component in model.components.items():
            for row, why in unused_rows(component):
                click.echo(f"Not used (--allow-unused): {row.file}:{row.line} {name}: {why}")
        click.echo(f"{path}: valid ({len(loaded.indicators)} indicators, "
                   f"{len(loaded.targets)} targets)")


def schema_text() -> str:
    """The JSON Schema of scenario files as ``forecast schema`` writes it (the text of
    ``scenarios/scenario.schema.json``)."""
    from forecast.spec.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


@click.command(cls=Command)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file (replaced in one move) instead of printing "
                   "it.")
def schema(output: Path | None = None) -> None:
    """Print the JSON Schema of scenario files (for editors; whole files and extends variants
    alike)."""
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    from forecast.io.writers import write_atomic

    write_atomic(output, text.encode("utf-8"))
    click.echo(f"Wrote {output}")
