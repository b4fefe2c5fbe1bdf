"""Reading a scenario file: YAML (following ``extends:``) -> a validated :class:`Scenario`."""

from __future__ import annotations

from pathlib import Path

from forecast.io.yaml_source import load_document
from forecast.spec.scenario import Scenario, parse_scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (following ``extends:``).

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With the file, line and key path of every problem.
    """
    raw, source = load_document(Path(path))
    return parse_scenario(raw, source, str(Path(path).resolve()))
