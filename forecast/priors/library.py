"""A prior library in memory: pooled prior specs, their panels' values, the shipped distributions.

The library is data (``forecast/library/`` in the package, read by
:func:`forecast.io.prior_library.load_prior_library`); this module only holds it and
re-derives from it. Calibration takes the *shipped* distribution of a name
(:meth:`PriorLibrary.distribution`), so a run needs neither statsmodels nor a re-derivation;
:meth:`PriorLibrary.derive` re-derives a prior from the panel in memory and
:meth:`PriorLibrary.check` says whether the shipped numbers still match (``forecast priors``
and the test suite use it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forecast.errors import InputError, ModelError, did_you_mean
from forecast.priors.panel import Panel
from forecast.priors.pooled import PooledPrior, derive
from forecast.priors.pooled_spec import PooledSpec
from forecast.spec.distributions import _Dist

__all__ = ["DECIMALS", "PriorCheck", "PriorLibrary"]

DECIMALS = 6
"""Decimals a shipped distribution's parameters are written with (the derivation rounds to
them); a shipped number matches its re-derivation within one unit of the last decimal."""


def _parameters(distribution: _Dist) -> dict[str, Any]:
    """The numbers of a distribution (every field but ``dist`` and ``why``)."""
    return {k: v for k, v in distribution.model_dump().items() if k not in ("dist", "why")}


@dataclass(frozen=True)
class PriorCheck:
    """A shipped distribution against its re-derivation from the library's panel.

    Attributes
    ----------
    name : str
    shipped, derived : distribution
    differences : tuple of str
        What differs (empty: they match to :data:`DECIMALS` decimals, with the same ``why``).
    """

    name: str
    shipped: _Dist
    derived: _Dist
    differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        """Whether the shipped distribution is the re-derivation (to the shipped rounding)."""
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``forecast priors --json``."""
        return {"name": self.name, "matches": self.matches,
                "shipped": self.shipped.model_dump(), "derived": self.derived.model_dump(),
                "differences": list(self.differences)}


def compare(shipped: _Dist, derived: _Dist, decimals: int = DECIMALS) -> tuple[str, ...]:
    """What differs between two distributions: the family, a parameter by more than one unit
    of the ``decimals``-th decimal, or the ``why``.

    Parameters
    ----------
    shipped, derived : distribution
    decimals : int

    Returns
    -------
    tuple of str
        One sentence per difference (empty if none).
    """
    if shipped.dist != derived.dist:
        return (f"the family: shipped {shipped.dist}, re-derived {derived.dist}",)
    tolerance = 1.0001 * 10.0**-decimals
    out = []
    ours, theirs = _parameters(shipped), _parameters(derived)
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if abs(a - b) > tolerance:
                out.append(f"{key}: shipped {a!r}, re-derived {b!r}")
        elif a != b:
            out.append(f"{key}: shipped {a!r}, re-derived {b!r}")
    if shipped.why != derived.why:
        out.append(f"why: shipped {shipped.why!r}, re-derived {derived.why!r}")
    return tuple(out)


@dataclass(frozen=True)
class PriorLibrary:
    """Pooled priors by name: how each is derived, from which values, and what it came to.

    Parameters
    ----------
    specs : mapping
        Name -> :class:`~forecast.priors.pooled.PooledSpec` (with its panel's exclusions).
    panels : mapping
        Name -> the :class:`~forecast.priors.panel.Panel` the prior is derived from (priors
        on one panel share one object).
    distributions : mapping
        Name -> the shipped distribution (with its ``why``): what calibration uses.
    source : str
        Where the library was read from (for messages).

    Raises
    ------
    ModelError
        If the three mappings do not have the same names.
    """

    specs: Mapping[str, PooledSpec]
    panels: Mapping[str, Panel]
    distributions: Mapping[str, _Dist]
    source: str = "<memory>"
    _derived: dict[str, PooledPrior] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)

    def __post_init__(self) -> None:
        names = set(self.specs)
        if set(self.panels) != names or set(self.distributions) != names:
            raise ModelError("a prior library needs a spec, a panel and a distribution for "
                             "every name")

    @property
    def names(self) -> tuple[str, ...]:
        """Every prior's name, sorted."""
        return tuple(sorted(self.specs))

    def __contains__(self, name: object) -> bool:
        return name in self.specs

    def _known(self, name: str) -> str:
        if name not in self.specs:
            raise InputError.single(f"unknown pooled prior '{name}'.{did_you_mean(name, self.specs)}"
                                    f" Known: {', '.join(self.names) or 'none'} (in "
                                    f"{self.source})", key="name")
        return name

    def spec(self, name: str) -> PooledSpec:
        """How the prior ``name`` is derived.

        Raises
        ------
        InputError
            If there is no such prior (keyed ``name``, with a did-you-mean).
        """
        return self.specs[self._known(name)]

    def panel(self, name: str) -> Panel:
        """The panel the prior ``name`` is derived from.

        Raises
        ------
        InputError
            If there is no such prior.
        """
        return self.panels[self._known(name)]

    def distribution(self, name: str) -> _Dist:
        """The shipped distribution of ``name``, with its ``why`` (what calibration uses).

        Raises
        ------
        InputError
            If there is no such prior.
        """
        return self.distributions[self._known(name)]

    def derive(self, name: str) -> PooledPrior:
        """Re-derive the prior ``name`` from the panel in memory (memoised per library).

        Raises
        ------
        InputError
            If there is no such prior.
        DataError
            If its panel lacks the spec's column.
        ModelError
            If too few units or years are left for the fit.
        """
        if self._known(name) not in self._derived:
            self._derived[name] = derive(self.specs[name], self.panels[name], name=name)
        return self._derived[name]

    def check(self, name: str) -> PriorCheck:
        """The shipped distribution of ``name`` against its re-derivation.

        Raises
        ------
        InputError
            If there is no such prior.
        """
        shipped, derived = self.distribution(name), self.derive(name).distribution
        return PriorCheck(name, shipped, derived, compare(shipped, derived))
