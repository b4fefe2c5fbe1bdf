"""Writing output folders atomically: staged beside the target, moved into place at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from forecast.errors import InputError


class OutputExistsError(InputError):
    """The output folder exists and overwriting was not asked for."""

    kind = "output folder"


OUTPUT_FILES = frozenset({"results.nc", "summary.json", "summary.csv", "report.html",
                          "comparison.csv", "comparison.json", "comparison.nc", "backtest.json"})
CHART_SUFFIXES = (".png", ".svg", ".pdf")


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
        raise OutputExistsError.single("exists and is not empty; use --force to replace it or "
                                       "--out to write elsewhere", file=str(directory))
    here = Path.cwd().resolve()
    if directory.resolve() == here or directory.resolve() in here.parents:
        raise OutputExistsError.single("is the working folder or one of its parents; --force "
                                       "replaces the whole folder, so give --out a folder of "
                                       "its own", file=str(directory))
    foreign = sorted(p.name for p in contents if p.name not in OUTPUT_FILES
                     and not (p.is_file() and p.suffix in CHART_SUFFIXES))
    if foreign:
        raise OutputExistsError.single(
            f"holds files this tool did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); --force replaces only folders of results, "
            "so give --out another folder", file=str(directory))


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
