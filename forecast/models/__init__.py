"""Model components and the registry that maps a scenario's ``model:`` names to them."""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points

from forecast.models.adoption import Adoption
from forecast.models.common import Common
from forecast.models.base import Component, Draws, Fit, ParameterFit, ParameterSource
from forecast.models.coverage import Coverage
from forecast.models.elasticity import Elasticity, Fiscal
from forecast.models.growth import Growth
from forecast.models.investment import Investment
from forecast.models.poverty import Poverty

BUILT_IN: dict[str, type[Component]] = {
    "growth": Growth, "elasticity": Elasticity, "fiscal": Fiscal, "poverty": Poverty,
    "coverage": Coverage, "adoption": Adoption, "investment": Investment, "common": Common,
}


def registry() -> dict[str, type[Component]]:
    """Every registered component class by its ``model:`` name.

    Built-in components, then those that installed packages register under the
    ``forecast.models`` entry-point group. A scenario names a component by this name only,
    never by an import path.
    """
    found = dict(BUILT_IN)
    for entry in entry_points(group="forecast.models"):
        if entry.name in found:
            continue
        try:
            cls = entry.load()
        except Exception as exc:  # a broken plug-in must not break the other components
            warnings.warn(f"the component '{entry.name}' registered by an installed package "
                          f"could not be loaded and is skipped: {exc}", stacklevel=2)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            warnings.warn(f"entry point '{entry.name}' is not a forecast Component; skipped",
                          stacklevel=2)
            continue
        found[entry.name] = cls
    return found


__all__ = ["Adoption", "Common", "Component", "Coverage", "Draws", "Elasticity", "Fiscal", "Fit",
           "Growth", "Investment", "ParameterFit", "ParameterSource", "Poverty", "registry",
           "BUILT_IN"]
