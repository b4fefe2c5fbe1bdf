"""Every file the tool writes, and the one way it writes them: all or nothing.

:data:`WRITERS` is the registry: output file name -> how its content is serialised. The names
the tool may replace with ``--force`` (:data:`OUTPUT_FILES`) are derived from it. A folder of
outputs is staged beside its final name and moved into place at the end
(:func:`write_folder`); a single file is written to a temporary name and renamed
(:func:`write_atomic`): a crash never leaves a half-written result.
"""

from __future__ import annotations

import contextlib
import re
import os
import shutil
import tempfile
import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.errors import InputError
from forecast.io.netcdf import NetcdfContent

CHART_SUFFIXES = (".png", ".svg", ".pdf")
"""Charts the tool writes into run folders (``forecast plot``)."""


REPORT_MARK = b'<meta name="generator" content="forecast '
"""The mark near the top of every HTML report the tool writes, whatever its name
(``forecast report -o runs/base/report-vi.html``)."""


def is_report(path: Path) -> bool:
    """Whether ``path`` is an HTML report this tool wrote (a regular ``.html`` file with
    :data:`REPORT_MARK` in its first 4 kB), which ``--force`` may replace like its other
    outputs; a user's own page is not."""
    if path.suffix.lower() not in (".html", ".htm") or path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as stream:
            return REPORT_MARK in stream.read(4096)
    except OSError:
        return False


class OutputExistsError(InputError):
    """The output folder exists and overwriting was not asked for."""

    kind = "output folder"


def _json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def csv_text(table: tuple[Sequence[str], list[dict[str, Any]]]) -> str:
    """``(columns, records)`` as CSV text (a missing or None value as an empty cell)."""
    columns, records = table
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if record.get(k) is None else record[k] for k in columns})
    return buffer.getvalue()


def _csv(path: Path, table: tuple[Sequence[str], list[dict[str, Any]]]) -> None:
    # With a byte-order mark Excel reads the file as UTF-8 (labels in Vietnamese); Python's
    # csv with "utf-8-sig", pandas and pyam read it as plain UTF-8.
    path.write_text(csv_text(table), encoding="utf-8-sig")


def _netcdf(path: Path, dataset: Any) -> None:
    # Built in memory, then written as plain bytes: libhdf5 never holds a file it cannot
    # extend (on a full disk it fails, then crashes the process when it closes it at exit).
    # Every numeric array carries a Fletcher-32 checksum, so that a file damaged on disk is
    # refused on load instead of read as other numbers.
    buffer = io.BytesIO()
    content = dataset if isinstance(dataset, NetcdfContent) else NetcdfContent.of(dataset)
    if content is not None:
        content.write(buffer)
    else:
        encoding = {name: {"fletcher32": True} for name, variable in dataset.variables.items()
                    if variable.ndim > 0 and variable.dtype.kind in "fiub"}
        dataset.to_netcdf(buffer, engine="h5netcdf", encoding=encoding)
    with open(path, "wb") as stream:
        stream.write(buffer.getbuffer())


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
    "iamc.csv": _csv,
}
"""Every output file by name, with its serialiser: a Dataset to NetCDF, plain data to JSON,
``(columns, records)`` to CSV (every CSV with a byte-order mark, for Excel), text as
UTF-8."""
OUTPUT_FILES = frozenset(WRITERS)
"""File names ``--force`` may replace in an output folder (besides charts)."""
EXPORTS: Mapping[str, str] = {"iamc": "iamc.csv"}
"""``forecast export`` formats, each with the file (of :data:`WRITERS`) it is written as by
default, in the run folder."""


def write_export(path: str | Path, fmt: str, content: Any) -> Path:
    """Write one export file of format ``fmt`` (:data:`EXPORTS`) to ``path``, atomically, by
    the writer of its default file name (:data:`WRITERS`).

    Raises
    ------
    InputError
        If the folder of ``path`` does not exist or cannot be written.
    ValueError
        If ``fmt`` is not a format of :data:`EXPORTS` (a programming error).
    """
    if fmt not in EXPORTS:
        raise ValueError(f"no export format {fmt!r}; register it in EXPORTS")
    path = check_file_writable(path)
    with tempfile.TemporaryDirectory(prefix=".forecast-export.") as folder:
        staged = Path(folder) / EXPORTS[fmt]
        WRITERS[EXPORTS[fmt]](staged, content)
        return write_atomic(path, staged.read_bytes())


def check_writable(directory: Path, *, force: bool) -> None:
    """Raise :class:`OutputExistsError` unless ``directory`` may be (re)written.

    A new or empty folder may always be written; an existing one only with ``force``, and only
    if it holds nothing but what this tool writes (results, summaries, reports, charts), so that
    ``--force`` can never delete a user's files, the working folder or one of its parents.
    """
    directory = Path(directory)
    if directory.is_symlink():
        raise OutputExistsError.single(
            "is a symbolic link" + ("" if directory.exists() else " to nothing") +
            "; give the folder itself (the outputs replace what the name points at)",
            file=str(directory))
    here = Path.cwd().resolve()
    if Path(os.path.abspath(directory)) == here or Path(os.path.abspath(directory)) in \
            here.parents:
        raise OutputExistsError.single("is the working folder or one of its parents; the "
                                       "outputs replace the whole folder, so write to a "
                                       "folder of its own", file=str(directory), key="out")
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputExistsError.single("exists and is a file; expected a folder for the outputs",
                                       file=str(directory))
    try:
        contents = list(directory.iterdir())
    except OSError as exc:
        raise OutputExistsError.single(f"cannot be read ({exc.strerror or exc})",
                                       file=str(directory)) from None
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
                     and not (p.is_file() and p.suffix in CHART_SUFFIXES) and not is_report(p))
    if foreign:
        raise OutputExistsError.single(
            f"holds files this tool did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); force replaces only folders of results, "
            "so write to another folder", file=str(directory), key="force")


STAGING = ".forecast-staging."
"""Infix of the hidden folder an output folder is written in before it is moved into place
(``.<name>.forecast-staging.<random>`` beside it)."""
OLD = ".forecast-old."
"""Infix of the hidden folder the previous outputs are moved to while the new ones move in."""
LOCK = ".forecast-lock"
_HELD: dict[Path, int] = {}


class Terminated(BaseException):
    """SIGTERM arrived during a save: it unwinds like Ctrl-C, so the staging folder goes."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """While a save runs (in the main thread), SIGTERM raises :class:`Terminated` instead of
    ending the process where it stands; elsewhere SIGTERM keeps its default (immediate)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _key(directory: Path) -> Path:
    return Path(os.path.abspath(directory))


def _fault(exc: OSError, directory: Path, what: str = "write the outputs") -> InputError:
    return InputError.single(f"cannot {what} ({exc.strerror or exc}); nothing was written",
                             file=str(directory))


@contextlib.contextmanager
def output_lock(directory: str | Path) -> Iterator[None]:
    """Hold the lock of output folder ``directory`` (a lock file beside it), so that two
    runs writing the same folder cannot both go ahead; re-entrant within a process. Taking it
    also clears what a run killed while saving left beside the folder (:func:`clean_stale`).

    Raises
    ------
    OutputExistsError
        If another process holds the lock.
    InputError
        If the folder's parent cannot be created or written.
    """
    import fcntl

    directory = _key(Path(directory))
    if directory in _HELD:
        yield
        return
    lock = directory.parent / f".{directory.name}{LOCK}"
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                raise OutputExistsError.single(
                    "another forecast run is writing this folder now; wait for it to finish "
                    "or write to another folder", file=str(directory)) from None
            try:
                same = os.fstat(handle).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(handle)  # the holder removed the file as it let go: take the new one
    except OSError as exc:
        raise _fault(exc, directory.parent, "write in this folder") from None
    _HELD[directory] = handle
    try:
        clean_stale(directory)
        yield
    finally:
        del _HELD[directory]
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(handle)


def _ours(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but outputs of this tool (or another such folder)."""
    try:
        return all(p.name in OUTPUT_FILES or p.suffix in CHART_SUFFIXES or
                   (p.is_dir() and not p.is_symlink() and _ours(p)) for p in folder.iterdir())
    except OSError:
        return False


def clean_stale(directory: str | Path) -> list[Path]:
    """Remove the staging folders a run killed while saving ``directory`` left beside it (and
    put back previous outputs it had moved aside, if the new ones never moved in); call with
    the folder's lock held. Returns the folders removed."""
    directory = _key(Path(directory))
    removed = []
    try:
        siblings = list(directory.parent.iterdir())
    except OSError:
        return removed
    for path in siblings:
        name = path.name
        if not name.startswith(f".{directory.name}.") or path.is_symlink() or not path.is_dir():
            continue
        rest = name[len(directory.name) + 1:]
        if rest.startswith(OLD):
            previous = path / directory.name
            if previous.is_dir() and not directory.exists():
                with contextlib.suppress(OSError):
                    os.replace(previous, directory)
        elif not rest.startswith(STAGING) and not (
                # staging folders of earlier versions: .<name>.<8 random> and .<name>.old.<8>
                re.fullmatch(r"\.(old\.)?[a-z0-9_]{8}", rest) and _ours(path)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_folder(directory: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``directory`` in one move.

    On any error (a full disk, Ctrl-C, SIGTERM through the command line's handler) the
    staging folder is removed and ``directory`` is left as it was, so no partial result is
    ever visible under the final name; a write that fails for the system's reasons (no space,
    no permission) is an :class:`~forecast.errors.InputError` naming the folder. The folder's
    lock (:func:`output_lock`) is held throughout.
    """
    directory = Path(directory)
    check_writable(directory, force=force)
    with output_lock(directory), _terminate_cleanly():
        check_writable(directory, force=force)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}{STAGING}",
                                            dir=directory.parent))
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a run folder is shared
        except OSError as exc:
            raise _fault(exc, directory) from None
        try:
            try:
                yield staging
                for file in staging.iterdir():
                    with open(file, "rb") as handle:
                        os.fsync(handle.fileno())
                if directory.exists():
                    old = Path(tempfile.mkdtemp(prefix=f".{directory.name}{OLD}",
                                                dir=directory.parent))
                    os.replace(directory, old / directory.name)
                    os.replace(staging, directory)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(staging, directory)
            except OSError as exc:
                raise _fault(exc, directory) from None
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
    except OSError as exc:
        raise _fault(exc, path, "write the file") from None
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
    except (OSError, ValueError, KeyError, IndexError, TypeError, RuntimeError,
            UnicodeError) as exc:  # h5py reports a corrupted file in any of these
        raise InputError.single(f"cannot be read as a NetCDF file ({exc}); expected the "
                                "results.nc of a run", file=str(file)) from None
