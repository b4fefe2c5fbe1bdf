"""Compare scenarios target by target, with common random numbers.

Scenarios run with the same seed share their random numbers wherever their components share a
name, so the draw-by-draw difference of "target reached" has a far smaller standard error than
the difference of two independent estimates. The paired standard error is
``sd(met_b - met_a) / sqrt(draws)``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.errors import InputError
from forecast.results import Results, run_labels, shared_targets
from forecast.summary import binomial_se

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary


RECORD_KEYS = ("scenario", "target", "indicator", "probability", "probability_se", "difference",
               "difference_se", "unpaired_se", "rate_kind", "unit", "required_rate",
               "median_rate")


@dataclass(frozen=True)
class Comparison:
    """Several runs of the same targets; the first is the reference."""

    runs: tuple[Results, ...]
    labels: tuple[str, ...] = ()

    def __post_init__(self):
        if len(self.runs) < 2:
            raise InputError.single("compare needs at least two scenarios or run folders")
        if not self.labels:
            object.__setattr__(self, "labels", run_labels(self.runs))
        if len(self.labels) != len(self.runs) or len(set(self.labels)) != len(self.labels):
            raise InputError.single(f"runs need distinct labels; found {list(self.labels)}")
        draws = {r.draws for r in self.runs}
        if len(draws) != 1:
            raise InputError.single(f"runs have different numbers of draws ({sorted(draws)}); "
                                    "paired differences need the same draws and seed")

    @property
    def scenarios(self) -> list[str]:
        """Run labels (scenario names, made distinct where they repeat), reference first."""
        return list(self.labels)

    @property
    def paired(self) -> bool:
        """True when all runs share one seed (common random numbers)."""
        return len({r.seed for r in self.runs}) == 1

    @property
    def target_ids(self) -> list[str]:
        """Targets of the reference run."""
        return [t.id for t in self.runs[0].targets]

    @functools.cached_property
    def _shared(self) -> tuple[list[set[str]], list[str]]:
        _, shared, left_out = shared_targets(self.runs)
        return shared, left_out

    @property
    def left_out_records(self) -> list[dict[str, str]]:
        """Targets not compared, as records (:func:`~forecast.results.shared_targets`): a run's
        target that shares an id with the reference's but measures something else (another
        indicator, kind, year or threshold), then a reference target a run does not have
        (``label`` and ``target`` only)."""
        shared, left_out = self._shared
        ids = set(self.target_ids)
        missing = [{"label": label, "target": t} for label, run in zip(self.labels, self.runs)
                   for t in self.target_ids if t not in {x.id for x in run.targets}]
        return [r for r in left_out if r["target"] in ids] + missing

    def left_out_text(self, lang: str = "en") -> list[str]:
        """:attr:`left_out_records` as sentences in ``lang``.

        Parameters
        ----------
        lang : {"en", "vi"}

        Returns
        -------
        list of str
        """
        from forecast.results import left_out_text

        return [left_out_text(r, lang) for r in self.left_out_records]

    @property
    def left_out(self) -> list[str]:
        """:meth:`left_out_text` in English (one sentence per target not compared)."""
        return self.left_out_text("en")

    @functools.cached_property
    def _records(self) -> tuple[dict[str, Any], ...]:
        return tuple(self._compute_records())

    def records(self) -> list[dict[str, Any]]:
        """One record per scenario and target (reference first); computed once."""
        return [dict(r) for r in self._records]

    def run_of(self, label: str) -> Results:
        """The run with this label."""
        return self.runs[self.labels.index(label)]

    def _compute_records(self) -> list[dict[str, Any]]:
        reference = self.runs[0]
        out = []
        for target_id in self.target_ids:
            met_ref = reference.met(target_id)
            p_ref = reference.summary.target(target_id).probability
            for label, run, shared in zip(self.labels, self.runs, self._shared[0]):
                if target_id not in shared:
                    continue
                summary = run.summary.target(target_id)
                p, n = summary.probability, run.draws
                unpaired = math.hypot(binomial_se(p, n), binomial_se(p_ref, n))
                diff = run.met(target_id).astype(float) - met_ref
                out.append({
                    "scenario": label, "target": target_id, "indicator": summary.indicator,
                    "probability": p, "probability_se": summary.probability_se,
                    "difference": p - p_ref,
                    "difference_se": float(diff.std(ddof=1) / math.sqrt(n)) if self.paired
                    else unpaired,
                    "unpaired_se": unpaired, "rate_kind": summary.rate_kind,
                    "unit": summary.unit, "required_rate": _finite(summary.required_rate),
                    "median_rate": _finite(summary.achieved_rate)})
        return out

    def to_json(self) -> dict[str, Any]:
        """What ``comparison.json`` holds."""
        return {"scenarios": self.scenarios, "draws": self.runs[0].draws,
                "seeds": [r.seed for r in self.runs], "paired": self.paired,
                "left_out": self.left_out,
                "joint_probability": {label: r.summary.joint_probability
                                      for label, r in zip(self.labels, self.runs)},
                "records": self.records()}

    def to_dataset(self):
        """An xarray Dataset with a ``scenario`` dimension: probabilities per target, and each
        target's quantity per draw."""
        import xarray as xr

        records = self.records()
        data_vars = {}
        for key in ("probability", "probability_se", "difference", "difference_se",
                    "required_rate", "median_rate"):
            grid = np.full((len(self.scenarios), len(self.target_ids)), np.nan)
            for record in records:
                grid[self.scenarios.index(record["scenario"]),
                     self.target_ids.index(record["target"])] = \
                    np.nan if record[key] is None else record[key]
            data_vars[key] = (("scenario", "target"), grid)
        for target_id in self.target_ids:
            values = np.full((len(self.runs), self.runs[0].draws), np.nan)
            for i, (run, shared) in enumerate(zip(self.runs, self._shared[0])):
                if target_id in shared:
                    values[i] = run.target_values(target_id)
            data_vars[f"{target_id}.value"] = (("scenario", "draw"), values)
        return xr.Dataset(data_vars, coords={"scenario": self.scenarios,
                                             "target": self.target_ids,
                                             "draw": np.arange(self.runs[0].draws)},
                          attrs={"paired": int(self.paired),
                                 "seeds": json.dumps([r.seed for r in self.runs])})

    def _title(self, lang: str) -> str:
        from forecast.formatting import number
        from forecast.messages import message

        reference = self.runs[0]
        seed = (message("t_common_seed", lang, seed=reference.seed) if self.paired
                else message("t_unpaired", lang))
        return message("nb_comparison", lang, n=len(self.runs), name=self.scenarios[0],
                       targets=len(self.target_ids), draws=number(reference.draws, 0, lang),
                       seed=seed)

    def __repr__(self) -> str:
        """A header line, then each target's probability in each run (and the paired
        difference against the first)."""
        from forecast.formatting import number, percent

        lines = [self._title("en")]
        for target in self.target_ids:
            parts = []
            for record in (r for r in self._records if r["target"] == target):
                text = f"{record['scenario']} {percent(record['probability'])}"
                if record["scenario"] != self.scenarios[0]:
                    text += (f" ({number(100 * record['difference'], 1, sign=True)} \u00b1 "
                             f"{number(100 * record['difference_se'], 1)} pts)")
                parts.append(text)
            lines.append(f"  {target}: " + "; ".join(parts))
        return "\n".join(lines)

    def to_html(self, lang: str = "en") -> str:
        """The comparison table (as ``forecast compare`` prints it) as an HTML table.

        Parameters
        ----------
        lang : {"en", "vi"}
            Language of the words and numbers.

        Returns
        -------
        str
        """
        from forecast.formatting import format_probability, format_rate, number
        from forecast.messages import message

        rows = []
        for record in self._records:
            first = record["scenario"] == self.scenarios[0]
            rate = functools.partial(format_rate, rate_kind=record["rate_kind"],
                                     unit=record["unit"], lang=lang)
            rows.append([record["target"] if first else "", record["scenario"],
                         format_probability(record["probability"], record["probability_se"],
                                            lang),
                         "" if first else (f"{number(100 * record['difference'], 1, lang, sign=True)}"
                                           f" \u00b1 {number(100 * record['difference_se'], 1, lang)}"),
                         rate(record["required_rate"]), rate(record["median_rate"])])
        header = [message(k, lang) for k in ("t_target", "t_scenario", "t_probability",
                                             "t_difference", "t_required", "t_median_rate")]
        return html_table(header, rows, caption=self._title(lang),
                          notes=[message("t_difference_note", lang), *self.left_out_text(lang)])

    def _repr_html_(self) -> str:
        return self.to_html()

    def outputs(self) -> dict[str, Any]:
        """The files of a comparison folder by name, with their content."""
        return {"comparison.csv": (RECORD_KEYS, self.records()),
                "comparison.json": self.to_json(), "comparison.nc": self.to_dataset()}

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write comparison.csv, comparison.json and comparison.nc, all or nothing."""
        from forecast.io.writers import write_folder

        return write_folder(directory, self.outputs(), force=force)


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], *, caption: str = "",
               notes: Sequence[str] = ()) -> str:
    """An HTML table of text cells (each escaped), with a caption and notes below it: what a
    notebook shows for a result.

    Parameters
    ----------
    header : sequence of str
        Column heads.
    rows : sequence of sequences
        Cells, shown as ``str`` of each.
    caption : str
        Above the table.
    notes : sequence of str
        Lines below the table.

    Returns
    -------
    str
    """
    from html import escape

    def line(cells: Sequence[Any], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{escape(str(c))}</{tag}>" for c in cells) + "</tr>"

    body = "".join(line(row, "td") for row in rows)
    below = "".join(f"<p><small>{escape(note)}</small></p>" for note in notes)
    return (f"<div><table><caption style=\"text-align:left\">{escape(caption)}</caption>"
            f"<thead>{line(header, 'th')}</thead><tbody>{body}</tbody></table>{below}</div>")


def _finite(value: float) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def compare(items: Sequence[Any], *, draws: int | None = None, seed: int | None = None,
            workers: int = 1, priors: PriorLibrary | None = None) -> Comparison:
    """Compare scenarios and finished runs target by target, against the first.

    Parameters
    ----------
    items : sequence
        Two or more of: a :class:`~forecast.spec.scenario.Scenario`, its plain data (a dict,
        see :meth:`Scenario.from_dict`) or the path of its file; a finished run
        (:class:`~forecast.results.Results`) or its folder. The first is the reference.
    draws, seed : int, optional
        Scenarios are simulated with one seed and one number of draws: these if given, else
        those of the first item, so they share their random numbers.
    workers : int
        Processes of a local Dask cluster for each simulation.
    priors : PriorLibrary, optional
        Where pooled priors come from (default: the library shipped in the package).

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        If fewer than two items are given, an item is none of these, or runs have different
        numbers of draws.
    """
    from forecast.pipeline import as_scenario, simulate

    if isinstance(items, (str, Path, Results)) or not isinstance(items, Sequence):
        raise InputError.single(f"found {type(items).__name__}; expected a list of two or more "
                                "scenarios or runs", key="items")
    if len(items) < 2:
        raise InputError.single(f"found {len(items)} item(s); compare needs at least two "
                                "scenarios or run folders", key="items")
    loaded: list[Any] = []
    for item in items:
        if isinstance(item, Results):
            loaded.append(item)
        elif isinstance(item, (str, Path)) and Path(item).is_dir():
            loaded.append(Results.load(item))
        else:
            loaded.append(as_scenario(item, key="items"))
    first = loaded[0]
    draws = draws if draws is not None else first.draws
    seed = seed if seed is not None else first.seed
    runs = tuple(item if isinstance(item, Results) else simulate(
        item, draws=draws, seed=seed, workers=workers, keep_draws=True, priors=priors)
        for item in loaded)
    return Comparison(runs)
