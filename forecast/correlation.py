"""Rank correlations between sampled inputs: a Gaussian copula imposed by reordering draws.

A scenario declares, under ``correlations:``, pairs of sampled inputs named
``<indicator>.<parameter>`` (the names results use: ``paved_road_share.base``,
``output.drift``) and the rank (Spearman) correlation between them, each with its ``why``.
The pairs make one correlation matrix over the named inputs; it must be positive definite.

Within each block of draws the engine draws normals with that correlation (the Pearson
correlation ``2 sin(pi rho / 6)`` of a normal pair whose rank correlation is ``rho``) from a
stream of its own, ``SeedSequence(seed, spawn_key=(crc32("forecast:correlation"), block))``,
and reorders each named input's component so that the input's ranks follow its normal column
(Iman and Conover's method with a normal copula). Every component keeps its own joint
distribution exactly (all its draws, parameters and innovations, move together), every
marginal is unchanged, and the result depends only on the seed and the block: not on the
chunking or the workers. One input per indicator can be named (reordering the component twice
would undo the first).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

_STREAM = zlib.crc32(b"forecast:correlation")


class Correlation(BaseModel):
    """``{between: [a.x, b.y], rank: 0.4, why: ...}``: the rank correlation of two inputs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    between: tuple[str, str] = Field(description="Two sampled inputs, '<indicator>.<parameter>'"
                                     " (as results name them: 'output.base', 'output.drift').")
    rank: float = Field(gt=-1, lt=1, allow_inf_nan=False, description="Rank (Spearman) "
                        "correlation, strictly between -1 and 1.")
    why: str = Field(min_length=3, description="Why these two move together.")


def _split(name: str) -> tuple[str, str] | None:
    indicator, dot, key = name.partition(".")
    return (indicator, key) if dot and indicator and key and "." not in key else None


def names_of(correlations: Sequence[Correlation]) -> list[str]:
    """The named inputs, in first-seen order."""
    return list(dict.fromkeys(n for c in correlations for n in c.between))


def rank_matrix(correlations: Sequence[Correlation]) -> tuple[list[str], np.ndarray]:
    """The named inputs and the matrix of their declared rank correlations (1 on the diagonal,
    0 where no pair is declared)."""
    names = names_of(correlations)
    index = {n: i for i, n in enumerate(names)}
    matrix = np.eye(len(names))
    for c in correlations:
        i, j = index[c.between[0]], index[c.between[1]]
        matrix[i, j] = matrix[j, i] = c.rank
    return names, matrix


def normal_matrix(rank: np.ndarray) -> np.ndarray:
    """Pearson correlation of the normal copula whose rank correlation is ``rank``."""
    out = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(out, 1.0)
    return out


def check_correlations(correlations: Sequence[Correlation],
                       indicators: Mapping[str, Any]) -> list[tuple[tuple, str]]:
    """(key path under ``correlations``, message) for every problem: a name that is not
    ``<indicator>.<parameter>`` of a scenario indicator, a pair of an input with itself or
    declared twice, two inputs of one indicator, a matrix that is not positive definite."""
    problems: list[tuple[tuple, str]] = []
    seen: dict[frozenset, int] = {}
    keys: dict[str, str] = {}
    from forecast.errors import did_you_mean

    for i, c in enumerate(correlations):
        for j, name in enumerate(c.between):
            parts = _split(name)
            if parts is None:
                problems.append(((i, "between", j), f"'{name}' is not '<indicator>.<parameter>'"))
                continue
            if parts[0] not in indicators:
                problems.append(((i, "between", j), f"unknown indicator '{parts[0]}'."
                                 f"{did_you_mean(parts[0], indicators)}"))
                continue
            other = keys.setdefault(parts[0], parts[1])
            if other != parts[1]:
                problems.append(((i, "between", j), f"'{parts[0]}' already correlates its "
                                 f"'{other}'; one input per indicator can be correlated"))
        if c.between[0] == c.between[1]:
            problems.append(((i, "between"), "an input is correlated with itself"))
        pair = frozenset(c.between)
        if pair in seen:
            problems.append(((i, "between"), f"this pair is declared already (entry {seen[pair]})"))
        seen.setdefault(pair, i)
    if problems or not correlations:
        return problems
    names, rank = rank_matrix(correlations)
    eigen = np.linalg.eigvalsh(normal_matrix(rank))
    if eigen.min() <= 1e-10:
        problems.append(((), f"the correlations of {', '.join(names)} are not positive definite "
                         f"(smallest eigenvalue of the copula's matrix {eigen.min():.3g}): no "
                         "joint distribution has them; weaken or remove one"))
    return problems


@dataclass(frozen=True)
class Copula:
    """The normal copula over named inputs, ready for the engine (plain, picklable)."""

    inputs: tuple[tuple[str, str], ...]  # (indicator, parameter)
    cholesky: np.ndarray

    @classmethod
    def of(cls, correlations: Sequence[Correlation]) -> "Copula | None":
        """The copula of declared correlations (None when there are none).

        Raises
        ------
        ValueError
            If the correlations are invalid (see :func:`check_correlations`).
        """
        if not correlations:
            return None
        names, rank = rank_matrix(correlations)
        try:
            chol = np.linalg.cholesky(normal_matrix(rank))
        except np.linalg.LinAlgError:
            raise ValueError("the declared correlations are not positive definite") from None
        return cls(tuple(_split(n) for n in names), chol)  # type: ignore[misc]

    def missing(self, draws: Mapping[str, Mapping[str, np.ndarray]]) -> list[str]:
        """Named inputs that the components do not draw."""
        return [f"{i}.{k}" for i, k in self.inputs if i not in draws or k not in draws[i]
                or k.startswith("_")]

    def apply(self, draws: dict[str, dict[str, np.ndarray]], seed: int, block: int,
              size: int) -> dict[str, dict[str, np.ndarray]]:
        """Reorder the named components' draws of one block so that the named inputs have the
        copula's rank correlations. Pure: the same arguments give the same result."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM, block)))
        z = rng.standard_normal((size, len(self.inputs))) @ self.cholesky.T
        out = dict(draws)
        for column, (indicator, key) in enumerate(self.inputs):
            order = np.argsort(draws[indicator][key], kind="stable")
            ranks = np.argsort(np.argsort(z[:, column], kind="stable"), kind="stable")
            permutation = order[ranks]
            out[indicator] = {k: v[..., permutation] for k, v in draws[indicator].items()}
        return out
