"""Panel CSVs (``province, year, <column>, ...``) -> a :class:`~forecast.priors.panel.Panel`.

Every problem is a :class:`~forecast.errors.DataError` with the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from forecast.errors import DataError, Problem
from forecast.priors.panel import Panel

UNIT, YEAR = "province", "year"
"""The key columns of a panel: the unit and the year of each row."""
MAX_BYTES = 50_000_000
MAX_PROBLEMS = 20
"""Problems reported at once (the rest are counted)."""


def read_panel(path: str | Path, columns: Sequence[str] | None = None) -> Panel:
    """Read a panel CSV: one row per province and year, one column per series.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, optionally with a byte-order mark).
    columns : sequence of str, optional
        The series to read (default: every column other than ``province`` and ``year``).
        Empty cells are missing values.

    Returns
    -------
    Panel
        Rows with an empty province are left out and their lines kept in ``unnamed``.

    Raises
    ------
    DataError
        If the file cannot be read, lacks a column, or a row has a bad year, a value that is
        not a finite number, extra fields, or repeats a province and year (with the file, line
        and column of each problem).
    """
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError.single(f"cannot read the panel ({exc.strerror or exc})", file=file)
    if len(raw) > MAX_BYTES:
        raise DataError.single(f"file is {len(raw)} bytes; at most {MAX_BYTES} are read",
                               file=file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError.single("file is not UTF-8 text; save it as UTF-8", file=file,
                               line=raw[: exc.start].count(b"\n") + 1)
    reader = csv.DictReader(text.splitlines())
    header = list(reader.fieldnames or ())
    wanted = [c for c in header if c not in (UNIT, YEAR)] if columns is None else list(columns)
    missing = [c for c in (UNIT, YEAR, *wanted) if c not in header]
    if missing:
        raise DataError.single(f"missing column(s) {', '.join(missing)}; the header has "
                               f"{', '.join(header) or 'nothing'}", file=file, line=1,
                               key=missing[0])
    values: dict[str, dict[str, dict[int, float]]] = {column: {} for column in wanted}
    unnamed: list[int] = []
    units: set[str] = set()
    seen: dict[tuple[str, int], int] = {}
    problems: list[Problem] = []

    def problem(line: int, key: str, message: str) -> None:
        problems.append(Problem(file, line, key, message))

    for row in reader:
        line = reader.line_num
        if None in row:
            problem(line, "", f"{len(header) + len(row[None])} fields; the header has "
                    f"{len(header)}")
            continue
        unit = (row[UNIT] or "").strip()
        if not unit:
            unnamed.append(line)
            continue
        text_year = (row[YEAR] or "").strip()
        try:
            year = int(text_year)
        except ValueError:
            problem(line, YEAR, f"found '{text_year}'; expected a whole year")
            continue
        if (unit, year) in seen:
            problem(line, YEAR, f"{unit} {year} again (first on line {seen[unit, year]})")
            continue
        seen[unit, year] = line
        units.add(unit)
        for column in wanted:
            cell = (row[column] or "").strip()
            if not cell:
                continue
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problem(line, column, f"found '{cell}'; expected a finite number or nothing")
                continue
            values[column].setdefault(unit, {})[year] = value
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS]
        if more > 0:
            shown.append(Problem(file, None, "", f"and {more} more problem(s)"))
        raise DataError(shown)
    return Panel(file, values, tuple(unnamed), frozenset(units))
