"""Reading a prior library: ``priors.yaml``, its panels and their exclusions -> a
:class:`~forecast.priors.library.PriorLibrary`.

A library folder holds ``priors.yaml`` (the pooled prior specs and the distributions derived
from them), the panel CSVs it names (:func:`forecast.io.panel.read_panel`) and, beside each
panel, the exclusions CSV it names (:func:`read_exclusions`). A folder of such folders is a
library too (their priors together). The shipped library is package data
(``forecast/library/``), found with :mod:`importlib.resources`.

Every problem is a :class:`~forecast.errors.DataError` with the file, the line and the key.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.errors import DataError, Problem, ScenarioError, did_you_mean
from forecast.io.panel import UNIT, read_panel
from forecast.io.yaml_source import SourceMap, key_path, read_yaml
from forecast.priors.library import PriorLibrary
from forecast.priors.panel import Panel
from forecast.priors.pooled_spec import STATISTICS, PooledSpec
from forecast.spec.distributions import Distribution, _Dist

__all__ = ["EXCLUSION_COLUMNS", "LIBRARY_FILE", "Exclusions", "load_prior_library",
           "read_exclusions", "shipped_library"]

LIBRARY_FILE = "priors.yaml"
"""The file that makes a folder a prior library."""
EXCLUSION_COLUMNS = ("what", "province", "year", "why")
"""Columns of an exclusions CSV: one row per thing left out of the panel, with its reason."""
_WHAT = {"year": "the levels of a year, for every province (needs year, no province)",
         "series": "a province's whole series (needs province, no year)",
         "change": "a province's change into a year, a break (needs province and year)"}
_REQUIRED = ("panel", "column", "first_year", "last_year", "statistic", "distribution")
_OPTIONAL = ("exclusions", "min_changes", "compare_column", "separate_common", "description")


@dataclass(frozen=True)
class Exclusions:
    """What a panel's priors leave out, each with its reason (an exclusions CSV).

    Attributes
    ----------
    drop_years : dict
        Year -> why its levels are left out for every province.
    drop_series : dict
        Province -> why its whole series is left out.
    drop_changes : dict
        (province, year) -> why the province's change into ``year`` is left out.
    """

    drop_years: dict[int, str] = field(default_factory=dict)
    drop_series: dict[str, str] = field(default_factory=dict)
    drop_changes: dict[tuple[str, int], str] = field(default_factory=dict)


def shipped_library() -> Path:
    """The folder of the prior library shipped in the package (``forecast/library``)."""
    folder = importlib.resources.files("forecast").joinpath("library")
    if not isinstance(folder, Path):  # e.g. installed inside a zip file
        raise DataError.single("the shipped prior library is not a folder on disk; give the "
                               "folder of a prior library", file=str(folder))
    return folder


def read_exclusions(path: str | Path, panel: Panel | None = None) -> Exclusions:
    """Read an exclusions CSV (``what, province, year, why``).

    Parameters
    ----------
    path : str or Path
    panel : Panel, optional
        When given, every province named must be one of the panel's.

    Returns
    -------
    Exclusions

    Raises
    ------
    DataError
        If the file cannot be read, lacks a column, or a row is not one of the three kinds
        with what that kind needs, has no reason, names a province the panel lacks, or repeats
        an exclusion (with the file, line and column of each problem).
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise DataError.single(f"cannot read the exclusions ({reason})", file=file)
    reader = csv.DictReader(text.splitlines())
    header = list(reader.fieldnames or ())
    missing = [c for c in EXCLUSION_COLUMNS if c not in header]
    extra = [c for c in header if c not in EXCLUSION_COLUMNS]
    if missing or extra:
        wrong = missing[0] if missing else extra[0]
        raise DataError.single(f"the columns are {', '.join(header) or 'none'}; expected "
                               f"{', '.join(EXCLUSION_COLUMNS)}", file=file, line=1, key=wrong)
    out = Exclusions()
    problems: list[Problem] = []
    first: dict[tuple[str, str, int | None], int] = {}
    line = 1

    def bad(key: str, message: str) -> None:
        problems.append(Problem(file, line, key, message))

    for row in reader:
        line = reader.line_num
        if None in row:
            bad("", f"more fields than the header's {len(header)}")
            continue
        what, unit = (row["what"] or "").strip(), (row["province"] or "").strip()
        text_year, why = (row["year"] or "").strip(), (row["why"] or "").strip()
        if what not in _WHAT:
            bad("what", f"found '{what}'; expected one of {', '.join(_WHAT)}."
                f"{did_you_mean(what, _WHAT)}")
            continue
        year: int | None = None
        if text_year:
            try:
                year = int(text_year)
            except ValueError:
                bad("year", f"found '{text_year}'; expected a whole year")
                continue
        needs_unit, needs_year = what in ("series", "change"), what in ("year", "change")
        if needs_unit != bool(unit):
            bad(UNIT, f"'{what}' is {_WHAT[what]}")
            continue
        if needs_year != (year is not None):
            bad("year", f"'{what}' is {_WHAT[what]}")
            continue
        if not why:
            bad("why", "every exclusion needs its reason")
            continue
        if panel is not None and unit and unit not in panel.units:
            bad(UNIT, f"'{unit}' is not a province of the panel {panel.file}."
                f"{did_you_mean(unit, panel.units)}")
            continue
        key = (what, unit, year)
        if key in first:
            bad(what, f"the same exclusion as on line {first[key]}")
            continue
        first[key] = line
        if what == "year":
            out.drop_years[year] = why
        elif what == "series":
            out.drop_series[unit] = why
        else:
            out.drop_changes[(unit, year)] = why
    if problems:
        raise DataError(problems)
    return out


def _problem(file: str, source: SourceMap, path: tuple, message: str) -> Problem:
    located, line = source.locate(path)
    return Problem(located or file, line, key_path(path), message)


def _distribution(raw: Any, path: tuple, file: str, source: SourceMap) -> _Dist:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Distribution).validate_python(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(error["loc"])
            if isinstance(raw, dict) and loc and loc[0] == raw.get("dist"):
                loc = loc[1:]  # the discriminator's tag
            message = error["msg"].replace("Value error, ", "")
            problems.append(_problem(file, source, path + tuple(loc), message))
        raise DataError(problems) from None


def _expect(value: Any, kind: type | tuple[type, ...], what: str, path: tuple, file: str,
            source: SourceMap) -> Any:
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise DataError([_problem(file, source, path, f"found {value!r}; expected {what}")])
    return value


def _entry(name: str, raw: Any, folder: Path, file: str, source: SourceMap,
           panels: dict[Path, Panel], exclusions: dict[tuple[Path, Path], Exclusions],
           ) -> tuple[PooledSpec, Panel, _Dist]:
    """One prior of ``priors.yaml``: its spec (with its panel's exclusions), panel, shipped
    distribution."""
    path = ("priors", name)
    _expect(raw, dict, "a mapping of the prior's settings", path, file, source)
    for key in raw:
        if key not in _REQUIRED + _OPTIONAL:
            raise DataError([_problem(file, source, path + (key,), f"unknown key '{key}'."
                                      f"{did_you_mean(key, _REQUIRED + _OPTIONAL)} Known: "
                                      f"{', '.join(_REQUIRED + _OPTIONAL)}")])
    absent = [key for key in _REQUIRED if key not in raw]
    if absent:
        raise DataError([_problem(file, source, path, f"missing required key(s) "
                                  f"{', '.join(absent)}")])

    def text(key: str) -> str:
        return _expect(raw[key], str, "text", path + (key,), file, source).strip()

    def year(key: str) -> int:
        return _expect(raw[key], int, "a whole year", path + (key,), file, source)

    panel_file = folder / text("panel")
    if panel_file not in panels:
        panels[panel_file] = read_panel(panel_file)
    panel = panels[panel_file]
    drops = Exclusions()
    if raw.get("exclusions") is not None:
        key = (panel_file, folder / text("exclusions"))
        if key not in exclusions:
            exclusions[key] = read_exclusions(key[1], panel)
        drops = exclusions[key]
    column = text("column")
    compare = text("compare_column") if raw.get("compare_column") is not None else None
    for key, value in (("column", column), ("compare_column", compare)):
        if value is not None and value not in panel.columns:
            raise DataError([_problem(file, source, path + (key,), f"the panel {panel.file} has "
                                      f"no column '{value}'.{did_you_mean(value, panel.columns)}")])
    first, last = year("first_year"), year("last_year")
    if last <= first:
        raise DataError([_problem(file, source, path + ("last_year",), f"found {last}; expected "
                                  f"a year after first_year {first}")])
    statistic = text("statistic")
    if statistic not in STATISTICS:
        raise DataError([_problem(file, source, path + ("statistic",), f"found '{statistic}'; "
                                  f"expected one of {', '.join(STATISTICS)}")])
    min_changes = _expect(raw.get("min_changes", 2), int, "a whole number",
                          path + ("min_changes",), file, source)
    if min_changes < 1:
        raise DataError([_problem(file, source, path + ("min_changes",),
                                  f"found {min_changes}; expected at least 1")])
    separate = _expect(raw.get("separate_common", True), bool, "true or false",
                       path + ("separate_common",), file, source)
    description = (text("description") if raw.get("description") is not None else "")
    spec = PooledSpec(panel=Path(panel.file).name, column=column, first_year=first,
                      last_year=last, drop_series=dict(drops.drop_series),
                      drop_changes=dict(drops.drop_changes), drop_years=dict(drops.drop_years),
                      min_changes=min_changes, compare_column=compare, statistic=statistic,
                      separate_common=separate, description=description)
    distribution = _distribution(raw["distribution"], path + ("distribution",), file, source)
    return spec, panel, distribution


def _folders(folder: Path) -> list[Path]:
    if (folder / LIBRARY_FILE).is_file():
        return [folder]
    if not folder.is_dir():
        raise DataError.single("no such folder; expected a prior library (a folder with "
                               f"{LIBRARY_FILE}, or a folder of such folders)", file=str(folder))
    found = sorted(sub for sub in folder.iterdir() if (sub / LIBRARY_FILE).is_file())
    if not found:
        raise DataError.single(f"not a prior library: no {LIBRARY_FILE} in the folder or its "
                               "subfolders", file=str(folder))
    return found


def load_prior_library(folder: str | Path | None = None) -> PriorLibrary:
    """Read a prior library: its pooled prior specs, panels, exclusions and distributions.

    Parameters
    ----------
    folder : str or Path, optional
        A folder with ``priors.yaml``, or a folder of such folders (default: the library
        shipped in the package).

    Returns
    -------
    PriorLibrary

    Raises
    ------
    DataError
        If a file is missing or invalid (with its file, line and key), or two folders name
        the same prior.
    """
    root = shipped_library() if folder is None else Path(folder)
    specs: dict[str, PooledSpec] = {}
    panels_by_name: dict[str, Panel] = {}
    distributions: dict[str, _Dist] = {}
    where: dict[str, str] = {}
    for sub in _folders(root):
        path = sub / LIBRARY_FILE
        file = str(path)
        try:
            raw, source = read_yaml(path)
        except ScenarioError as exc:  # the reader is the scenario files'
            raise DataError([dataclasses.replace(p, message=p.message.replace(
                "scenario ", "")) for p in exc.problems]) from None
        for key in raw:
            if key != "priors":
                raise DataError([_problem(file, source, (key,), f"unknown key '{key}'; "
                                          "expected 'priors' (a mapping of priors by name)")])
        entries = raw.get("priors")
        _expect(entries, dict, "a mapping of priors by name", ("priors",), file, source)
        panels: dict[Path, Panel] = {}
        exclusions: dict[tuple[Path, Path], Exclusions] = {}
        for name, entry in entries.items():
            if name in specs:
                raise DataError([_problem(file, source, ("priors", name), f"the prior '{name}' "
                                          f"is also in {where[name]}")])
            specs[name], panels_by_name[name], distributions[name] = _entry(
                name, entry, sub, file, source, panels, exclusions)
            where[name] = file
    return PriorLibrary(specs, panels_by_name, distributions, source=str(root))
