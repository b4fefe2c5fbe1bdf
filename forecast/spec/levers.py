"""Levers: named policy settings that components read, and their resolution to numbers.

A scenario declares ``levers:`` (name -> value, range, unit, why); a component setting typed
:data:`LeverValue` may be a number or ``{lever: name}``. When the scenario is loaded every
reference is replaced by the lever's value and remembered, so :func:`set_levers` can later move a
lever (``forecast solve``, a variant) on an already calibrated component without recalibrating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Number = Annotated[float, Field(allow_inf_nan=False)]


class LeverRef(BaseModel):
    """A reference to a lever in a component setting: ``{lever: road_share}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    lever: str


LeverValue = Union[Number, LeverRef]
"""A number, or a reference to one of the scenario's levers."""


class Lever(BaseModel):
    """A policy setting a planner can move, with the range a search may explore."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    value: Number
    low: Number
    high: Number
    unit: str = ""
    label: str | dict[str, str] = ""
    why: str = Field(min_length=3, description="Why this value: its source or reasoning.")

    @model_validator(mode="after")
    def _in_range(self):
        if not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value:g} lies outside [low, high] = "
                             f"[{self.low:g}, {self.high:g}]")
        return self


Path_ = tuple[str, ...]


def find_refs(model: BaseModel, prefix: Path_ = ()) -> dict[Path_, str]:
    """Every lever reference inside ``model``: setting path -> lever name."""
    found: dict[Path_, str] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, LeverRef):
            found[prefix + (name,)] = value.lever
        elif isinstance(value, BaseModel):
            found.update(find_refs(value, prefix + (name,)))
    return found


def _replace(model: BaseModel, path: Path_, value: Any) -> BaseModel:
    head, rest = path[0], path[1:]
    new_value = value if not rest else _replace(getattr(model, head), rest, value)
    copy = model.model_copy(update={head: new_value})
    return copy


def set_levers(component: BaseModel, refs: Mapping[Path_, str],
               values: Mapping[str, float]) -> BaseModel:
    """A copy of ``component`` with each referenced setting set to its lever's value.

    Private state (calibration, remembered references) is kept, so a calibrated component stays
    calibrated.
    """
    new = component
    for path, lever in refs.items():
        if lever in values:
            new = _replace(new, path, float(values[lever]))
    return new
