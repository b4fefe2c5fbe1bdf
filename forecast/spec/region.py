"""A region assembled from its predecessors: the ``region:`` mapping of a scenario file.

A region that did not exist before a merger (three provinces made one) has no record of its own
before the merger; its predecessors do. A scenario then declares::

    region:
      name: New province (merged 1 July 2025), Vietnam
      merged: "2025-07-01"
      predecessors: [old_a, old_b, old_c]   # the `region` tags of their rows in the history file
      derive:
        grdp_current: {rule: sum, unit: billion VND, why: ...}
        grdp_growth:
          rule: weighted
          unit: "%/yr"
          weights: {indicator: grdp_current, nearest: 2, why: ...}
          why: ...

and the merged history is derived from the predecessors' rows (``forecast/region.py``). Plain
text (``region: Cẩm Khê district``) stays valid: a region with no predecessors.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Tag = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class Weights(BaseModel):
    """What a growth rate of the predecessors is weighted by: their levels of an indicator in
    the year before (the start year of the rate), as shares of the sum."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    indicator: Tag = Field(description="The predecessors' level indicator (e.g. GRDP at current "
                           "prices) whose shares weight the rates.")
    nearest: int = Field(default=0, ge=0, le=30, description="When a predecessor has no level "
                         "in the year before, the weights may come from the nearest year (at most "
                         "this many years away) in which every predecessor has one; such a "
                         "derived row is an estimate. 0: only the year before.")
    why: str = Field(min_length=3, description="Why these levels weight the rates (and why "
                     "weights from a nearby year are close enough).")


class Derivation(BaseModel):
    """How one indicator of the merged region follows from the predecessors' rows."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    rule: Literal["sum", "weighted"] = Field(description="sum: levels (and yearly changes) are "
                                             "added; weighted: growth rates are averaged with "
                                             "the predecessors' levels of the year before as "
                                             "weights.")
    unit: str = Field(min_length=1, description="Unit of the derived rows; every predecessor "
                      "row is converted to it (a row it cannot take is an error at its line).")
    source: Tag | None = Field(default=None, alias="from", description="The predecessors' "
                               "indicator name, when not the merged one's.")
    weights: Weights | None = Field(default=None, description="For rule 'weighted'.")
    why: str = Field(min_length=3, description="Why the merged figure is this combination of "
                     "the predecessors' figures.")

    @model_validator(mode="after")
    def _weights_for_weighted(self):
        if self.rule == "weighted" and self.weights is None:
            raise ValueError("a weighted derivation needs 'weights: {indicator, why}'")
        if self.rule == "sum" and self.weights is not None:
            raise ValueError("a sum takes no 'weights'")
        return self


class Region(BaseModel):
    """A region and, when it was formed by a merger, its predecessors."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, description="The region's name, as outputs show it.")
    merged: datetime.date = Field(description="The date the predecessors were merged "
                                  "(quoted: \"2025-07-01\"); predecessor rows are dated no later "
                                  "than its year.")
    predecessors: list[Tag] = Field(min_length=2, description="The predecessors, as the "
                                    "history file's `region` column tags their rows.")
    derive: dict[Tag, Derivation] = Field(default_factory=dict, description="Indicators of the "
                                          "merged region derived from the predecessors' rows.")

    @model_validator(mode="after")
    def _distinct(self):
        if len(set(self.predecessors)) != len(self.predecessors):
            raise ValueError("a predecessor is named twice")
        return self


class RegionName(str):
    """The region's name (what every output shows), carrying the :class:`Region` it came from
    when the scenario declared one (``spec``)."""

    spec: Region | None

    def __new__(cls, name: str, spec: Region | None = None):
        value = super().__new__(cls, name)
        value.spec = spec
        return value

    def __reduce__(self):
        return (RegionName, (str(self), self.spec))


def region_name(value: str | Region) -> str:
    """A validated ``region:`` value as the text outputs show (with its declaration kept)."""
    if isinstance(value, Region):
        return RegionName(value.name, value)
    return value


def region_kind(value: object) -> str:
    """Discriminator of the ``region:`` union: a mapping is a :class:`Region`, else text."""
    if isinstance(value, (dict, Region)):
        return "mapping"
    return "text"
