"""Pydantic's validation errors as problems located at the file, line and key that caused
them, with a did-you-mean for unknown keys and the union labels pydantic inserts taken out."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from forecast.errors import Problem, did_you_mean
from forecast.io.yaml_source import SourceMap, key_path
from forecast.models import registry
from forecast.spec import distributions
from forecast.spec.levers import Budget, Lever, Precedent
from forecast.spec.region import Region
from forecast.spec.targets import Target

__all__ = ["located_problems"]


def _clean_loc(loc: tuple, raw: Any, missing: bool = False) -> tuple:
    """Drop the union member labels pydantic inserts (``indicators.output.growth.drift``)."""
    out: list[Any] = []
    node = raw
    tagged = None  # the mapping whose union tag was skipped (pydantic inserts it once)
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(node, dict) and node is not tagged and isinstance(part, str) \
                and part in (node.get("model"), node.get("dist")) and not last:
            tagged = node
            continue  # the tag pydantic inserts for a tagged union, even if also a key
        if isinstance(part, str) and not (isinstance(node, dict) and part in node):
            if not isinstance(node, dict) or not last or not missing:
                continue  # a union member's label, not a key of the document
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
        out.append(part)
    return tuple(out)


def _allowed_keys(path: tuple, raw: Any) -> list[str]:
    """Keys allowed in the mapping at ``path`` (for did-you-mean)."""
    from forecast.spec.scenario import Shock, scenario_class

    cls: Any = scenario_class()
    node = raw
    for part in path:
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) else None)
        if cls is None:
            return []
        if isinstance(part, int):
            continue
        if cls is scenario_class() and part == "indicators":
            cls = "indicators"
            continue
        if cls == "indicators":
            cls = registry().get(node.get("model")) if isinstance(node, dict) else None
            continue
        if cls == "levers":
            cls = Lever
            continue
        if cls is scenario_class() and part == "levers":
            cls = "levers"
            continue
        if cls is scenario_class() and part == "region":
            cls = Region
            continue
        if cls is scenario_class() and part in ("budgets", "precedents"):
            cls = "budget" if part == "budgets" else "precedent"
            continue
        if cls in ("budget", "precedent"):
            cls = Budget if cls == "budget" else Precedent
            continue
        if cls == "targets" or (isinstance(cls, type) and part == "targets"):
            cls = Target
            continue
        if isinstance(cls, type) and part == "shocks":
            cls = Shock
            continue
        field = cls.model_fields.get(part) if isinstance(cls, type) else None
        if field is None:
            return []
        if isinstance(node, dict) and isinstance(node.get("dist"), str):
            members = typing.get_args(typing.get_args(distributions.PriorDistribution)[0])
            cls = {c.model_fields["dist"].annotation.__args__[0]: c
                   for c in members}.get(node["dist"])
        else:
            annotation = field.annotation
            args = getattr(annotation, "__args__", (annotation,))
            cls = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)),
                       None)
    return list(cls.model_fields) if isinstance(cls, type) else []


def _message(error: dict, path: tuple, raw: Any) -> str:
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], raw)
        hint = did_you_mean(str(path[-1]), allowed)
        expected = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{path[-1]}'.{hint}{expected}".replace("'.;", "';").rstrip(".") + \
            ("" if hint else "")
    if kind == "missing":
        return f"missing required key '{path[-1]}'"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("discriminator", "model").strip("'")
        given = error.get("ctx", {}).get("tag")
        choices = re.findall(r"'([^']+)'", error.get("ctx", {}).get("expected_tags", ""))
        what = "model" if "model" in tag else "distribution"
        every = typing.get_args(typing.get_args(distributions.PriorDistribution)[0])
        if what == "distribution" and given in {c.model_fields["dist"].annotation.__args__[0]
                                                for c in every}:
            return (f"the {given} distribution cannot be used here; expected one of: "
                    f"{', '.join(choices)}")
        return (f"{what} '{given}' is not known.{did_you_mean(str(given), choices)} Expected "
                f"one of: {', '.join(choices)}")
    if kind == "union_tag_not_found":
        tag = error.get("ctx", {}).get("discriminator", "'model'").strip("'")
        return f"missing key '{tag}'"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return f"found {type(found).__name__} {found!r}; expected a mapping of keys"
    if kind in ("list_type", "tuple_type"):
        return f"found {type(found).__name__} {found!r}; expected a list"
    text = error["msg"]
    text = text.replace("Value error, ", "")
    if kind in ("value_error", "assertion_error"):
        return text
    return f"{text}; found {found!r}" if found is not None and not isinstance(found, dict) else text


def located_problems(exc: ValidationError, raw: dict, source: SourceMap,
                     file: str) -> list[Problem]:
    """One problem per key path of ``exc``'s errors, at the file and line ``source`` gives."""
    merged: dict[tuple, list[str]] = {}
    for error in exc.errors():
        path = _clean_loc(error["loc"], raw, missing=error["type"] == "missing")
        messages = merged.setdefault(path, [])
        message = _message(error, path, raw)
        if message not in messages:
            messages.append(message)
    problems = []
    for path, messages in merged.items():
        missing = len(messages) == 1 and messages[0].startswith("missing required key")
        located_file, line = source.locate(path[:-1] if missing else path)
        problems.append(Problem(located_file or file, line, key_path(path), " or ".join(messages)))
    return problems
