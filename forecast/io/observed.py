"""The figures observed after a scenario's base year: the files its ``monitoring.observed``
names, read as history files (for ``forecast update`` and ``forecast holdout``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from forecast.io.history import Evidence, read_history
from forecast.spec.scenario import Scenario

__all__ = ["observed_files", "read_observed"]


def observed_files(scenario: Scenario) -> list[Path]:
    """The files the scenario declares under ``monitoring.observed``, resolved against the
    folder of the file that declared them.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    list of Path
    """
    out = []
    for i, name in enumerate(scenario.monitoring.observed):
        file, _ = scenario.locate("monitoring", "observed", i)
        folder = Path(file).parent if file not in (None, "<memory>") else Path(".")
        out.append((folder / name).resolve())
    return out


def read_observed(files: Sequence[str | Path]) -> tuple[Evidence, ...]:
    """Every row of the observed files, each read as a history file.

    Parameters
    ----------
    files : sequence of path

    Returns
    -------
    tuple of Evidence

    Raises
    ------
    DataError
        If a file cannot be read or a row is bad (at its line).
    """
    rows: list[Evidence] = []
    for file in files:
        rows.extend(read_history(file).rows)
    return tuple(rows)
