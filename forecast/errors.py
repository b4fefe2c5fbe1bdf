"""The one error hierarchy of the package.

Library code raises these; only the CLI turns them into text and an exit code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where.

    Parameters
    ----------
    file : str or None
        The file the problem is in.
    line : int or None
        One-based line number, where known.
    key : str
        Key path inside the file (``indicators.output.volatility``) or CSV column.
    message : str
        What was found and what was expected.
    """

    file: str | None
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            where += f": {self.key}"
        return f"{where}: {self.message}"


class ForecastError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(ForecastError, ValueError):
    """Bad input: carries a list of :class:`Problem`, each with its location."""

    kind = "input"

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return f"Invalid {self.kind}: {self.problems[0]}"
        lines = [f"Invalid {self.kind} ({len(self.problems)} problems):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(cls, message: str, *, file: str | None = None, line: int | None = None,
               key: str = "") -> "InputError":
        """Build the error from one problem."""
        return cls([Problem(file, line, key, message)])


class ScenarioError(InputError):
    """A scenario file is invalid."""

    kind = "scenario"


class DataError(InputError):
    """A history (evidence) file is invalid."""

    kind = "data"


class SummariesOnlyError(ForecastError):
    """What was asked needs every draw, and the run kept only its summary."""


class ModelError(ForecastError):
    """A model cannot be built or produced an invalid value."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
