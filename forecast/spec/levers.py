"""Levers: named policy settings that components read, and their resolution to numbers.

A scenario declares ``levers:`` (name -> value, range, unit, why, optionally a ``cost:`` and
whether the lever takes whole numbers) and may declare ``budgets:`` (limits per budget group and
year) and ``precedents:`` (the panel column an indicator's pace is compared with in
``forecast plan``); a component setting typed
:data:`LeverValue` may be a number or ``{lever: name}``. When the scenario is loaded every
reference is replaced by the lever's value and remembered, so :func:`set_levers` can later move a
lever (``forecast solve``, a variant) on an already calibrated component without recalibrating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Number = Annotated[float, Field(allow_inf_nan=False)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class LeverCost(BaseModel):
    """What a lever costs a year: ``value * per_unit``, or ``value * per_unit * indicator``
    (the indicator's mean yearly value over the plan years, e.g. a share of social investment
    costs that share of the yearly investment), in the scenario's money unit, charged to a
    budget ``group`` if one is named."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    per_unit: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        description="Money a year per unit of the lever (times the indicator, if one is named).")
    indicator: Name | None = Field(default=None, description="An indicator whose mean yearly "
                                   "value multiplies the cost (a lever that is a share of it).")
    group: Name | None = Field(default=None, description="The budget (under 'budgets:') that "
                               "pays for it.")
    unit: str = ""
    why: str = Field(min_length=3, description="Why this cost: its source or reasoning.")


class Budget(BaseModel):
    """A yearly limit on the cost of the levers of one budget group."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    limit: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        description="Most the group's levers may cost a year (the scenario's money unit).")
    unit: str = ""
    label: str | dict[str, str] = ""
    why: str = Field(min_length=3, description="Why this limit: its source or reasoning.")


class Precedent(BaseModel):
    """Which panel column an indicator's required pace is compared with: the fastest pace any
    unit of the panel achieved over a period of the same length."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    panel: Name = Field(description="A panel of the prior library (its file name without "
                        "'.csv', e.g. vietnam_provincial_budget).")
    column: str = Field(min_length=1, description="The panel column (e.g. final_revenue).")
    units: str = Field(default="provinces", description="What the panel's units are, for the "
                       "message ('faster than any of the provinces ...').")
    why: str = Field(min_length=3, description="Why this column is comparable with the "
                     "indicator.")


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
    cost: LeverCost | None = Field(default=None, description="What the lever costs a year; "
                                   "'forecast plan' moves only levers with a cost.")
    integer: bool = Field(default=False, description="The lever takes whole numbers only.")

    @model_validator(mode="after")
    def _in_range(self):
        if not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value:g} lies outside [low, high] = "
                             f"[{self.low:g}, {self.high:g}]")
        if self.integer and not all(float(v).is_integer()
                                    for v in (self.value, self.low, self.high)):
            raise ValueError("an integer lever takes whole numbers as value, low and high")
        return self


Path_ = tuple[str, ...]


def lever_problems(levers: Mapping[str, Lever], budgets: Mapping[str, Budget],
                   indicators: Mapping[str, Any],
                   precedents: Mapping[str, Precedent]) -> list[tuple[Path_, str]]:
    """What is wrong across levers, budgets and precedents: (key path, message) pairs."""
    from forecast.errors import did_you_mean

    problems: list[tuple[Path_, str]] = []
    for name, lever in levers.items():
        cost = lever.cost
        if cost is None:
            continue
        if cost.group is not None and cost.group not in budgets:
            problems.append((("levers", name, "cost", "group"), (
                f"unknown budget '{cost.group}'.{did_you_mean(cost.group, budgets)} Declare "
                f"it under 'budgets:' (declared: {', '.join(budgets) or 'none'})")))
        if cost.indicator is not None and cost.indicator not in indicators:
            problems.append((("levers", name, "cost", "indicator"), (
                f"unknown indicator '{cost.indicator}'."
                f"{did_you_mean(cost.indicator, indicators)}")))
    for name in precedents:
        if name not in indicators:
            problems.append((("precedents", name), (
                f"unknown indicator '{name}'.{did_you_mean(name, indicators)}")))
    return problems


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
