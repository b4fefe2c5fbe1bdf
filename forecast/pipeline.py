"""The functions a notebook calls: calibrate a scenario, simulate it (paths of files are read
here through the io layer; everything below takes values)."""

from __future__ import annotations

from pathlib import Path

from forecast.errors import InputError, ModelError, Problem, ScenarioError
from forecast.calibration import calibrate as calibrate_model
from forecast.engine import Model, Progress, layout_of, simulate_paths, simulate_summaries
from forecast.io.region import read_scenario_history
from forecast.io.prior_library import load_prior_library
from forecast.info import describe_model
from forecast.results import Results, draws_dataset, provenance
from forecast.io.scenario_file import load_scenario
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario
from forecast.summary import KEEP_DRAWS_LIMIT, exact_counts


def _scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def calibrate(scenario: Scenario | str | Path, *,
              priors: PriorLibrary | None = None, allow_unused: bool = False) -> Model:
    """Read the scenario's history and calibrate every component.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.
    priors : PriorLibrary, optional
        Where pooled priors (``{dist: pooled, name: ...}``) come from (default: the library
        shipped in the package, :func:`forecast.io.prior_library.load_prior_library`).
    allow_unused : bool
        Calibrate without evidence rows that cannot be read (listed by
        :func:`forecast.calibration.unused_rows`) instead of refusing them.

    Returns
    -------
    Model
        Components fitted to their evidence, in dependency order.
    """
    scenario = _scenario(scenario)
    priors = load_prior_library() if priors is None else priors
    try:
        history = read_scenario_history(scenario)
    except InputError as exc:  # a file that cannot be read: say which scenario line named it
        if any(p.line is not None for p in exc.problems):
            raise
        file, line = scenario.locate("history")
        raise type(exc)(list(exc.problems) + [
            Problem(file, line, "history", f"names this history file ({scenario.history})")
        ]) from None
    return calibrate_model(scenario, history, priors=priors, allow_unused=allow_unused)


def simulate(scenario: Scenario | str | Path, *, draws: int | None = None,
             seed: int | None = None, workers: int = 1, keep_draws: bool | None = None,
             scheduler: str | None = None, progress: Progress | None = None,
             model: Model | None = None) -> Results:
    """Calibrate and simulate a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.
    draws, seed : int, optional
        Override the scenario's ``draws`` and ``seed``.
    workers : int
        Processes of a local Dask cluster (1: this process); the result does not depend on it.
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

    Returns
    -------
    Results
    """
    if scheduler is not None and workers > 1:
        raise InputError.single("give either scheduler (an existing Dask cluster) or workers "
                                "(a new local one), not both", key="scheduler")
    scenario = _scenario(scenario)
    draws = scenario.draws if draws is None else int(draws)
    seed = scenario.seed if seed is None else int(seed)
    keep_draws = draws <= KEEP_DRAWS_LIMIT if keep_draws is None else keep_draws
    model = calibrate(scenario) if model is None else model
    info = describe_model(scenario, model)
    try:
        if keep_draws:
            block = simulate_paths(model, draws=draws, seed=seed, workers=workers,
                                   scheduler=scheduler, progress=progress)
            counts = exact_counts(layout_of(model, scenario.targets), block.paths)
            kept = draws_dataset(block.paths, block.parameters, info, scenario.years)
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
