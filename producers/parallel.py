"""Map rows in worker processes while the producer publishes: a producer has more than one core to use.

Mapping and validating a row takes about as long as publishing it, and both hold the GIL: one process
does one after the other. Here chunks of rows go to forked processes (they inherit the mapping and the
resource, nothing is imported again) and come back in order; the producer keeps each chunk's rows and
receives only what the mapping made of them.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import Any, TypeVar

Row = dict[str, Any]
T = TypeVar("T")

CHUNK_ROWS = 500
CHUNKS_AHEAD_PER_PROCESS = 2  # read-ahead: enough to keep every process busy, bounded for memory

_mapper: Callable[[Row], Any] | None = None  # each worker process's, set when it starts


def map_rows(
    rows: Iterable[tuple[int, Row]], mapper: Callable[[Row], T], processes: int
) -> Iterator[tuple[int, Row, T]]:
    """``(number, row, mapper(row))`` for each row, in order.

    With ``processes`` > 0 and more than ``CHUNK_ROWS`` rows, ``mapper`` runs in that many forked
    processes; otherwise here. Needs the ``fork`` start method (Linux, the producer's platform).
    """
    rows = iter(rows)
    head = list(islice(rows, CHUNK_ROWS + 1))
    everything = chain(head, rows)
    if processes <= 0 or len(head) <= CHUNK_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        for number, row in everything:
            yield number, row, mapper(row)
        return
    yield from _in_processes(everything, mapper, processes)


def _in_processes(
    rows: Iterator[tuple[int, Row]], mapper: Callable[[Row], T], processes: int
) -> Iterator[tuple[int, Row, T]]:
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=_install, initargs=(mapper,)
    )
    pending: deque[tuple[list[tuple[int, Row]], Future[list[T]]]] = deque()
    try:
        while chunk := list(islice(rows, CHUNK_ROWS)):
            pending.append((chunk, pool.submit(_map_chunk, [row for _, row in chunk])))
            if len(pending) > processes * CHUNKS_AHEAD_PER_PROCESS:
                yield from _done(*pending.popleft())
        while pending:
            yield from _done(*pending.popleft())
    finally:
        pool.shutdown(cancel_futures=True)


def _done(chunk: list[tuple[int, Row]], future: Future[list[T]]) -> Iterator[tuple[int, Row, T]]:
    for (number, row), mapped in zip(chunk, future.result(), strict=True):
        yield number, row, mapped


def _install(mapper: Callable[[Row], Any]) -> None:
    global _mapper
    _mapper = mapper


def _map_chunk(rows: list[Row]) -> list[Any]:
    assert _mapper is not None, "the pool's initializer sets the mapper"
    return [_mapper(row) for row in rows]
