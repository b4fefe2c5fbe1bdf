"""Evidence tables: tidy CSV -> :class:`History`, with units and the source of every row."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from forecast.errors import DataError, Problem, did_you_mean

COLUMNS = ("indicator", "kind", "year", "year_end", "value", "unit", "source", "note")
OPTIONAL_COLUMNS = ("status", "error", "region")
"""Columns a history file may add: how final a figure is, its reporting error, and the
predecessor region a row belongs to (empty: the scenario's own region; see docs/regions.md)."""
STATUSES = ("final", "preliminary", "estimate", "mid-year", "superseded")
DEFAULT_ERROR = {"final": 0.0, "preliminary": 0.02, "estimate": 0.05, "mid-year": 0.10,
                 "superseded": 0.0}
"""Relative reporting error (a standard deviation, as a fraction of the value) of a row whose
``error`` cell is empty, by its ``status``: a final (settled, audited) figure is read as exact; a
preliminary year-end figure may move by about 2 %; an estimate (``ước``: the year not yet over,
or a figure extrapolated) by about 5 %; a figure for part of the year standing for the whole
(``đến nay``, ``6 tháng``) by about 10 %. A ``superseded`` row is kept for the record only (its
note says what replaces it and why) and is never read as evidence."""
KINDS = ("level", "change", "average_growth", "average_change")
MAX_BYTES = 20_000_000

# (row unit, indicator unit) -> factor that converts the row's value into the indicator's unit.
_SHARE_UNITS = {"%": 0.01, "percent": 0.01, "points": 0.01, "share": 1.0}


@dataclass(frozen=True)
class Evidence:
    """One row of a history file: a figure read in a named source."""

    indicator: str
    kind: str
    year: int
    year_end: int | None
    value: float
    unit: str
    source: str
    note: str
    file: str
    line: int
    status: str = "final"
    error: float | None = None  # the reporting error (a standard deviation); None: by status
    error_relative: bool = True  # error as a fraction of the value, else in the row's unit
    region: str = ""  # the predecessor region of the row ("": the scenario's own region)

    @property
    def sd(self) -> float:
        """The reporting error of ``value`` as a standard deviation in the row's own unit."""
        if self.error is None:
            return abs(self.value) * DEFAULT_ERROR.get(self.status, 0.0)
        return abs(self.value) * self.error if self.error_relative else self.error

    @property
    def years(self) -> int:
        """Number of yearly steps the row spans (1 for a level or a change)."""
        return 1 if self.year_end is None else self.year_end - self.year

    def problem(self, message: str, key: str = "") -> DataError:
        """A :class:`DataError` located at this row."""
        return DataError([Problem(self.file, self.line, key or self.indicator, message)])

    def value_in(self, unit: str) -> float:
        """The value converted to ``unit`` (the indicator's unit in the scenario).

        Growth rows (``average_growth``) are returned as a fraction per year. Levels, changes and
        average changes accept the indicator's own unit, ``<unit>/yr`` for average changes, and
        percent or points when the indicator is a ``share``.

        Raises
        ------
        DataError
            If the row's unit cannot be converted.
        """
        if self.kind == "average_growth":
            if self.unit in ("%/yr", "%"):
                return self.value / 100.0
            if self.unit in ("/yr", "share/yr"):
                return self.value
            raise self.problem(f"unit '{self.unit}' for a growth rate; expected '%/yr'", "unit")
        row_unit = self.unit
        if self.kind == "average_change" and row_unit.endswith("/yr"):
            row_unit = row_unit[:-3]
        if row_unit == unit:
            return self.value
        if unit == "share" and row_unit in _SHARE_UNITS:
            return self.value * _SHARE_UNITS[row_unit]
        raise self.problem(f"unit '{self.unit}' disagrees with the scenario's unit '{unit}' for "
                           "this indicator", "unit")


@dataclass(frozen=True)
class History:
    """All evidence rows of one history file.

    Parameters
    ----------
    rows : tuple of Evidence
        The rows, in file order.
    file : str
        Where they were read.
    """

    rows: tuple[Evidence, ...]
    file: str = "<memory>"

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicator names present, in first-seen order."""
        return tuple(dict.fromkeys(r.indicator for r in self.rows))

    def select(self, names: Iterable[str]) -> tuple[Evidence, ...]:
        """The rows whose indicator is one of ``names`` (superseded rows left out)."""
        wanted = set(names)
        return tuple(r for r in self.rows if r.indicator in wanted and r.status != "superseded")

    @classmethod
    def from_frame(cls, frame: Any, *, columns: Sequence[str] | None = None,
                   name: str = "<frame>") -> "History":
        """Evidence from a table in memory, checked as a history file is.

        Parameters
        ----------
        frame : pandas.DataFrame, list of dict, or list of sequences
            The tidy history layout: one row per figure with the columns of :data:`COLUMNS`
            (``indicator, kind, year, year_end, value, unit, source, note``) and optionally
            :data:`OPTIONAL_COLUMNS`. A DataFrame's column names are the header; records
            (mappings) name their cells, a key missing from a record being an empty cell; plain
            rows (sequences) hold their cells in the order of ``columns``. Empty cells may be
            ``""``, ``None`` or NaN; numbers may be Python or NumPy numbers.
        columns : sequence of str, optional
            The header of plain rows (default :data:`COLUMNS`); not used with a DataFrame or
            records.
        name : str
            What messages call the table, in place of a file name.

        Returns
        -------
        History
            Its rows carry ``name`` as their file and their position in the table (from 0, the
            label of a default index) as their line.

        Raises
        ------
        DataError
            Naming the row (a DataFrame's index label, a list's position from 0) and the
            column of every bad cell, as :func:`parse_history` names line and column.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame([{"indicator": "output", "kind": "level", "year": 2020,
        ...                        "value": 4200.0, "unit": "billion VND",
        ...                        "source": "district statistics office, 2021"}])
        >>> History.from_frame(frame).rows[0].value
        4200.0
        """
        header, labels, records = _table(frame, columns, name)
        _check_header(header, name, line=None)
        numbered = ((position, [_cell(value) for value in record])
                    for position, record in enumerate(records))
        return _evidence(header, numbered, _Rows(name, labels))



_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$")
"""A number as a CSV cell writes it: digits, one decimal point, an exponent; no digit
separators (``9_02`` or ``9,02``), no ``inf`` or ``nan``."""
MAX_CELL = 10_000
"""Longest cell (characters) a history file may have."""
YEARS = (1900, 2200)
"""Years a row may name (as in scenario files)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _records(reader, file: str):
    """The records of a CSV reader, a malformed one (a field over the csv module's limit, a
    NUL byte) a :class:`DataError` at its line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError.single(f"cannot be read as CSV ({exc}); cells hold at most "
                                   f"{MAX_CELL:,} characters", file=file,
                                   line=reader.line_num or 1) from None


def read_bounded(path: str | Path, limit: int, error: type, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, checked before it is opened (a
    FIFO, a device such as /dev/zero or a folder is refused, never read).

    Raises
    ------
    error
        (an :class:`~forecast.errors.InputError` class) naming the file.
    """
    file = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise error.single(f"is not a regular file (a folder, a pipe or a device); expected "
                               f"a {what}", file=file)
        if info.st_size > limit:
            raise error.single(f"file is {info.st_size:,} bytes; at most {limit:,} are read",
                               file=file)
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise error.single(f"is not a regular file; expected a {what}", file=file)
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise error.single(f"cannot read the {what} ({exc.strerror or exc})",
                           file=file) from None
    if len(raw) > limit:
        raise error.single(f"file grew past {limit:,} bytes while it was read", file=file)
    return raw


def parse_number(text: str) -> float:
    """A finite number written as :data:`_NUMBER` reads (ValueError otherwise)."""
    text = text.strip()
    if len(text) > 40 or not _NUMBER.match(text):
        raise ValueError(text)
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def control_problem(text: str) -> str | None:
    """Why ``text`` read from a file cannot be kept (None if it can): control characters
    (terminal escapes, NUL) and lone surrogates are refused; tabs and newlines are kept."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (f"holds the control character {found.group()!r} at position {found.start() + 1}; "
            "text may hold letters, digits, punctuation, tabs and newlines, not terminal "
            "escapes or NUL")


def _parse_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    number = parse_number(text)
    if not number.is_integer() or not YEARS[0] <= number <= YEARS[1]:
        raise ValueError
    return int(number)


def _parse_error(text: str) -> tuple[float | None, bool]:
    """``'5%'`` -> (0.05, relative); ``'0.3'`` -> (0.3, absolute); empty -> (None, True);
    unreadable -> (nan, True)."""
    text = text.strip()
    if not text:
        return None, True
    relative = text.endswith("%")
    try:
        number = parse_number(text[:-1] if relative else text)
    except ValueError:
        return math.nan, True
    return (number / 100.0, True) if relative else (number, False)


def parse_history(text: str, file: str = "<memory>") -> History:
    """Parse the text of a history CSV.

    Raises
    ------
    DataError
        Listing every bad row with its line and column.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(_records(reader, file))]
    except StopIteration:
        raise DataError.single("file is empty; expected a header row "
                               f"'{','.join(COLUMNS)}'", file=file, line=1)
    _check_header(header, file, line=1)

    def numbered():
        for record in _records(reader, file):
            yield reader.line_num, record

    return _evidence(header, numbered(), _Rows(file))


def _check_header(header: list[str], file: str, *, line: int | None) -> None:
    """Refuse a header that lacks a column of :data:`COLUMNS` or has an unknown one."""
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        for col in unknown:
            parts.append(f"unknown column '{col}'.{did_you_mean(col, COLUMNS + OPTIONAL_COLUMNS)}")
        raise DataError.single("; ".join(parts) + f"; expected columns {', '.join(COLUMNS)}",
                               file=file, line=line)


@dataclass(frozen=True)
class _Rows:
    """How messages name the rows of one source: lines of a file, or the rows of a table by
    their labels (a DataFrame's index, a list's positions)."""

    file: str
    labels: Sequence[Any] | None = None

    def name(self, number: int) -> str:
        """``line 5`` or ``row 3``: the row at ``number`` (a file's line; a table's position,
        from 0)."""
        return f"line {number}" if self.labels is None else f"row {self.labels[number]}"

    def problem(self, number: int, key: str, message: str) -> Problem:
        """A problem at row ``number`` (as :meth:`name` reads it) and column ``key``."""
        if self.labels is None:
            return Problem(self.file, number, key, message)
        row = self.name(number)
        return Problem(self.file, None, f"{row}: {key}" if key else row, message)


def _evidence(header: list[str], records: Iterable[tuple[int, list[str]]],
              where: _Rows) -> History:
    """The evidence of numbered records (cells in ``header`` order), every bad cell a problem
    at its row and column."""
    index = {c: header.index(c) for c in COLUMNS + OPTIONAL_COLUMNS if c in header}
    file = where.file
    rows: list[Evidence] = []
    problems: list[Problem] = []
    seen: dict[tuple, list[Evidence]] = {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(where.problem(line, "", f"found {len(record)} fields; expected "
                                    f"{len(header)} (quote values that contain commas)"))
            continue
        cell = {c: record[i].strip() for c, i in index.items()}
        bad = len(problems)
        for column, text in cell.items():
            if len(text) > MAX_CELL:
                problems.append(where.problem(line, column, f"{len(text):,} characters; at "
                                        f"most {MAX_CELL:,} are kept in a cell"))
            elif control_problem(text):
                problems.append(where.problem(line, column, control_problem(text)))
        if len(problems) > bad:
            continue
        if not cell["indicator"]:
            problems.append(where.problem(line, "indicator", "empty; expected a name"))
        if cell["kind"] not in KINDS:
            problems.append(where.problem(line, "kind", f"found '{cell['kind']}'; expected one of "
                                    f"{', '.join(KINDS)}.{did_you_mean(cell['kind'], KINDS)}"))
        try:
            year = _parse_int(cell["year"])
            if year is None:
                raise ValueError
        except ValueError:
            problems.append(where.problem(line, "year", f"found '{cell['year']}'; expected a year "
                                    f"from {YEARS[0]} to {YEARS[1]}"))
            year = None
        try:
            year_end = _parse_int(cell["year_end"])
        except ValueError:
            problems.append(where.problem(line, "year_end",
                                    f"found '{cell['year_end']}'; expected a year "
                                    f"from {YEARS[0]} to {YEARS[1]} or nothing"))
            year_end = None
        try:
            value = parse_number(cell["value"])
        except ValueError:
            problems.append(where.problem(line, "value",
                                    f"found '{cell['value']}'; expected a finite number"))
            value = math.nan
        if not cell["source"]:
            problems.append(where.problem(line, "source", "empty; every figure names its source"))
        if cell["kind"] in ("average_growth", "average_change"):
            if year is not None and (year_end is None or year_end <= year):
                problems.append(where.problem(line, "year_end", f"a {cell['kind']} row needs "
                                        "year_end after year"))
        elif cell["kind"] in KINDS and year_end is not None:
            problems.append(where.problem(line, "year_end",
                                    f"a {cell['kind']} row has no year_end; leave it empty"))
        status = cell.get("status", "") or "final"
        if status not in STATUSES:
            problems.append(where.problem(line, "status", f"found '{status}'; expected one of "
                                    f"{', '.join(STATUSES)} or nothing (final)."
                                    f"{did_you_mean(status, STATUSES)}"))
        error, relative = _parse_error(cell.get("error", ""))
        if error is not None and (not math.isfinite(error) or error < 0):
            problems.append(where.problem(line, "error", f"found '{cell['error']}'; expected "
                                    "nothing (the default of the row's status), a relative "
                                    "error such as '5%', or an absolute one in the row's unit "
                                    "such as '0.3', never negative"))
        if len(problems) > bad:
            continue
        row = Evidence(cell["indicator"], cell["kind"], year, year_end, value, cell["unit"],
                       cell["source"], cell["note"], file, line, status, error, relative,
                       cell.get("region", ""))
        key = (row.region, cell["indicator"], cell["kind"], year, year_end)
        group = [r for r in seen.get(key, []) if r.status != "superseded"]
        if status != "superseded" and group and any(r.sd <= 0 for r in group + [row]):
            problems.append(where.problem(line, cell["indicator"],
                                    f"duplicate row for {cell['indicator']} {cell['kind']} {year}"
                                    f"{'-' + str(year_end) if year_end else ''} (first on "
                                    f"{where.name(group[0].line)}); give another definition another name, "
                                    "give both readings their reporting error (status or error), "
                                    "or mark the one replaced 'superseded' with the reason"))
            continue
        seen.setdefault(key, []).append(row)
        rows.append(row)
    if problems:
        raise DataError(problems)
    if not rows:
        raise DataError.single("no data rows after the header" if where.labels is None else
                               "no data rows", file=file, line=2 if where.labels is None else None)
    return History(tuple(rows), file)


def _table(frame: Any, columns: Sequence[str] | None,
           name: str) -> tuple[list[str], list[Any], list[Sequence[Any]]]:
    """Header, row labels and cells (in header order) of a DataFrame, records or rows."""
    if hasattr(frame, "columns") and hasattr(frame, "itertuples"):  # a pandas DataFrame
        header = [str(c).strip() for c in frame.columns]
        if len(set(header)) != len(header):
            raise DataError.single(f"repeated column names in {header}", file=name)
        records = [list(row) for row in frame.itertuples(index=False, name=None)]
        return header, list(frame.index), records
    if isinstance(frame, (str, bytes, Mapping)) or not isinstance(frame, Iterable):
        raise DataError.single(f"found {type(frame).__name__}; expected a pandas DataFrame, a "
                               "list of records (dicts) or a list of rows (sequences)",
                               file=name)
    items = list(frame)
    if items and all(isinstance(item, Mapping) for item in items):
        header = list(dict.fromkeys(str(k).strip() for item in items for k in item))
        return header, list(range(len(items))), [
            [{str(k).strip(): v for k, v in item.items()}.get(c) for c in header]
            for item in items]
    header = list(COLUMNS if columns is None else columns)
    problems = [Problem(name, None, f"row {i}", f"found {type(item).__name__}; expected a "
                        f"record (dict) or a row of {len(header)} cells")
                for i, item in enumerate(items)
                if isinstance(item, (str, bytes, Mapping)) or not isinstance(item, Sequence)]
    problems += [Problem(name, None, f"row {i}", f"found {len(item)} cells; expected "
                         f"{len(header)} ({', '.join(header)})")
                 for i, item in enumerate(items) if not problems and len(item) != len(header)]
    if problems:
        raise DataError(problems)
    return header, list(range(len(items))), items


def _cell(value: Any) -> str:
    """A table's cell as the text a CSV would hold: empty for None or NaN (pandas' missing
    values too), ``repr`` of a float (so 2020.0 and 1e-05 read back exactly)."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return str(value)  # refused where a number is expected, as "True" in a file is
    try:
        if value != value:  # NaN, pandas.NA (raises), NaT
            return ""
    except TypeError:
        return ""
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return repr(float(value))
    return str(value)


def read_history(path: str | Path) -> History:
    """Read a history CSV file (UTF-8, columns as in :data:`COLUMNS`).

    Raises
    ------
    DataError
        If the file is missing, not UTF-8, empty or has bad rows.
    """
    file = str(path)
    raw = read_bounded(path, MAX_BYTES, DataError, "history file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError.single("file is not UTF-8 text; save it as UTF-8", file=file, line=line)
    return parse_history(text, file)
