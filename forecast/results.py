"""Results of one scenario run: its :class:`~forecast.summary.Summary`, and its draws if kept.

``results.summary`` is the same typed object whatever the run kept. ``results.dataset`` is the
xarray Dataset of every draw (dims ``year`` and ``draw``: one variable per indicator, one per
sampled parameter); a run that kept only summaries has none, and asking for it raises
:class:`~forecast.errors.SummariesOnlyError` rather than offering quantiles under an indicator's
name. ``results.to_dataset()`` is what ``results.nc`` holds: the summary's counts and quantiles,
the draws if kept, and provenance with a schema version (:data:`SCHEMA`).

A run keeps its draws as :class:`KeptDraws` (plain arrays); the Dataset is built from them on
first access to ``results.dataset``, so that a run that only prints and saves never imports
xarray (importing it, with pandas, pint and dask's array module, cost a default run more than
its simulation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from forecast.errors import InputError, SummariesOnlyError, did_you_mean
from forecast.info import Assumption, IndicatorInfo
from forecast.spec.targets import Target
from forecast.summary import FAN_QUANTILES, KEEP_DRAWS_LIMIT, Counts, Summary, summarise

SCHEMA = "forecast.results/3"
"""Written in the ``schema`` attribute of every saved run (:mod:`forecast.io.results_file`
holds the layout); a file without it is refused."""


class Results:
    """The outcome of one run.

    Parameters
    ----------
    counts : Counts
        What the run was reduced to (exact or streamed).
    targets : sequence of Target
    info : mapping of IndicatorInfo
        Every indicator, in dependency order.
    provenance : mapping
        ``scenario``, ``region``, ``scenario_sha256``, ``scenario_file``, ``forecast_version``,
        ``seed``, ``created``.
    years : sequence of int
        Simulated years, base year first.
    draws : KeptDraws or xarray.Dataset, optional
        Every draw (dims ``year`` and ``draw``), if the run kept them: a
        :class:`KeptDraws` (:func:`kept_draws`) or a Dataset of the same variables (a run read
        back from ``results.nc``).
    """

    def __init__(self, counts: Counts, *, targets: Sequence[Target],
                 info: Mapping[str, IndicatorInfo], provenance: Mapping[str, Any],
                 years: Sequence[int], draws: Any = None):
        self.counts = counts
        self.targets = list(targets)
        self.info = dict(info)
        self.provenance = dict(provenance)
        self.years = [int(y) for y in years]
        self._draws = draws
        self._dataset = None if draws is None or isinstance(draws, KeptDraws) else draws
        self.summary: Summary = summarise(counts, self.targets, self.info, self.years,
                                          self._drivers() if draws is not None else None)

    def _drivers(self) -> dict[str, Any]:
        """Per target, the inputs that drive its hit indicator in these draws (each input
        ranked once for all targets: :func:`forecast.analysis.drivers.run_drivers`)."""
        from forecast.analysis.drivers import origins_by_key, run_drivers

        parameters = {str(k): self._draws[k].values for k in self._draws.data_vars
                      if self._draws[k].attrs.get("kind") == "parameter"}
        return run_drivers(parameters, {t.id: self.met(t.id) for t in self.targets},
                           origins_by_key(self.info))

    # -- notebook -----------------------------------------------------------------------
    def text(self, lang: str = "en") -> str:
        """A few lines in ``lang``: the run, then each target's probability (at most eight),
        then the joint probability.

        Parameters
        ----------
        lang : {"en", "vi"}

        Returns
        -------
        str
        """
        from forecast.formatting import format_probability, number
        from forecast.messages import message

        summary = self.summary
        kept = message("nb_kept" if self.draws_kept else "nb_summaries_only", lang)
        lines = [message("nb_results", lang, name=self.scenario_name,
                         draws=number(self.draws, 0, lang), kept=kept, seed=self.seed,
                         first=self.base_year, last=self.years[-1], n=len(self.targets))]
        lines += [f"  {t.id}: {format_probability(t.probability, t.probability_se, lang)}"
                  for t in summary.targets[:8]]
        if len(summary.targets) > 8:
            lines.append("  " + message("nb_more", lang, n=len(summary.targets) - 8))
        joint = format_probability(summary.joint_probability, summary.joint_probability_se,
                                   lang)
        lines.append("  " + message("nb_all_together", lang, p=joint))
        return "\n".join(lines)

    def __repr__(self) -> str:
        """:meth:`text` in English."""
        return self.text("en")

    def _repr_html_(self, lang: str = "en") -> str:
        """The target table, as in the report: probability, median, 90 % interval, required
        and historical rate of every target, and the joint probability."""
        from html import escape

        from forecast.formatting import (format_probability, format_quantity, format_rate,
                                         label_of, number)
        from forecast.messages import message

        summary = self.summary
        heads = ("col_target", "col_probability", "col_median", "col_interval", "col_required",
                 "col_historical")
        rows = []
        for t, target in zip(summary.targets, self.targets):
            low, high = (format_quantity(v, t.quantity_scale, t.unit, lang) for v in
                         (t.p05, t.p95))
            cells = (f"<b>{escape(t.id)}</b><br>{escape(label_of(target.label, '', lang))}",
                     format_probability(t.probability, t.probability_se, lang),
                     format_quantity(t.median, t.quantity_scale, t.unit, lang),
                     f"{low} \u2013 {high}",
                     format_rate(t.required_rate, t.rate_kind, t.unit, lang),
                     format_rate(t.historical_rate, t.historical_rate_kind, t.unit, lang))
            rows.append("<tr>" + "".join(
                f"<td style='text-align:{'left' if i == 0 else 'right'}'>"
                f"{c if i == 0 else escape(c)}</td>" for i, c in enumerate(cells)) + "</tr>")
        region = str(self.provenance.get("region", ""))
        caption = (f"{escape(message('scenario', lang))} <b>{escape(self.scenario_name)}</b>"
                   + (f" \u2013 {escape(region)}" if region else "") +
                   f" \u2013 {escape(message('draws', lang))}: {number(self.draws, 0, lang)}"
                   f", {self.base_year}\u2013{self.years[-1]}")
        joint = message("joint_sentence", lang, n=len(self.targets), p=format_probability(
            summary.joint_probability, summary.joint_probability_se, lang))
        head = "".join(f"<th>{escape(message(h, lang))}</th>" for h in heads)
        return (f"<div><table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table><p>{escape(joint)}</p></div>")

    # -- provenance ---------------------------------------------------------------------
    @property
    def scenario_name(self) -> str:
        """Name of the scenario that produced these results."""
        return str(self.provenance["scenario"])

    @property
    def draws(self) -> int:
        """Number of draws."""
        return self.counts.draws

    @property
    def seed(self) -> int:
        """Root seed."""
        return int(self.provenance["seed"])

    @property
    def base_year(self) -> int:
        """First simulated year."""
        return self.years[0]

    @property
    def indicators(self) -> list[str]:
        """Indicator names, in dependency order."""
        return list(self.info)

    def indicator_info(self, name: str) -> IndicatorInfo:
        """Unit, label, rate kind, evidence and assumptions of an indicator.

        Raises
        ------
        InputError
            If there is no such indicator (with a did-you-mean).
        """
        if name not in self.info:
            raise InputError.single(f"no indicator '{name}' in scenario '{self.scenario_name}'; "
                                    f"expected one of {', '.join(self.info)}."
                                    f"{did_you_mean(name, self.info)}", key="indicator")
        return self.info[name]

    def target(self, target_id: str) -> Target:
        """The target with this id (raises :class:`InputError` with a did-you-mean)."""
        for target in self.targets:
            if target.id == target_id:
                return target
        ids = [t.id for t in self.targets]
        raise InputError.single(f"no target '{target_id}'.{did_you_mean(target_id, ids)} "
                                f"Targets: {', '.join(ids)}", key="target")

    def assumptions(self) -> list[Assumption]:
        """Every value no source gives, indicator by indicator."""
        return [a for info in self.info.values() for a in info.assumptions]

    # -- draws ---------------------------------------------------------------------------
    @property
    def draws_kept(self) -> bool:
        """Whether every draw is kept (else only the summary)."""
        return self._draws is not None

    @property
    def dataset(self):
        """Every draw: an ``xarray.Dataset`` with dims ``year`` and ``draw`` (built on first
        access from the run's :class:`KeptDraws`, then the same object).

        Raises
        ------
        SummariesOnlyError
            If the run kept only its summary.
        """
        self._require_draws("results.dataset")
        if self._dataset is None:
            self._dataset = self._draws.to_xarray()
        return self._dataset

    def _require_draws(self, what: str) -> None:
        if self._draws is None:
            raise SummariesOnlyError(
                f"{what} needs every draw, but this run of {self.draws:,} draws kept only "
                f"summaries (runs of more than {KEEP_DRAWS_LIMIT:,} draws do by default): use "
                "results.summary (probabilities, quantiles of every target, "
                "results.summary.quantiles(indicator) for fan charts) or run it again keeping "
                "every draw (keep_draws=True in Python, --keep-draws on the command line)")

    def path(self, name: str) -> np.ndarray:
        """The simulated values of indicator ``name``, shape (year, draw)."""
        self.indicator_info(name)
        self._require_draws(f"the value of {name} in each draw")
        if isinstance(self._draws, KeptDraws):
            return self._draws[name].values
        return self._draws[name].transpose("year", "draw").values

    def target_values(self, target_id: str) -> np.ndarray:
        """The quantity the target judges, per draw."""
        target = self.target(target_id)
        return target.quantity(self.path(target.indicator), self.base_year)

    def met(self, target_id: str) -> np.ndarray:
        """Boolean per draw: is the target reached?"""
        return self.target(target_id).is_met(self.target_values(target_id))

    def met_matrix(self) -> np.ndarray:
        """Boolean per target and draw, shape (target, draw): is the target reached?"""
        return np.array([self.met(t.id) for t in self.targets], dtype=bool).reshape(
            len(self.targets), self.draws)

    def joint_met(self) -> np.ndarray:
        """Boolean per draw: are all targets reached together?"""
        return np.logical_and.reduce([self.met(t.id) for t in self.targets])

    def probability(self, target_id: str) -> float:
        """Probability of reaching one target (``summary.target(id).probability``)."""
        return self.summary.target(target_id).probability

    def quantiles(self, name: str, quantiles: Sequence[float] = FAN_QUANTILES):
        """Quantiles of indicator ``name`` in every year: an ``xarray.DataArray`` with dims
        ``quantile`` and ``year``; exact from the draws when kept, else from the summary (then
        ``quantiles`` must be among :data:`forecast.summary.FAN_QUANTILES`)."""
        if self._draws is None:
            return self.summary.quantiles(name, quantiles)
        import xarray as xr

        wanted = [float(q) for q in quantiles]
        values = np.quantile(self.path(name), wanted, axis=1)
        return xr.DataArray(values, name=name, dims=("quantile", "year"),
                            coords={"quantile": wanted, "year": self.years},
                            attrs={"error": np.zeros_like(values)})

    # -- files ---------------------------------------------------------------------------
    def summary_json(self) -> dict[str, Any]:
        """What ``summary.json`` holds (schema ``forecast.summary/1``, full precision; see
        :func:`forecast.io.summary_file.summary_document`)."""
        from forecast.io.summary_file import summary_document

        return summary_document(self)

    def summary_rows(self) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
        """What ``summary.csv`` holds: its columns and one record per target, each with its
        label, period and units, rounded for reading (:func:`forecast.io.summary_file.
        summary_table`)."""
        from forecast.io.summary_file import summary_table

        return summary_table(self)

    def to_dataset(self):
        """What ``results.nc`` holds (CF-style, schema :data:`SCHEMA`): the summary's counts
        and quantiles (``summary_*``), the draws if kept, the provenance in attrs
        (:func:`forecast.io.results_file.encode`; docs/outputs.md)."""
        return self._content().to_xarray()

    def _content(self):
        from forecast.io.results_file import encode

        return encode(self.counts, targets=self.targets, info=self.info,
                      provenance=self.provenance, years=self.years, draws=self._draws,
                      met=self.met_matrix() if self._draws is not None else None)

    @classmethod
    def from_dataset(cls, dataset, *, file: str | None = None) -> "Results":
        """The inverse of :meth:`to_dataset` (files of :data:`SCHEMA` and of the schemas in
        :data:`forecast.io.results_file.READABLE`).

        Raises
        ------
        InputError
            If ``dataset`` was not written by this tool with a schema it reads.
        """
        from forecast.io.results_file import READABLE, decode, required_variables

        found = dataset.attrs.get("schema")
        if found not in READABLE:
            what = f"schema '{found}'" if found else "no forecast schema"
            raise InputError.single(f"has {what}; expected a run saved by forecast (schema "
                                    f"'{SCHEMA}'); run the scenario again", file=file,
                                    key="schema")
        try:
            absent = [n for n in required_variables(dataset) if n not in dataset.variables]
            if absent:
                raise InputError.single(
                    f"lacks variables {', '.join(absent[:6])}{', ...' if len(absent) > 6 else ''}"
                    f" that a run of schema '{found}' holds; it is truncated or was changed "
                    "by another program: run the scenario again", file=file)
            parts = decode(dataset)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError.single(f"is not a complete forecast run ({type(exc).__name__}: "
                                    f"{exc}); run the scenario again", file=file) from None
        return cls(parts.pop("counts"), **parts)

    def outputs(self) -> dict[str, Any]:
        """The files of a run folder by name, with their content (``results.nc`` as a
        :class:`~forecast.io.netcdf.NetcdfContent`, written without xarray)."""
        return {"results.nc": self._content(), "summary.json": self.summary_json(),
                "summary.csv": self.summary_rows()}

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write ``results.nc``, ``summary.json`` and ``summary.csv`` into ``directory``, all
        or nothing (:func:`forecast.io.writers.write_folder`).

        Raises
        ------
        OutputExistsError
            If ``directory`` exists, is not empty and ``force`` is false.
        """
        from forecast.io.writers import write_folder

        return write_folder(directory, self.outputs(), force=force)

    @classmethod
    def load(cls, path: str | Path) -> "Results":
        """Open a run folder (or its ``results.nc``).

        Raises
        ------
        InputError
            If there is no ``results.nc``, it is not a NetCDF file, or it was not saved by
            this tool with schema :data:`SCHEMA`.
        """
        from forecast.io.writers import read_run_dataset

        dataset, file = read_run_dataset(path)
        return cls.from_dataset(dataset, file=file)


def run_labels(runs: Sequence[Results]) -> tuple[str, ...]:
    """Distinct labels of several runs: the scenario name, and where one repeats, each copy
    with its seed (``base@seed7``) or, if the seed repeats too, its position (``base#2``)."""
    names = [r.scenario_name for r in runs]
    labels = []
    for i, (name, run) in enumerate(zip(names, runs)):
        if names.count(name) == 1:
            labels.append(name)
        elif sum(1 for n, r in zip(names, runs) if n == name and r.seed == run.seed) == 1:
            labels.append(f"{name}@seed{run.seed}")
        else:
            labels.append(f"{name}#{i + 1}")
    return tuple(labels)


def _definition(target: Target) -> tuple:
    return (target.indicator, target.kind, target.year, target.period, target.at_least,
            target.at_most)


def _describe(target: Target) -> str:
    when = target.year if target.year is not None else "-".join(map(str, target.period or ()))
    bound = f">= {target.at_least:g}" if target.at_least is not None else \
        f"<= {target.at_most:g}"
    return f"{target.indicator} {target.kind} {when} {bound}"


def shared_targets(runs: Sequence[Results]) -> tuple[dict[str, Target], list[set[str]],
                                                      list[dict[str, str]]]:
    """Which targets of several runs are the same target, so that they may sit side by side.

    A target is the first one met under its id (runs in order); another run's target of that
    id is the same only if it measures the same indicator, kind, year or period and threshold
    (runs of two regions may both have a ``ntm_2025`` of 16 and of 139 communes).

    Returns
    -------
    targets : dict
        Every id, with the target that defines it.
    shared : list of set
        Per run, the ids of its targets that are the same as the defining ones.
    left_out : list of dict
        One record per target left out: ``label`` (its run), ``target``, ``definition``,
        ``owner`` (the run that defines the id) and ``owner_definition``;
        :func:`left_out_text` writes it as a sentence.
    """
    labels = run_labels(runs)
    targets: dict[str, Target] = {}
    owner: dict[str, str] = {}
    shared: list[set[str]] = []
    left_out: list[dict[str, str]] = []
    for label, run in zip(labels, runs):
        mine = set()
        for target in run.targets:
            if target.id not in targets:
                targets[target.id], owner[target.id] = target, label
            if _definition(target) == _definition(targets[target.id]):
                mine.add(target.id)
            else:
                left_out.append({"label": label, "target": target.id,
                                 "definition": _describe(target), "owner": owner[target.id],
                                 "owner_definition": _describe(targets[target.id])})
        shared.append(mine)
    return targets, shared, left_out


def left_out_text(record: Mapping[str, str], lang: str = "en") -> str:
    """A target left out of a comparison (a record of :func:`shared_targets`, or one with only
    ``label`` and ``target``: a run without that target) as a sentence in ``lang``.

    Parameters
    ----------
    record : mapping
    lang : {"en", "vi"}

    Returns
    -------
    str
    """
    from forecast.messages import message

    if record.get("owner") is None:
        return message("t_left_out_missing", lang, label=record["label"],
                       target=record["target"])
    return message("t_left_out_other", lang, **{k: record[k] for k in (
        "label", "target", "definition", "owner", "owner_definition")})


class KeptDraws:
    """Every draw of a run as plain arrays: what :attr:`Results.dataset` shows as an
    ``xarray.Dataset`` and ``results.nc`` saves, held without xarray.

    It reads like the Dataset where the package reads draws: ``draws.data_vars`` (the names),
    ``draws[name]`` (a variable with ``dims``, ``values`` and ``attrs``), ``name in draws``.

    Parameters
    ----------
    variables : mapping of forecast.io.netcdf.NetcdfVariable
        Every indicator (dims ``year``, ``draw``; ``attrs["kind"]`` ``indicator``) and sampled
        parameter (dim ``draw``; ``kind`` ``parameter``), in the order they are saved.
    years : sequence of int
        The simulated years (the ``year`` coordinate), base year first.
    draws : int
        The number of draws (the ``draw`` coordinate is 0 .. draws - 1).
    """

    def __init__(self, variables: Mapping[str, Any], years: Sequence[int], draws: int):
        self.variables = dict(variables)
        self.years = [int(y) for y in years]
        self.draws = int(draws)

    @property
    def data_vars(self) -> list[str]:
        """The names of the variables, in order."""
        return list(self.variables)

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> Any:
        return self.variables[name]

    def to_xarray(self):
        """The ``xarray.Dataset`` of every draw (coords ``year`` and ``draw``; the arrays are
        shared, not copied)."""
        import xarray as xr

        data_vars = {name: xr.Variable(v.dims, v.values, attrs=v.attrs)
                     for name, v in self.variables.items()}
        return xr.Dataset(data_vars, coords={"year": list(self.years),
                                             "draw": np.arange(self.draws)})


def kept_draws(paths: Mapping[str, np.ndarray], parameters: Mapping[str, np.ndarray],
               info: Mapping[str, IndicatorInfo], years: Sequence[int]) -> KeptDraws:
    """Every draw of a run: indicators (year, draw) with ``units``, ``long_name`` and labels
    per language in attrs, and sampled parameters (draw), each ``base`` in its indicator's
    unit, the others on the component's own scale (``units`` 1).

    Parameters
    ----------
    paths : mapping of ndarray
        Each indicator's values, shape (year, draw).
    parameters : mapping of ndarray
        Each sampled parameter (``indicator.key``), shape (draw,).
    info : mapping of IndicatorInfo
    years : sequence of int

    Returns
    -------
    KeptDraws
    """
    from forecast.io.netcdf import NetcdfVariable
    from forecast.io.results_file import label_attrs

    variables: dict[str, Any] = {}
    for name, values in paths.items():
        variables[name] = NetcdfVariable(("year", "draw"), values, {
            "units": info[name].unit, **label_attrs(info[name].label, name),
            "model": info[name].model, "kind": "indicator"})
    for key, values in parameters.items():
        indicator, _, setting = key.partition(".")
        unit = info[indicator].unit if setting == "base" and indicator in info else "1"
        variables[key] = NetcdfVariable(("draw",), values, {
            "units": unit, "long_name": f"{setting or key} of {indicator} (sampled parameter)",
            "kind": "parameter", "forecast_name": key})
    size = next(iter(paths.values())).shape[1]
    return KeptDraws(variables, years, size)


def draws_dataset(paths: Mapping[str, np.ndarray], parameters: Mapping[str, np.ndarray],
                  info: Mapping[str, IndicatorInfo], years: Sequence[int]):
    """The ``xarray.Dataset`` of every draw (:func:`kept_draws`, as a Dataset)."""
    return kept_draws(paths, parameters, info, years).to_xarray()


def provenance(scenario: Any, *, seed: int) -> dict[str, Any]:
    """Who made a run, from what, and when (``created``: the day, :func:`run_date`)."""
    from forecast import __version__

    return {"scenario": scenario.name, "region": scenario.region,
            "scenario_sha256": scenario.digest(), "scenario_file": scenario.file or "",
            "forecast_version": __version__, "seed": int(seed), "created": run_date()}


def run_date() -> str:
    """The day of a run as ISO ``YYYY-MM-DD`` (UTC): the day of ``SOURCE_DATE_EPOCH`` when
    that is set (reproducible builds' convention), else today. A day, not a time, so that a
    run repeated on the same day writes the same bytes.

    Raises
    ------
    InputError
        If ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    import datetime
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    if not epoch.isdigit():
        raise InputError.single(f"is '{epoch}'; expected a whole number of seconds since "
                                "1970-01-01 (or unset it)", file="environment",
                                key="SOURCE_DATE_EPOCH")
    stamp = datetime.datetime.fromtimestamp(min(int(epoch), 253402300799),
                                            datetime.timezone.utc)
    return stamp.date().isoformat()


__all__ = ["KeptDraws", "Results", "SCHEMA", "draws_dataset", "kept_draws", "left_out_text",
           "provenance", "run_date", "run_labels", "shared_targets"]
