"""Every file the tool writes, and the one way it writes them: all or nothing.

:data:`WRITERS` is the registry: output file name -> how its content is serialised. The names
the tool may replace with ``--force`` (:data:`OUTPUT_FILES`) are derived from it. A folder of
outputs is staged beside its final name and moved into place at the end
(:func:`write_folder`); a single file is written to a temporary name and renamed
(:func:`write_atomic`): a crash never leaves a half-written result.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from forecast.errors import InputError

CHART_SUFFIXES = (".png", ".svg", ".pdf")
"""Charts the tool writes into run folders (``forecast plot``)."""


class OutputExistsError(InputError):
    """The output folder exists and overwriting was not asked for."""

    kind = "output folder"


def _json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _csv(path: Path, table: tuple[tuple[str, ...], list[dict[str, Any]]]) -> None:
    columns, records = table
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if record.get(k) is None else record[k] for k in columns})
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _netcdf(path: Path, dataset: Any) -> None:
    dataset.to_netcdf(path, engine="h5netcdf")


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


WRITERS: Mapping[str, Callable[[Path, Any], None]] = {
    "results.nc": _netcdf, "summary.json": _json, "summary.csv": _csv,
    "report.html": _text,
    "comparison.nc": _netcdf, "comparison.json": _json, "comparison.csv": _csv,
    "backtest.json": _json,
    "plan.json": _json,
    "sensitivity.json": _json, "sensitivity.nc": _netcdf,
    "update.json": _json,
}
"""Every output file by name, with its serialiser: a Dataset to NetCDF, plain data to JSON,
``(columns, records)`` to CSV, text as UTF-8."""
OUTPUT_FILES = frozenset(WRITERS)
"""File names ``--force`` may replace in an output folder (besides charts)."""


def check_writable(directory: Path, *, force: bool) -> None:
    """Raise :class:`OutputExistsError` unless ``directory`` may be (re)written.

    A new or empty folder may always be written; an existing one only with ``force``, and only
    if it holds nothing but what this tool writes (results, summaries, reports, charts), so that
    ``--force`` can never delete a user's files, the working folder or one of its parents.
    """
    directory = Path(directory)
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputExistsError.single("exists and is a file; expected a folder for the outputs",
                                       file=str(directory))
    contents = list(directory.iterdir())
    if not contents:
        return
    if not force:
        raise OutputExistsError.single("exists and is not empty; replace it (force) or write "
                                       "to another folder", file=str(directory), key="force")
    here = Path.cwd().resolve()
    if directory.resolve() == here or directory.resolve() in here.parents:
        raise OutputExistsError.single("is the working folder or one of its parents; force "
                                       "replaces the whole folder, so write to a folder of its "
                                       "own", file=str(directory), key="force")
    foreign = sorted(p.name for p in contents if p.name not in OUTPUT_FILES
                     and not (p.is_file() and p.suffix in CHART_SUFFIXES))
    if foreign:
        raise OutputExistsError.single(
            f"holds files this tool did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); force replaces only folders of results, "
            "so write to another folder", file=str(directory), key="force")


@contextlib.contextmanager
def atomic_folder(directory: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``directory`` in one move.

    On any error (or Ctrl-C) the staging folder is removed and ``directory`` is left as it was,
    so no partial result is ever visible under the final name.
    """
    directory = Path(directory)
    check_writable(directory, force=force)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a run folder is meant to be shared
    try:
        yield staging
        for file in staging.iterdir():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        if directory.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
            os.replace(directory, old / directory.name)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_folder(directory: str | Path, contents: Mapping[str, Any], *,
                 force: bool = False) -> Path:
    """Write every output in ``contents`` (file name -> content) into ``directory``, all or
    nothing, each by its writer in :data:`WRITERS`.

    Raises
    ------
    OutputExistsError
        If ``directory`` may not be (re)written (:func:`check_writable`).
    ValueError
        If a name has no writer (a programming error, not bad input).
    """
    unknown = sorted(set(contents) - set(WRITERS))
    if unknown:
        raise ValueError(f"no writer for {unknown}; register it in WRITERS")
    with atomic_folder(directory, force=force) as staging:
        for name, content in contents.items():
            WRITERS[name](staging / name, content)
    return Path(directory)


def check_file_writable(path: str | Path) -> Path:
    """``path`` as a Path, if its folder exists (checked before anything is drawn).

    Raises
    ------
    InputError
        If the folder of ``path`` does not exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError.single("the folder to write into does not exist", file=str(path.parent))
    return path


def write_atomic(path: str | Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    Raises
    ------
    InputError
        If the folder does not exist or cannot be written.
    """
    path = check_file_writable(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InputError.single(f"cannot write here ({exc.strerror or exc})",
                                file=str(path)) from None
    try:
        os.chmod(temporary, 0o644)   # mkstemp makes it private; a report is for sharing
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def read_run_dataset(path: str | Path) -> tuple[Any, str]:
    """The dataset of a run folder's ``results.nc`` (or of that file) and the file's path;
    :meth:`forecast.results.Results.load` checks what it holds.

    Raises
    ------
    InputError
        If there is no ``results.nc`` or it is not a NetCDF file.
    """
    import xarray as xr

    path = Path(path)
    file = path / "results.nc" if path.is_dir() else path
    if not file.is_file():
        raise InputError.single("no results.nc here; expected a run folder written by "
                                "'forecast run'", file=str(path))
    try:
        with xr.open_dataset(file, engine="h5netcdf") as opened:
            return opened.load(), str(file)
    except (OSError, ValueError) as exc:
        raise InputError.single(f"cannot be read as a NetCDF file ({exc}); expected the "
                                "results.nc of a run", file=str(file)) from None
