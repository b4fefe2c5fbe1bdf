"""The JSON Schema of scenario files, for editors and for checking a file without the tool.

:func:`json_schema` starts from the scenario model's own schema (pydantic, with every
registered component in the ``indicators`` union) and makes it describe the files as they are
written:

- A file without ``extends`` is a whole scenario: ``else`` of the root requires
  ``$defs/Scenario``, every required key and no unknown one.
- A file with ``extends`` overrides its parent by key path (:func:`forecast.io.yaml_source.
  load_document`): its mappings may give any subset of their keys, at every depth
  (``levers: {ntm_budget: {value: 40, why: ...}}`` without the lever's ``low`` and ``high``),
  while an item of a list (a target, a shock) replaces the parent's list and is checked whole.
  The root's ``properties`` are that partial form, built from ``$defs/<Name>Override``.
- Every top-level key carries the description of docs/scenarios.md; the root has ``$schema``
  (JSON Schema 2020-12) and ``$id``.

The schema says what a file may look like; the loader still checks what needs the file's
parent, its history or its other keys (an override that names another ``dist`` replaces the
parent's mapping, so it must be complete; targets name declared indicators; ...).
"""

from __future__ import annotations

import copy
from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect the schema is written in."""
SCHEMA_VERSION = 1
"""Version of the schema's shape; it is part of :data:`SCHEMA_ID`."""
SCHEMA_ID = f"urn:forecast-plan-odds:scenario-schema:{SCHEMA_VERSION}"
"""The schema's identifier (``$id``)."""
SCHEMA_FILE = "scenario.schema.json"
"""Name of the copy shipped beside the example scenarios (``scenarios/``), which every shipped
scenario names in its ``# yaml-language-server: $schema=`` first line."""
OVERRIDE = "Override"
"""Suffix of the ``$defs`` entry of a mapping as an ``extends`` file may give it."""

TOP_LEVEL: dict[str, str] = {
    "name": "The scenario's name (letters, digits, _; not starting with a digit; at most 64 "
            "characters); forecast run writes to runs/<name>/ by default.",
    "region": "The region the plan is for: its name, or a mapping {name, merged, "
              "predecessors, derive} that assembles a merged region from its predecessors "
              "(docs/regions.md).",
    "description": "One line on what this scenario assumes.",
    "history": "The evidence CSV, relative to the folder of the file that sets this key.",
    "base_year": "The last year before the plan (1900-2200); the simulation starts from its "
                 "levels.",
    "horizon": "The last simulated year, after base_year.",
    "draws": "Monte Carlo draws (default 20000); --draws overrides it.",
    "seed": "Root seed, 0 <= seed < 2^63 (default 0); --seed overrides it.",
    "indicators": "One entry per indicator, name -> component: the registered model that "
                  "moves it, its unit and label, the evidence rows that calibrate it and its "
                  "priors.",
    "targets": "The plan's targets (at least one): a level in a year, an average change, "
               "compound growth or a sum over a period, at_least or at_most a value.",
    "shocks": "Events added to yearly changes: a size in a given year, or a distribution with "
              "a yearly probability.",
    "levers": "Policy settings the models read, name -> {value, low, high, why, cost}; "
              "forecast solve and forecast plan move them within [low, high].",
    "budgets": "Yearly limits on what costed levers may cost, name -> budget "
               "(forecast plan).",
    "precedents": "Indicator -> the panel column its required pace is compared with in "
                  "forecast plan.",
    "correlations": "Rank (Spearman) correlations between sampled inputs, joined by a "
                    "Gaussian copula, each with why.",
    "monitoring": "forecast update: a target is on track at a probability of on_track or more "
                  "(default 0.8), off track below off_track (default 0.2), at risk between; "
                  "observed lists CSV files (history format, relative to this file's folder) "
                  "of figures dated after the base year.",
    "extends": "A parent scenario this one modifies, relative to this file's folder: this "
               "file's mappings are merged over the parent's key by key, a list or a value "
               "replaces the parent's.",
}
"""The description of every top-level key (from docs/scenarios.md)."""


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _partial(node: Any, wanted: set[str]) -> Any:
    """``node`` as an ``extends`` file may give it: no ``required`` in its mappings (theirs or
    their values'), ``anyOf`` for ``oneOf`` (several partial variants may fit), whole items in
    its lists. The ``$defs`` it then refers to in partial form are added to ``wanted``."""
    if isinstance(node, list):
        return [_partial(item, wanted) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            name = _ref_name(value)
            wanted.add(name)
            out[key] = f"#/$defs/{name}{OVERRIDE}"
        elif key in ("required", "discriminator"):
            continue
        elif key == "oneOf":
            out["anyOf"] = _partial(value, wanted)
        elif key in ("properties", "patternProperties"):
            out[key] = {k: _partial(v, wanted) for k, v in value.items()}
        elif key in ("additionalProperties", "anyOf", "allOf"):
            out[key] = _partial(value, wanted)
        else:  # items, prefixItems, const, enum, type, ...: as in a whole file
            out[key] = value
    return out


def _with_overrides(schema: dict[str, Any]) -> dict[str, Any]:
    """The partial top level and every ``<Name>Override`` definition it needs."""
    defs = schema["$defs"]
    wanted: set[str] = set()
    top = _partial({k: v for k, v in schema.items() if k != "$defs"}, wanted)
    done: set[str] = set()
    while wanted - done:
        name = sorted(wanted - done)[0]
        done.add(name)
        defs[name + OVERRIDE] = _partial(defs[name], wanted)
    return top


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, whole and ``extends`` variants alike.

    Returns
    -------
    dict
        A JSON Schema (2020-12) with ``$schema``, ``$id``, a description of every top-level key,
        the whole scenario as ``$defs/Scenario`` (required of a file without ``extends``) and
        the partial form of every mapping an ``extends`` file may override.

    Examples
    --------
    >>> import forecast
    >>> schema = forecast.json_schema()
    >>> schema["$id"]
    'urn:forecast-plan-odds:scenario-schema:1'
    >>> "extends" in schema["properties"] and "low" in schema["$defs"]["Lever"]["required"]
    True
    """
    from forecast.spec.scenario import scenario_class

    model = copy.deepcopy(scenario_class().model_json_schema())
    defs = model.pop("$defs", {})
    for key, text in TOP_LEVEL.items():
        if key in model["properties"]:
            model["properties"][key]["description"] = text
    model["title"] = "forecast scenario"
    model["description"] = "A scenario file of forecast: the plan's region and years, its " \
        "indicators with their models and evidence, its targets (docs/scenarios.md)."
    defs["Scenario"] = model
    partial = _with_overrides({**model, "$defs": defs})
    partial["properties"]["extends"] = {"type": "string", "minLength": 1, "title": "Extends",
                                        "description": TOP_LEVEL["extends"]}
    root = {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, "title": model["title"],
            "description": model["description"] + " A file with extends gives only what it "
            "changes; a file without it gives a whole scenario.",
            "type": "object", "properties": partial["properties"],
            "additionalProperties": False,
            "if": {"required": ["extends"]}, "else": {"$ref": "#/$defs/Scenario"},
            "$defs": dict(sorted(defs.items()))}
    return root


__all__ = ["OVERRIDE", "SCHEMA_DIALECT", "SCHEMA_FILE", "SCHEMA_ID", "SCHEMA_VERSION",
           "TOP_LEVEL", "json_schema"]
