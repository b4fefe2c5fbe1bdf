"""The functions a notebook calls: calibrate a scenario, simulate it, write its report (paths of
files are read and written here through the io layer; everything below takes values)."""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.errors import InputError, ModelError, Problem, ScenarioError
from forecast.calibration import calibrate as calibrate_model
from forecast.engine import Model, Progress, layout_of, simulate_paths, simulate_summaries
from forecast.io.history import History, read_bounded, read_history
from forecast.io.region import read_scenario_history
from forecast.io.prior_library import load_prior_library
from forecast.info import describe_model
from forecast.limits import check_draws, check_seed
from forecast.results import Results, kept_draws, provenance
from forecast.io.scenario_file import load_scenario
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario
from forecast.summary import KEEP_DRAWS_LIMIT, exact_counts

HistoryLike = Any
"""A :class:`~forecast.io.history.History`, or what :meth:`History.from_frame` reads (a pandas
DataFrame in the tidy history layout, a list of records or of rows)."""


def as_scenario(scenario: Scenario | Mapping[str, Any] | str | os.PathLike, *,
                key: str = "scenario") -> Scenario:
    """The scenario a function of the package was given, whatever form it came in.

    Parameters
    ----------
    scenario : Scenario, dict or path
        A validated scenario (returned as it is), plain data (validated by
        :meth:`Scenario.from_dict`, paths resolved against the working folder) or the path of a
        scenario file (read by :func:`~forecast.io.scenario_file.load_scenario`).
    key : str
        The parameter named in the error.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file or the data is not a valid scenario.
    InputError
        If ``scenario`` is none of these (keyed by ``key``).
    """
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise InputError.single(f"found {type(scenario).__name__} {scenario!r:.60}; expected a "
                            "Scenario, a dict or the path of a scenario file", key=key)


def scenario_history(scenario: Scenario, history: HistoryLike | None = None, *,
                     resolved: bool = True) -> History:
    """The evidence a scenario calibrates on.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    history : History, DataFrame or rows, optional
        The evidence to use; default: the history the scenario carries
        (:attr:`Scenario.history_data`), else its history file, read here.
    resolved : bool
        Resolve the rows for the scenario's region (:func:`forecast.region.resolve`:
        superseded rows left out, readings combined, a merged region derived); ``False``
        gives the rows as read.

    Returns
    -------
    History

    Raises
    ------
    DataError
        If the file cannot be read or a row is bad (located at its line or row).
    """
    from forecast.region import resolve

    given = scenario.history_data if history is None else history
    if given is None:
        if not resolved:
            return read_history(scenario.history_path)
        try:
            return read_scenario_history(scenario)
        except InputError as exc:  # a file that cannot be read: say which scenario line named it
            if any(p.line is not None for p in exc.problems):
                raise
            file, line = scenario.locate("history")
            raise type(exc)(list(exc.problems) + [
                Problem(file, line, "history", f"names this history file ({scenario.history})")
            ]) from None
    given = given if isinstance(given, History) else History.from_frame(given)
    return resolve(given, scenario.region_spec) if resolved else given


def _whole(value: Any) -> Any:
    """``value`` as an int when it is an integer of any kind (numpy's too), else unchanged
    (for :mod:`forecast.limits` to refuse)."""
    if isinstance(value, bool):
        return value
    try:
        return operator.index(value)
    except TypeError:
        return value


def prior_library(priors: PriorLibrary | None = None) -> PriorLibrary:
    """``priors``, or the prior library shipped in the package when none is given
    (:func:`forecast.io.prior_library.load_prior_library`)."""
    return load_prior_library() if priors is None else priors


def calibrate(scenario: Scenario | Mapping[str, Any] | str | Path, *,
              priors: PriorLibrary | None = None, allow_unused: bool = False,
              history: HistoryLike | None = None) -> Model:
    """Read the scenario's history and calibrate every component.

    Parameters
    ----------
    scenario : Scenario, dict or path
        A scenario, its plain data or the path of its YAML file (see :func:`as_scenario`).
    priors : PriorLibrary, optional
        Where pooled priors (``{dist: pooled, name: ...}``) come from (default: the library
        shipped in the package, :func:`forecast.io.prior_library.load_prior_library`).
    allow_unused : bool
        Calibrate without evidence rows that cannot be read (listed by
        :func:`forecast.calibration.unused_rows`) instead of refusing them.
    history : History, DataFrame or rows, optional
        The evidence (see :func:`scenario_history`); default: the history the scenario carries,
        else its history file.

    Returns
    -------
    Model
        Components fitted to their evidence, in dependency order.
    """
    scenario = as_scenario(scenario)
    priors = prior_library(priors)
    history = scenario_history(scenario, history)
    return calibrate_model(scenario, history, priors=priors, allow_unused=allow_unused)


def simulate(scenario: Scenario | Mapping[str, Any] | str | Path, *, draws: int | None = None,
             seed: int | None = None, workers: int = 1, keep_draws: bool | None = None,
             scheduler: str | None = None, progress: Progress | None = None,
             model: Model | None = None, history: HistoryLike | None = None,
             priors: PriorLibrary | None = None) -> Results:
    """Calibrate and simulate a scenario.

    Parameters
    ----------
    scenario : Scenario, dict or path
        A scenario, its plain data or the path of its YAML file (see :func:`as_scenario`).
    draws, seed : int, optional
        Override the scenario's ``draws`` and ``seed``.
    workers : int
        Processes sharing the blocks: this one and a new local Dask cluster of
        ``workers - 1`` (1: this process alone); the result does not depend on it.
    keep_draws : bool, optional
        Keep every draw (``True``) or only summaries: target probabilities (exact) and
        quantiles (within a stated bound), with memory bounded by the block size (``False``).
        Default: keep draws when there are at most
        :data:`~forecast.summary.KEEP_DRAWS_LIMIT` (200,000) of them.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``) to run the blocks on; the result
        does not depend on it.
    progress : callable, optional
        Called with the number of draws each time some are done.
    model : Model, optional
        The calibrated model, if already at hand (else the scenario is calibrated).
    history : History, DataFrame or rows, optional
        The evidence to calibrate on (see :func:`scenario_history`); default: the history the
        scenario carries, else its history file.
    priors : PriorLibrary, optional
        Where pooled priors come from (default: the library shipped in the package).

    Returns
    -------
    Results

    Raises
    ------
    InputError
        If ``draws`` or ``seed`` is out of bounds (:mod:`forecast.limits`), or both ``model``
        and ``history`` are given.
    """
    if scheduler is not None and workers > 1:
        raise InputError.single("give either scheduler (an existing Dask cluster) or workers "
                                "(a new local one), not both", key="scheduler")
    if model is not None and history is not None:
        raise InputError.single("give either model (already calibrated) or history (to "
                                "calibrate on), not both", key="history")
    scenario = as_scenario(scenario)
    draws = scenario.draws if draws is None else check_draws(_whole(draws))
    seed = scenario.seed if seed is None else check_seed(_whole(seed))
    keep_draws = draws <= KEEP_DRAWS_LIMIT if keep_draws is None else keep_draws
    model = calibrate(scenario, history=history, priors=priors) if model is None else model
    info = describe_model(scenario, model)
    try:
        if keep_draws:
            block = simulate_paths(model, draws=draws, seed=seed, workers=workers,
                                   scheduler=scheduler, progress=progress)
            counts = exact_counts(layout_of(model, scenario.targets), block.paths)
            kept = kept_draws(block.paths, block.parameters, info, scenario.years)
        else:
            counts = simulate_summaries(model, scenario.targets, draws=draws, seed=seed,
                                        workers=workers, scheduler=scheduler,
                                        progress=progress).counts()
            kept = None
    except ModelError as exc:
        name = getattr(exc, "indicator", None)
        if name is None or name not in scenario.indicators:
            raise
        raise ScenarioError([scenario.problem(("indicators", name), str(exc) + "; check its "
                                              "settings and the shocks on it")]) from None
    return Results(counts, targets=scenario.targets, info=info,
                   provenance=provenance(scenario, seed=seed), years=scenario.years, draws=kept)


def update(scenario: Scenario | Mapping[str, Any] | str | Path,
           observed: Sequence[str | Path] | None = None, *, as_of: int | None = None,
           draws: int | None = None, seed: int | None = None,
           baseline: Scenario | Mapping[str, Any] | str | Path | None = None,
           priors: PriorLibrary | None = None):
    """The odds of the scenario's targets given the figures observed after its base year
    (:func:`forecast.analysis.update.update_odds`, with its files read here).

    Parameters
    ----------
    scenario : Scenario, dict or path
        The scenario (see :func:`as_scenario`); the history it carries, if any, is used in
        place of its history file.
    observed : sequence of paths, optional
        CSV files in the history format (default: the scenario's ``monitoring.observed``).
    as_of : int, optional
        Use only figures dated up to this year (default: the latest observed year).
    draws, seed : int, optional
        Override the scenario's (at most 200,000 draws: the update keeps every draw).
    baseline : Scenario, dict or path, optional
        The scenario as it stood at the base year, when it has changed since.
    priors : PriorLibrary, optional
        Default: the library shipped in the package.

    Returns
    -------
    forecast.analysis.update.Update

    Raises
    ------
    DataError
        At the file, line and key of a bad observed row (nothing is simulated).
    """
    from forecast.analysis.update import update_odds
    from forecast.io.observed import observed_files, read_observed

    scenario = as_scenario(scenario)
    priors = prior_library(priors)
    rows = read_observed(list(observed) if observed else observed_files(scenario))
    old = None if baseline is None else as_scenario(baseline, key="baseline")
    return update_odds(scenario, scenario_history(scenario, resolved=False), rows,
                       priors=priors, as_of=as_of, draws=draws, seed=seed, baseline=old,
                       baseline_history=None if old is None
                       else scenario_history(old, resolved=False))


_scenario = as_scenario  # the name other modules of the package import


SAVED_ANSWERS = ("sensitivity", "plan")
"""Answers the report adds when a run folder holds their JSON (``sensitivity.json``,
``plan.json``)."""
MAX_ANSWER_BYTES = 50_000_000


def _saved_answer(folder: Path, name: str) -> dict[str, Any] | None:
    """The ``<name>.json`` a run folder holds (None if it holds none)."""
    path = folder / f"{name}.json"
    if not path.is_file():
        return None
    raw = read_bounded(path, MAX_ANSWER_BYTES, InputError, "JSON file")
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise InputError.single(f"cannot be read as JSON ({exc})", file=str(path)) from None


def write_report(runs: Results | str | Path | Sequence[Results | str | Path], path: str | Path,
                 *, lang: str = "en", sensitivity: dict[str, Any] | None = None,
                 plan: dict[str, Any] | None = None) -> Path:
    """Write the HTML report of one run, or of several compared (the first as reference).

    Parameters
    ----------
    runs : Results, run folder, or a sequence of them
        The run or runs (a folder is opened with :meth:`Results.load`).
    path : str or Path
        The HTML file to write (``*.html``), through a temporary file in its folder, so a
        failure leaves nothing half-written.
    lang : {"en", "vi"}
        Language of every word the report writes.
    sensitivity, plan : dict, optional
        A ``forecast.sensitivity(...).to_json()`` or ``forecast plan`` answer to add; default:
        the ``sensitivity.json`` and ``plan.json`` of the first run's folder, when it is a folder
        that holds them.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        If ``path`` does not end in ``.html``, its folder does not exist, ``lang`` is unknown,
        or a run folder cannot be read.
    """
    from forecast.io.writers import check_file_writable, write_atomic
    from forecast.messages import check_language
    from forecast.report import render_report

    check_language(lang)
    output = Path(path)
    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError.single(f"the report is an HTML page; name it '*.html' (found "
                                f"'{output.suffix or output.name}')", file=str(output),
                                key="path")
    items = [runs] if isinstance(runs, (Results, str, os.PathLike)) else list(runs)
    if not items:
        raise InputError.single("no run given; expected a Results or a run folder", key="runs")
    loaded = [item if isinstance(item, Results) else Results.load(item) for item in items]
    check_file_writable(output)
    answers = {"sensitivity": sensitivity, "plan": plan}
    if not isinstance(items[0], Results):
        for name in SAVED_ANSWERS:
            if answers[name] is None:
                answers[name] = _saved_answer(Path(items[0]), name)
    text = render_report(loaded, lang=lang, **answers)
    return write_atomic(output, text.encode("utf-8"))
