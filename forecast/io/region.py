"""Reading the evidence of a scenario: its history file, resolved for its region (superseded
rows left out, readings combined, a merged region's history derived from its predecessors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forecast.io.history import History, read_history

if TYPE_CHECKING:  # pragma: no cover
    from forecast.spec.scenario import Scenario


def read_scenario_history(scenario: "Scenario") -> History:
    """The history a scenario calibrates on (see :func:`forecast.region.resolve`).

    Raises
    ------
    DataError
        If the file cannot be read, or a row cannot serve the region (located at the row).
    """
    from forecast.region import resolve

    return resolve(read_history(scenario.history_path), scenario.region_spec)
