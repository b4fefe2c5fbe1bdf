"""``forecast validate`` and ``forecast schema``: check inputs without simulating."""

from __future__ import annotations

import json
from pathlib import Path

import click

from forecast.cli.app import Command


@click.command(cls=Command)
@click.argument("scenarios", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def validate(scenarios: tuple[Path, ...]) -> None:
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
        calibrate(loaded)
        click.echo(f"{path}: valid ({len(loaded.indicators)} indicators, "
                   f"{len(loaded.targets)} targets)")


@click.command(cls=Command)
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from forecast.spec.scenario import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
