"""Scenario files: YAML -> a validated, typed :class:`Scenario`.

Every problem is reported with the file, line and key path that caused it; unknown keys get a
did-you-mean; relative paths are resolved against the folder of the file that set them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, PrivateAttr,
                      StrictInt, Tag, TypeAdapter, ValidationError, create_model,
                      model_validator)

from forecast.spec.distributions import Distribution
from forecast.errors import InputError, Problem, ScenarioError, did_you_mean
from forecast.limits import MAX_DRAWS, MAX_SEED
from forecast.spec.levers import Budget, Lever, Precedent, find_refs, set_levers
from forecast.spec.region import Region, region_kind, region_name
from forecast.spec.targets import Identifier, Target, Year
from forecast.models import Component, registry
from forecast.io.yaml_source import SourceMap, key_path
from forecast.spec.checks import cross_part_problems, key_parts, scenario_problems
from forecast.spec.validation import located_problems
from forecast.correlation import Correlation



DICT = "<dict>"
"""What messages call a scenario built by :meth:`Scenario.from_dict` (in place of a file)."""


class Shock(BaseModel):
    """A shock to the yearly change of an indicator on its model's scale.

    Deterministic: ``year`` and ``size`` (a number). Stochastic: ``probability`` per year and
    ``size`` (a distribution), drawn from a stream of its own so that it does not move the random
    numbers of any component.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    indicator: Identifier
    year: Year | None = None
    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    size: Annotated[float, Field(allow_inf_nan=False)] | Distribution
    why: str = Field(min_length=3)

    @model_validator(mode="before")
    @classmethod
    def _number_as_fixed(cls, data: Any) -> Any:
        """A rare event of a fixed size may give the size as a plain number."""
        if isinstance(data, dict) and data.get("probability") is not None and \
                isinstance(data.get("size"), (int, float)) and not isinstance(data["size"], bool):
            data = {**data, "size": {"dist": "fixed", "value": data["size"],
                                     "why": str(data.get("why") or "fixed shock size")}}
        return data

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.year is None) == (self.probability is None):
            raise ValueError("give 'year' (a deterministic shock) or 'probability' (a rare "
                             "event), not both")
        if self.year is not None and not isinstance(self.size, (int, float)):
            raise ValueError("a shock in a given year takes a number as 'size'")
        return self


class Monitoring(BaseModel):
    """How a mid-plan update labels each target, and the figures observed since the base year
    (``forecast update``; see docs/update.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    on_track: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        0.8, description="A target is on track when its probability is at least this.")
    off_track: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = Field(
        0.2, description="A target is off track when its probability is below this.")
    observed: list[str] = Field(default_factory=list, description="CSV files (history "
                                "format) of figures dated after the base year, relative to "
                                "the scenario file's folder.")

    @model_validator(mode="after")
    def _ordered(self):
        if self.off_track >= self.on_track:
            raise ValueError(f"off_track ({self.off_track:g}) must be below on_track "
                             f"({self.on_track:g})")
        return self


class Scenario(BaseModel):
    """A validated scenario: the plan, its indicators with their models, and its targets."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Identifier
    region: Annotated[Union[Annotated[str, Field(min_length=1), Tag("text")],
                            Annotated[Region, Tag("mapping")]],
                      Discriminator(region_kind), AfterValidator(region_name)] = Field(
        description="The region's name, or a mapping {name, merged, predecessors, derive} for "
                    "a region assembled from its predecessors (docs/regions.md).")
    description: str = ""
    history: str = Field(description="History CSV, relative to the scenario file's folder.")
    base_year: Year
    horizon: Year
    draws: Annotated[StrictInt, Field(gt=0, le=MAX_DRAWS)] = 20_000
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] = 0
    indicators: dict[Identifier, Component]
    targets: list[Target] = Field(min_length=1)
    shocks: list[Shock] = Field(default_factory=list)
    levers: dict[Identifier, Lever] = Field(default_factory=dict)
    budgets: dict[Identifier, Budget] = Field(default_factory=dict)
    precedents: dict[Identifier, Precedent] = Field(default_factory=dict)
    correlations: list[Correlation] = Field(default_factory=list, description="Rank "
                                            "correlations between sampled inputs (a Gaussian "
                                            "copula), each with why.")
    monitoring: Monitoring = Field(default_factory=Monitoring, description="Labels and "
                                   "observed figures of a mid-plan update (forecast update).")
    _file: str | None = PrivateAttr(default=None)
    _source: SourceMap = PrivateAttr(default_factory=SourceMap)
    _region_spec: Region | None = PrivateAttr(default=None)
    _history: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _region_as_text(self):
        """``region`` is the name as plain text (every output shows it); a declared
        :class:`Region` is kept as :attr:`region_spec`."""
        spec = getattr(self.region, "spec", None)
        if spec is not None:
            self.__dict__["region"] = str(self.region)
            self._region_spec = spec
        return self

    @property
    def file(self) -> str | None:
        """The scenario file this was read from."""
        return self._file

    @property
    def years(self) -> list[int]:
        """Simulated years, base year to horizon."""
        return list(range(self.base_year, self.horizon + 1))

    @property
    def region_spec(self) -> Region | None:
        """The region's declaration when it was assembled from predecessors (else None);
        ``region`` itself is always the name."""
        return self._region_spec

    @property
    def history_data(self) -> Any:
        """The evidence (a :class:`~forecast.io.history.History`) this scenario carries, read
        in place of its history file; None when it carries none (see :meth:`with_history`)."""
        return self._history

    @property
    def history_path(self) -> Path:
        """The history file, resolved."""
        return Path(self.history)

    def locate(self, *path: Any) -> tuple[str | None, int | None]:
        """File and line of a key path."""
        file, line = self._source.locate(tuple(path))
        return (file or self._file, line)

    def problem(self, path: tuple, message: str) -> Problem:
        """A :class:`Problem` located at ``path``."""
        file, line = self.locate(*path)
        return Problem(file, line, key_path(path), message)

    def digest(self) -> str:
        """SHA-256 of the validated content (stable across formatting and comments)."""
        content = self.model_dump(mode="json")
        if self.region_spec is not None:
            content["region"] = self.region_spec.model_dump(mode="json")
        text = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def with_levers(self, values: dict[str, float]) -> "Scenario":
        """A copy with levers set to ``values`` (every setting that reads them follows).

        Raises
        ------
        ScenarioError
            If a name is not a lever of this scenario.
        """
        for name in values:
            if name not in self.levers:
                raise ScenarioError.single(f"unknown lever '{name}'."
                                           f"{did_you_mean(name, self.levers)}",
                                           file=self._file, key="levers")
        levers = {name: lever.model_copy(update={"value": float(values.get(name, lever.value))})
                  for name, lever in self.levers.items()}
        indicators = {name: set_levers(c, c._lever_refs, values)
                      for name, c in self.indicators.items()}
        return self._copy(levers=levers, indicators=indicators)

    def _copy(self, **changes: Any) -> "Scenario":
        """A copy with validated values changed, keeping its source map (not checked again)."""
        new = self.model_copy(update=changes)
        new._file, new._source = self._file, self._source
        return new

    def with_options(self, **changes: Any) -> "Scenario":
        """A copy with top-level settings changed, each checked as in a scenario file.

        Parameters
        ----------
        **changes
            Settings by name (``draws=2000``, ``seed=7``, ``horizon=2030``, ``targets=[...]``).

        Returns
        -------
        Scenario
            The copy, keeping the source map (errors stay located in the file) and the history
            it carries.

        Raises
        ------
        ScenarioError
            Naming every setting that is unknown (with a did-you-mean), out of its bounds
            (``draws`` 1 to :data:`~forecast.limits.MAX_DRAWS`, ``seed`` a whole number 0 to
            :data:`~forecast.limits.MAX_SEED`) or not what its field takes, and every check
            across settings the copy fails (a target year after a new horizon).
        """
        from forecast.limits import check_draws, check_seed

        fields = type(self).model_fields
        checks = {"draws": check_draws, "seed": check_seed}
        problems: list[Problem] = []
        checked: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in fields:
                problems.append(Problem(self._file, None, key, (
                    f"unknown setting '{key}'.{did_you_mean(key, fields)} Settings: "
                    f"{', '.join(fields)}")))
            elif key in checks:
                try:
                    checked[key] = checks[key](value)
                except InputError as exc:
                    problems.extend(Problem(self._file, None, key, p.message)
                                    for p in exc.problems)
            else:
                info = fields[key]
                adapter = TypeAdapter(Annotated[(info.annotation, *info.metadata)])
                try:
                    checked[key] = adapter.validate_python(value)
                except ValidationError as exc:
                    problems.extend(Problem(p.file, None, key_path((key, *key_parts(p.key)))
                                            if p.key else key, p.message)
                                    for p in located_problems(exc, value, SourceMap(), self._file))
        if problems:
            raise ScenarioError(problems)
        new = self._copy(**checked)
        if "region" in checked:
            new._region_spec = None
            new._region_as_text()
        if set(checked) - {"draws", "seed", "name", "description", "history"}:
            problems = cross_part_problems(new)
            if problems:
                raise ScenarioError(problems)
        return new

    def with_history(self, history: Any) -> "Scenario":
        """A copy that carries its evidence, used in place of reading the history file.

        Parameters
        ----------
        history : History, pandas.DataFrame, or list of records or rows
            The evidence, in the tidy history layout (read by
            :meth:`~forecast.io.history.History.from_frame` unless a ``History``).

        Returns
        -------
        Scenario

        Raises
        ------
        DataError
            Naming the row and column of every bad cell.
        """
        from forecast.io.history import History

        new = self._copy()
        new._history = history if isinstance(history, History) else History.from_frame(history)
        return new

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: str | Path | None = None,
                  history: Any = None) -> "Scenario":
        """A validated scenario from plain data: the keys, defaults, checks and messages of a
        scenario file (``forecast.Scenario(**data)`` skips the checks across keys and the
        components' registry; this does not).

        Parameters
        ----------
        data : dict
            The scenario as its YAML file writes it (``name``, ``region``, ``history``,
            ``base_year``, ``horizon``, ``indicators``, ``targets``, ...). ``extends`` reads a
            file, so it is not taken here: load the parent with ``forecast.load_scenario`` and
            change it with :meth:`with_options`.
        base_dir : str or Path, optional
            The folder relative paths (``history``, ``monitoring.observed``) are resolved
            against, as a file's folder is for the file; default: the working folder.
        history : History, pandas.DataFrame, or list of records or rows, optional
            Evidence to carry (see :meth:`with_history`); then ``history`` may be left out of
            ``data``.

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            Naming the key path of every problem (``<dict>: draws: ...``).
        DataError
            If ``history`` has bad rows (naming row and column).

        Examples
        --------
        >>> scenario = Scenario.from_dict(data, base_dir="scenarios")  # doctest: +SKIP
        """
        from forecast.io.history import History

        if not isinstance(data, Mapping):
            raise ScenarioError.single(f"found {type(data).__name__}; expected a mapping of "
                                       "scenario keys (a dict)", file=DICT)
        if "extends" in data:
            raise ScenarioError.single("a dict holds the whole scenario: load the parent with "
                                       "forecast.load_scenario(path) and change it with "
                                       "with_options(), or merge the dicts first",
                                       file=DICT, key="extends")
        raw = dict(data)
        carried = None
        if history is not None:
            carried = history if isinstance(history, History) else History.from_frame(history)
            raw.setdefault("history", carried.file)
        folder = Path.cwd() if base_dir is None else Path(base_dir)
        if isinstance(raw.get("history"), str) and carried is None:
            raw["history"] = str(folder / raw["history"])
        monitoring = raw.get("monitoring")
        if isinstance(monitoring, Mapping) and isinstance(monitoring.get("observed"), list):
            raw["monitoring"] = {**monitoring, "observed": [
                str(folder / name) if isinstance(name, str) else name
                for name in monitoring["observed"]]}
        scenario = parse_scenario(raw, SourceMap(), DICT)
        if carried is not None:
            scenario = scenario._copy(history=str(raw["history"]))
            scenario._history = carried
        return scenario

    def _lines(self, lang: str = "en") -> list[str]:
        """What :meth:`__repr__` shows, in ``lang`` (:func:`forecast.spec.display.lines`)."""
        from forecast.spec.display import lines

        return lines(self, lang)

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    __str__ = __repr__

    def to_html(self, lang: str = "en") -> str:
        """The scenario's summary and its targets as an HTML table.

        Parameters
        ----------
        lang : {"en", "vi"}
            Language of the words and numbers.

        Returns
        -------
        str
        """
        from forecast.spec.display import html

        return html(self, lang)

    def _repr_html_(self) -> str:
        """What Jupyter shows: :meth:`to_html` in English."""
        return self.to_html()


@lru_cache(maxsize=8)
def _scenario_class(names: tuple[str, ...]) -> type[Scenario]:
    classes = registry()
    union = Annotated[Union[tuple(classes[n] for n in names)], Field(discriminator="model")]
    return create_model("Scenario", __base__=Scenario, indicators=(dict[Identifier, union], ...))


def scenario_class() -> type[Scenario]:
    """The scenario model with every registered component in its ``indicators`` union."""
    return _scenario_class(tuple(sorted(registry())))


def parse_scenario(raw: dict[str, Any], source: SourceMap | None = None,
                   file: str = "<memory>") -> Scenario:
    """Validate plain data (as read from YAML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        With every problem found, each located by file, line and key path.
    """
    source = source or SourceMap()
    try:
        scenario = scenario_class().model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(located_problems(exc, raw, source, file)) from None
    scenario._file, scenario._source = file, source
    history_file = source.file_of(("history",)) or file
    if history_file not in ("<memory>", None):
        resolved = (Path(history_file).parent / scenario.history).resolve()
        scenario = scenario._copy(history=str(resolved))
    problems = scenario_problems(raw, scenario)
    if problems:
        raise ScenarioError(problems)
    return _resolve_levers(scenario)


def _resolve_levers(scenario: Scenario) -> Scenario:
    """Replace every ``{lever: name}`` by the lever's value, remembering where it was."""
    problems = []
    indicators = {}
    values = {name: lever.value for name, lever in scenario.levers.items()}
    for name, component in scenario.indicators.items():
        refs = find_refs(component)
        for path, lever in refs.items():
            if lever not in scenario.levers:
                problems.append(scenario.problem(("indicators", name) + path + ("lever",), (
                    f"unknown lever '{lever}'.{did_you_mean(lever, scenario.levers)} Declare it "
                    "under 'levers:'")))
        resolved = set_levers(component, refs, values)
        resolved._lever_refs = refs
        indicators[name] = resolved
    if problems:
        raise ScenarioError(problems)
    return scenario._copy(indicators=indicators)
