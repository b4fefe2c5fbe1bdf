"""The bounds every input is held to, wherever it comes from (scenario file, flag or Python).

One bound for draws, one for seeds, one for workers (tied to this machine) and one check of a
scheduler address, so that a flag cannot ask for what a scenario file may not, and a bad value
is refused with a message before anything is calibrated, drawn or started.
"""

from __future__ import annotations

import os
import re

from forecast.errors import InputError

MAX_DRAWS = 2_000_000_000
"""Most draws a run may ask for (its blocks are listed before it starts)."""
MAX_SEED = 2**63 - 1
"""Largest root seed (it is saved as a 64-bit integer in ``results.nc``)."""
SCHEDULER_SCHEMES = ("tcp", "tls")
_ADDRESS = re.compile(r"^(?P<scheme>[a-z]+)://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
                      r":(?P<port>[0-9]{1,5})/?$")


def max_workers() -> int:
    """Processes a local cluster may start: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_draws(draws: int, *, key: str = "draws") -> int:
    """``draws`` if it is a whole number from 1 to :data:`MAX_DRAWS`.

    Raises
    ------
    InputError
        Keyed by ``key`` otherwise.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise InputError.single(f"found {draws!r}; expected a whole number of draws from 1 to "
                                f"{MAX_DRAWS:,}", key=key)
    return draws


def check_seed(seed: int, *, key: str = "seed") -> int:
    """``seed`` if it is a whole number from 0 to :data:`MAX_SEED`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError.single(f"expected a whole number from 0 to 2**63 - 1 ({MAX_SEED}); "
                                f"found a number of {len(str(seed))} digits"
                                if isinstance(seed, int) and not isinstance(seed, bool)
                                else f"found {seed!r}; expected a whole number", key=key)
    return seed


def check_workers(workers: int, *, key: str = "workers") -> int:
    """``workers`` if it is from 1 to :func:`max_workers`.

    Raises
    ------
    InputError
        Keyed by ``key`` otherwise (the message says how many CPUs this machine offers).
    """
    limit = max_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= limit:
        raise InputError.single(f"found {workers!r}; expected 1 to {limit} (the CPUs this "
                                "machine offers to this process); for more, start a Dask "
                                "cluster and give its scheduler", key=key)
    return workers


def check_scheduler(address: str, *, key: str = "scheduler") -> str:
    """``address`` if it reads ``tcp://HOST:PORT`` (or ``tls://``), checked before any
    connection is tried.

    Raises
    ------
    InputError
        Keyed by ``key`` otherwise.
    """
    match = _ADDRESS.match(address) if isinstance(address, str) else None
    if match is None or match["scheme"] not in SCHEDULER_SCHEMES or \
            not 1 <= int(match["port"]) <= 65535:
        raise InputError.single(f"found {address!r}; expected the address of a Dask scheduler "
                                "such as tcp://10.0.0.5:8786 (tcp or tls, a host and a port "
                                "from 1 to 65535)", key=key)
    return address


def workers_unused(draws: int, workers: int, *, keep_draws: bool) -> str | None:
    """Why ``workers`` local processes will not be started for ``draws`` draws (None if they
    will): a run of one task runs in this process, whatever ``workers`` says."""
    import math

    from forecast.engine import BLOCK_SIZE, _distributed_chunk_blocks

    if workers <= 1:
        return None
    blocks = math.ceil(draws / BLOCK_SIZE) - (0 if keep_draws else 1)  # a pilot block first
    tasks = math.ceil(blocks / _distributed_chunk_blocks(blocks, workers)) if blocks > 0 else 0
    if tasks > 1:
        return None
    return (f"{draws:,} draws make {max(tasks, 1)} task of at most "
            f"{_distributed_chunk_blocks(max(blocks, 1), workers) * BLOCK_SIZE:,} draws: they "
            f"run in this process and the {workers} workers are not started")


__all__ = ["MAX_DRAWS", "MAX_SEED", "check_draws", "check_scheduler", "check_seed",
           "check_workers", "max_workers"]
