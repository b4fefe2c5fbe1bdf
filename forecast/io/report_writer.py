"""Write a file so that a crash never leaves half of it: a temporary name, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from forecast.errors import InputError


def write_atomic(path: str | Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    Raises
    ------
    InputError
        If the folder does not exist or cannot be written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError.single("the folder to write into does not exist", file=str(path.parent))
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
