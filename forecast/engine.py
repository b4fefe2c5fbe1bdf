"""Vectorised Monte Carlo: calibrated components in dependency order, draws in fixed blocks.

Every block of every component draws from its own stream,
``SeedSequence(seed, spawn_key=(component key, block index))``, so a result depends only on the
seed and the number of draws: not on how blocks are grouped into chunks or workers. Two
scenarios run with the same seed share their random numbers wherever their components share a
name (common random numbers). The engine loops over years and components, never over draws.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import InputError, ModelError
from forecast.models.base import Component, check_finite
from forecast.spec.scenario import Shock
from forecast.spec.targets import Target
from forecast.histograms import Binning
from forecast.summary import Layout, SummaryAccumulator

BLOCK_SIZE = 8192
"""Draws per block. Part of the reproducibility contract: changing it changes the streams."""
_SHOCK_STREAM = zlib.crc32(b"forecast:shocks")


def stream_key(name: str) -> int:
    """Stable integer key of a component's random stream (from its indicator name)."""
    return zlib.crc32(name.encode("utf-8"))


@dataclass(frozen=True)
class Model:
    """Calibrated components in dependency order, the simulated years and the shocks: all the
    engine needs (plain, picklable data, so blocks can run in other processes)."""

    components: Mapping[str, Component]
    base_year: int
    horizon: int
    shocks: tuple[Shock, ...] = ()
    correlation: Any = None  # a forecast.correlation.Copula over sampled inputs, or None

    @property
    def years(self) -> list[int]:
        """Simulated years."""
        return list(range(self.base_year, self.horizon + 1))


@dataclass(frozen=True)
class BlockResult:
    """Paths (year, draw) per indicator and parameters (draw,) of one block."""

    paths: dict[str, np.ndarray]
    parameters: dict[str, np.ndarray]


def _shocks(model: Model, seed: int, block: int, size: int, steps: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for index, shock in enumerate(model.shocks):
        total = out.setdefault(shock.indicator, np.zeros((steps, size)))
        if shock.year is not None:
            total[shock.year - model.base_year - 1] += shock.size
            continue
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(_SHOCK_STREAM, block, index)))
        hit = rng.random((steps, size)) < shock.probability
        sizes = shock.size.sample(rng, steps * size).reshape(steps, size)
        total += np.where(hit, sizes, 0.0)
    return out


def _model_error(name: str, message: str) -> ModelError:
    error = ModelError(message)
    error.indicator = name  # type: ignore[attr-defined]
    return error


def _checked_draws(name: str, component: Component, draws: Any, size: int,
                   steps: int) -> dict[str, np.ndarray]:
    """``draws`` if it is what the contract says (parameters (size,), innovations under keys
    starting with ``_`` (steps, size)), else a :class:`ModelError` naming the indicator."""
    if not isinstance(draws, dict):
        raise _model_error(name, f"the '{component.model}' component's sample returned "
                           f"{type(draws).__name__}; expected a dict of arrays")
    for key, value in draws.items():
        expected = (steps, size) if key.startswith("_") else (size,)
        if np.shape(value) != expected:
            raise _model_error(name, f"the '{component.model}' component drew '{key}' with shape "
                               f"{np.shape(value)}; expected {expected}")
    return draws


def _row(name: str, what: str, values: Any, size: int) -> np.ndarray:
    """``values`` if it holds one value per draw, else a :class:`ModelError`."""
    if np.shape(values) != (size,):
        raise _model_error(name, f"the component's {what} returned shape {np.shape(values)}; "
                           f"expected one value per draw, ({size},)")
    return values


MMAP_THRESHOLD = 32 * 2**20
"""Bytes from which glibc's allocator serves an array by ``mmap`` while blocks run (see
:func:`keep_block_memory`); 32 MB is the largest it accepts."""
TRIM_THRESHOLD = 256 * 2**20
"""Free memory at the top of the heap that glibc keeps instead of returning it to the system
while blocks run."""
_ALLOCATOR_TUNED = False


def keep_block_memory() -> bool:
    """Let the process reuse the memory of one block's arrays for the next (glibc only).

    A block allocates and frees the same arrays of a few hundred kB each time (paths,
    innovations, temporaries). By default glibc serves arrays above 128 kB (a bound it raises
    only as far as it has seen arrays freed) with ``mmap`` and returns them to the system when
    freed, so every block page-faults its memory in again: about 2,000 faults and 15 % of a
    block's time in a process's main thread, and more in a Dask worker, whose nanny sets
    ``MALLOC_TRIM_THRESHOLD_=65536``. Raising the mmap and trim thresholds
    (:data:`MMAP_THRESHOLD`, :data:`TRIM_THRESHOLD`) keeps the memory in the heap, where the
    next block finds it. Values are unchanged; the process's resident memory stays bounded by
    its peak. Does nothing where ``mallopt`` is not glibc's.

    Returns
    -------
    bool
        Whether the thresholds are set (now or by an earlier call).
    """
    global _ALLOCATOR_TUNED
    if _ALLOCATOR_TUNED:
        return True
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    _ALLOCATOR_TUNED = bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD)) and \
        bool(mallopt(m_trim_threshold, TRIM_THRESHOLD))
    return _ALLOCATOR_TUNED


def simulate_block(model: Model, seed: int, block: int, size: int) -> BlockResult:
    """Simulate one block of ``size`` draws (pure: the same arguments give the same result)."""
    draws, shocks = draw_block(model, seed, block, size)
    return simulate_draws(model, draws, shocks, size)


def draw_block(model: Model, seed: int, block: int, size: int,
               ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Everything one block draws, before any year is simulated: per indicator the
    component's draws (parameters (size,), innovations (steps, size) under ``_`` keys, and
    the shocks on it under ``_shock``), and the shocks per indicator (steps, size)."""
    steps = len(model.years) - 1
    draws = {}
    for name, component in model.components.items():
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(stream_key(name), block)))
        draws[name] = _checked_draws(name, component, component.sample(rng, size, steps),
                                     size, steps)
    if model.correlation is not None:  # rank correlations between inputs (a copula)
        draws = model.correlation.apply(draws, seed, block, size)
    shocks = _shocks(model, seed, block, size, steps)
    for name, rows in shocks.items():  # so that persistence can tell shocks from noise
        draws[name]["_shock"] = rows
    return draws, shocks


def simulate_draws(model: Model, draws: Mapping[str, Mapping[str, np.ndarray]],
                   shocks: Mapping[str, np.ndarray], size: int) -> BlockResult:
    """Simulate ``size`` draws from given draws (as :func:`draw_block` returns them, possibly
    recombined: a sensitivity design sets parameters and keeps the innovations)."""
    years = model.years
    paths = {name: np.empty((len(years), size)) for name in model.components}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # check_finite reports
        for name, component in model.components.items():
            inputs = {i: paths[i] for i in component.inputs}
            paths[name][0] = _row(name, "initial", component.initial(draws[name], inputs), size)
            check_finite(name, years[0], paths[name][0], draws[name])
        for t in range(1, len(years)):
            for name, component in model.components.items():
                shock = shocks[name][t - 1] if name in shocks else 0.0
                inputs = {i: paths[i] for i in component.inputs}
                paths[name][t] = _row(name, "step", component.step(
                    t, paths[name], inputs, draws[name], shock), size)
                check_finite(name, years[t], paths[name][t], draws[name])
    parameters = {f"{name}.{key}": value for name, d in draws.items() for key, value in d.items()
                  if not key.startswith("_")}
    return BlockResult(paths, parameters)


def block_sizes(draws: int, block_size: int = BLOCK_SIZE) -> list[int]:
    """Sizes of the blocks that make up ``draws`` draws."""
    full, rest = divmod(draws, block_size)
    return [block_size] * full + ([rest] if rest else [])


Progress = Callable[[int], None]
"""Called with the number of draws just finished."""


def _simulate_chunk(model: Model, seed: int, blocks: Sequence[tuple[int, int]]) -> list[BlockResult]:
    keep_block_memory()
    return [simulate_block(model, seed, block, size) for block, size in blocks]


_WORKER_SUMMARIES: dict[tuple[str, int], tuple[SummaryAccumulator, set[int]]] = {}
"""In a Dask worker process: the partial summaries of the runs it takes part in, by run token
and thread, each with the chunks it holds (collected once at the end of the run)."""
_WORKER_LOCK = threading.Lock()


def _summarise_on_worker(model: Model, seed: int, index: int, blocks: Sequence[tuple[int, int]],
                         layout: Layout, binning: Binning, token: str) -> int:
    """A Dask task: add chunk ``index`` to this worker thread's partial summary of the run
    ``token`` (kept in the worker: a task returns only its number of draws)."""
    keep_block_memory()
    key = (token, threading.get_ident())
    with _WORKER_LOCK:
        entry = _WORKER_SUMMARIES.get(key)
        if entry is None:
            entry = _WORKER_SUMMARIES[key] = (SummaryAccumulator(layout, binning), set())
    accumulator, chunks = entry
    for block, size in blocks:
        accumulator.add(simulate_block(model, seed, block, size).paths)
    chunks.add(index)
    return sum(size for _, size in blocks)


def _collect_on_worker(token: str) -> list[tuple[set[int], SummaryAccumulator]]:
    """Run on every worker at the end of a run: hand over (and forget) its partial summaries."""
    with _WORKER_LOCK:
        return [(chunks, accumulator) for (run, _), (accumulator, chunks)
                in [(k, _WORKER_SUMMARIES.pop(k)) for k in list(_WORKER_SUMMARIES)
                    if k[0] == token]]


def _chunks(blocks: list[tuple[int, int]], chunk_blocks: int) -> list[list[tuple[int, int]]]:
    step = max(1, chunk_blocks)
    return [blocks[i:i + step] for i in range(0, len(blocks), step)]


def _distributed_chunk_blocks(blocks: int, workers: int) -> int:
    """Blocks per Dask task: about 24 tasks per worker, 4 to 64 blocks each (a streamed task
    returns only its number of draws, so many tasks cost little and balance the load)."""
    return min(64, max(4, math.ceil(blocks / (24 * max(workers, 1)))))


@contextlib.contextmanager
def dask_client(*, scheduler: str | None = None, workers: int = 1) -> Iterator[Any]:
    """A ``distributed.Client`` on the cluster at ``scheduler``, or on a new local cluster of
    ``workers`` processes (closed on exit).

    Raises
    ------
    InputError
        If dask.distributed is not installed or the scheduler cannot be reached.
    """
    from forecast.limits import check_scheduler, check_workers

    if scheduler is not None:
        check_scheduler(scheduler)
    else:
        check_workers(workers)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError.single("running on a Dask cluster needs dask.distributed: "
                                "pip install 'forecast[distributed]'",
                                key="scheduler" if scheduler else "workers") from None
    if scheduler is not None:
        import time

        started = time.monotonic()
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect, and retries
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError.single(f"cannot reach the Dask scheduler at '{scheduler}' (gave "
                                    f"up after {time.monotonic() - started:.0f} s): {exc}",
                                    key="scheduler") from None
        with client:
            yield client
        return
    import dask

    # the workers' statistical profiler samples every thread's stack every 10 ms (for the
    # dashboard, which a local cluster of ours does not open): a few per cent of a block
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        yield client


def _indexed(function: Callable[..., Any]) -> Callable[..., Any]:
    return functools.partial(_call_on_chunk, function)


def _call_on_chunk(function: Callable[..., Any], model: Model, seed: int, index: int,
                   chunk: Sequence[tuple[int, int]], *extra: Any) -> Any:
    return function(model, seed, chunk, *extra)


def _run(function: Callable[..., Any], model: Model, seed: int,
         chunks: list[list[tuple[int, int]]], extra: tuple[Any, ...], *, workers: int,
         scheduler: str | None, progress: Progress | None) -> Iterator[tuple[int, Any]]:
    """Run ``function(model, seed, chunk, *extra)`` on every chunk: here, or as Dask tasks
    (see :func:`_share`).

    Yields ``(chunk index, result)`` in the order the chunks finish.
    """
    if scheduler is None and (workers <= 1 or len(chunks) <= 1):
        for index, chunk in enumerate(chunks):
            yield index, function(model, seed, chunk, *extra)
            if progress is not None:
                progress(sum(size for _, size in chunk))
        return
    for kind, index, result in _share(
            _indexed(function), model, seed, chunks, extra, workers=workers,
            scheduler=scheduler, here=lambda index, chunk: function(model, seed, chunk, *extra)):
        if kind == "parts":
            continue
        yield index, result
        if progress is not None:
            progress(sum(size for _, size in chunks[index]))


RUN_HERE = True
"""With ``workers`` (a new local cluster), this process is one of the ``workers``: it runs
chunks from the start, while the cluster of ``workers - 1`` processes starts and alongside it
(False: every chunk runs on the cluster; the results are the same)."""


def _share(task: Callable[..., Any], model: Model, seed: int,
           chunks: list[list[tuple[int, int]]], extra: tuple[Any, ...], *, workers: int,
           scheduler: str | None, here: Callable[[int, Sequence[tuple[int, int]]], Any],
           collect: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
           ) -> Iterator[tuple[str, int, Any]]:
    """Share ``chunks`` between this process and a Dask cluster.

    The cluster is ``scheduler``'s, or a new local one of ``workers - 1`` processes (this
    process being the other worker: with :data:`RUN_HERE` it runs ``here(index, chunk)`` on
    chunks from the start, while the cluster starts, which takes a few seconds, and then beside
    it). Both take the chunks in order from one queue; the cluster gets
    ``task(model, seed, index, chunk, *extra)`` with the model sent once, at most two tasks per
    worker thread in flight. With ``collect = (function, args)``, ``Client.run(function,
    *args)`` runs on every worker once the tasks are done.

    Yields ``("here", index, result)`` and ``("task", index, result)`` as chunks finish, then
    ``("parts", -1, {worker: collected})``. Which chunks run where changes no result: kept
    blocks are put in place by index and partial summaries merge exactly in any order.
    """
    import queue
    from collections import deque

    pending = deque(enumerate(chunks))  # popleft is atomic: both threads take from it
    events: queue.Queue = queue.Queue()
    stop, finished = threading.Event(), object()
    cluster_workers = workers - 1 if RUN_HERE else workers

    def remote() -> None:
        try:
            with dask_client(scheduler=scheduler, workers=cluster_workers) as client:
                from distributed import as_completed

                shared = client.scatter(model, broadcast=True, hash=False)
                running, futures = as_completed(), {}

                def submit() -> None:
                    if stop.is_set():
                        return
                    try:
                        index, chunk = pending.popleft()
                    except IndexError:
                        return
                    future = client.submit(task, shared, seed, index, chunk, *extra,
                                           pure=False)
                    futures[future] = index
                    running.add(future)

                for _ in range(2 * max(1, sum(client.nthreads().values()))):
                    submit()
                for future in running:
                    events.put(("task", futures.pop(future), future.result()))
                    future.release()
                    submit()
                if collect is not None:
                    events.put(("parts", -1, client.run(collect[0], *collect[1])))
                events.put(finished)  # before the cluster closes
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            events.put(exc)
        finally:
            events.put(finished)

    def received(block: bool) -> Iterator[tuple[str, int, Any]]:
        while True:
            try:
                item = events.get(block=block)
            except queue.Empty:
                return
            if item is finished:
                events.put(finished)  # seen again by the blocking wait below
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=remote, name="forecast-dask", daemon=True)
    thread.start()
    try:
        while scheduler is None and RUN_HERE:
            try:
                index, chunk = pending.popleft()
            except IndexError:
                break
            yield "here", index, here(index, chunk)
            yield from received(block=False)
        yield from received(block=True)
    finally:
        stop.set()
        thread.join()


def simulate_paths(model: Model, *, draws: int, seed: int, workers: int = 1,
                   chunk_blocks: int | None = None, scheduler: str | None = None,
                   progress: Progress | None = None) -> BlockResult:
    """Simulate ``draws`` draws and return every path and parameter.

    Parameters
    ----------
    model : Model
        The calibrated model.
    draws : int
        Number of draws.
    seed : int
        Root seed.
    workers : int
        Processes to spread the blocks over: this one and a new local Dask cluster of
        ``workers - 1`` (1: this process alone; see :func:`_share`).
    chunk_blocks : int, optional
        Blocks per task. Neither this, ``workers`` nor ``scheduler`` changes the result.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:port``) to run the blocks on.
    progress : callable, optional
        Called with the number of draws each time a chunk of blocks is done.
    """
    blocks = _blocks(draws, seed, workers, scheduler)
    chunk_blocks = chunk_blocks or (4 if scheduler is None and workers <= 1 else
                                    _distributed_chunk_blocks(len(blocks), workers))
    chunks = _chunks(blocks, chunk_blocks)
    parts: list[list[BlockResult] | None] = [None] * len(chunks)
    for index, result in _run(_simulate_chunk, model, seed, chunks, (), workers=workers,
                              scheduler=scheduler, progress=progress):
        parts[index] = result
    done = [r for part in parts for r in part or ()]
    paths = {name: np.concatenate([p.paths[name] for p in done], axis=1)
             for name in model.components}
    parameters = {key: np.concatenate([p.parameters[key] for p in done])
                  for key in done[0].parameters}
    return BlockResult(paths, parameters)


def simulate_summaries(model: Model, targets: Sequence[Target], *, draws: int, seed: int,
                       workers: int = 1, chunk_blocks: int | None = None,
                       scheduler: str | None = None,
                       progress: Progress | None = None) -> SummaryAccumulator:
    """Simulate ``draws`` draws keeping only summaries: memory is bounded by the block size.

    Block 0 is simulated here first and fixes the histograms' bins (see
    :mod:`forecast.summaries`); the other blocks are reduced to counts and histograms as they
    are simulated, in chunks here or as Dask tasks, and the chunks' accumulators are merged
    exactly, so the result does not depend on ``workers``, ``scheduler`` or ``chunk_blocks``.
    Parameters are as for :func:`simulate_paths`; ``targets`` are the scenario's targets.
    """
    blocks = _blocks(draws, seed, workers, scheduler)
    keep_block_memory()
    layout = layout_of(model, targets)
    (pilot, pilot_size), rest = blocks[0], blocks[1:]
    accumulator = SummaryAccumulator.pilot(layout, simulate_block(model, seed, pilot,
                                                                  pilot_size).paths)
    if progress is not None:
        progress(pilot_size)
    if scheduler is None and workers <= 1:
        for block, size in rest:  # no partial accumulators to merge
            accumulator.add(simulate_block(model, seed, block, size).paths)
            if progress is not None:
                progress(size)
        return accumulator
    chunks = _chunks(rest, chunk_blocks or _distributed_chunk_blocks(len(rest), workers))
    if scheduler is None and len(chunks) <= 1:
        for chunk in chunks:
            _add_chunk(accumulator, model, seed, chunk, progress)
        return accumulator
    _summarise_on_cluster(accumulator, model, seed, chunks, workers=workers,
                          scheduler=scheduler, progress=progress)
    return accumulator


def _add_chunk(accumulator: SummaryAccumulator, model: Model, seed: int,
               chunk: Sequence[tuple[int, int]], progress: Progress | None) -> None:
    for block, size in chunk:
        accumulator.add(simulate_block(model, seed, block, size).paths)
    if progress is not None:
        progress(sum(size for _, size in chunk))


def _summarise_on_cluster(accumulator: SummaryAccumulator, model: Model, seed: int,
                          chunks: list[list[tuple[int, int]]], *, workers: int,
                          scheduler: str | None, progress: Progress | None) -> None:
    """Add ``chunks`` to ``accumulator`` on a Dask cluster, the partial summaries reduced on
    the workers.

    Each task adds its chunk to its worker's own partial summary and returns only its number
    of draws; at the end every worker hands over its partial summaries once
    (``Client.run``), so a 23 MB state crosses the network once per worker, not once per task.
    With a new local cluster (``scheduler`` None) this process is one of the ``workers``
    (:data:`RUN_HERE`, :func:`_share`). The partial summaries say which chunks they
    hold: a chunk held by no one (a worker lost after its tasks finished) or by two is
    simulated again here, so the result is exact whatever happens to the workers, and
    bit-identical to a run in one process (merging is exact and order-free).
    """
    import uuid

    binning, layout = accumulator.histograms.binning, accumulator.layout
    token = uuid.uuid4().hex
    held: set[int] = set()

    def add_here(index: int, chunk: Sequence[tuple[int, int]]) -> int:
        _add_chunk(accumulator, model, seed, chunk, None)
        held.add(index)
        return sum(size for _, size in chunk)

    for kind, _, result in _share(_summarise_on_worker, model, seed, chunks,
                                  (layout, binning, token), workers=workers,
                                  scheduler=scheduler, here=add_here,
                                  collect=(_collect_on_worker, (token,))):
        if kind != "parts":
            if progress is not None:
                progress(result)
            continue
        # every task is done and no chunk is left to take: merge while the cluster closes
        for part_list in result.values():
            for part_chunks, part in part_list:
                if not part_chunks & held:
                    accumulator.merge(part)
                    held |= part_chunks
    for index, chunk in enumerate(chunks):
        if index not in held:  # lost with a worker, or held twice: simulated here
            _add_chunk(accumulator, model, seed, chunk, None)


def layout_of(model: Model, targets: Sequence[Target]) -> Layout:
    """What a run of ``model`` summarises: every indicator in every year and every target."""
    return Layout(tuple(model.components), tuple(model.years), tuple(targets),
                  tuple(model.components[t.indicator].rate_kind for t in targets))


def _blocks(draws: int, seed: int = 0, workers: int = 1,
            scheduler: str | None = None) -> list[tuple[int, int]]:
    """The blocks of a run, once its draws, seed, workers and scheduler are within their
    bounds (:mod:`forecast.limits`), checked before anything is listed or started."""
    from forecast.limits import check_draws, check_scheduler, check_seed, check_workers

    check_seed(seed)
    if scheduler is not None:
        check_scheduler(scheduler)
    else:
        check_workers(workers)
    return list(enumerate(block_sizes(check_draws(draws))))
