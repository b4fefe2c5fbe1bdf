"""Writing output folders atomically: staged beside the target, moved into place at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError


class OutputExistsError(InputError):
    """The output folder exists and overwriting was not asked for."""

    kind = "output folder"


def check_writable(directory: Path, *, force: bool) -> None:
    """Raise :class:`OutputExistsError` if ``directory`` holds files and ``force`` is false."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())) and not force:
        raise OutputExistsError.single("exists and is not empty; use --force to replace it or "
                                       "--out to write elsewhere", file=str(directory))


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
