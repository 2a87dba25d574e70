"""Waiting: one loop follows a sync (or some of its records) until they are settled, or a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from worker.contract.outages import REDIS_DOWN
from worker.contract.states import SETTLED
from worker.contract.tracking import SyncCounts, SyncTracker

ProgressCallback = Callable[[SyncCounts], None]
# Called between polls with the latest counts: the lost-task watch sends lost records again there.
BetweenPolls = Callable[[SyncCounts], None]


@dataclass
class Settled:
    """Where a wait ended: the sync's counts and, when waiting for given records, their states."""

    counts: SyncCounts
    states: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Every record waited for is settled (synced, dead-lettered, or held by a paused shop)."""
        if self.states:
            return all(state in SETTLED for state in self.states.values())
        return self.counts.finished


def wait_until_settled(
    tracker: SyncTracker,
    sync_id: str,
    *,
    record_keys: list[str] | None = None,
    timeout_s: float,
    poll_s: float,
    on_progress: ProgressCallback | None = None,
    between_polls: BetweenPolls | None = None,
) -> Settled:
    """Poll the sync until its records (or ``record_keys``) are settled, or until ``timeout_s``.

    A Redis that does not answer (a restart) is waited for within the same deadline. The sync's counts
    are read only when something uses them: a wait for given records (an HTTP request's) reads their
    states alone.
    """
    deadline = time.monotonic() + timeout_s
    need_counts = record_keys is None or on_progress is not None or between_polls is not None
    while True:
        try:
            counts = tracker.counts(sync_id) if need_counts else SyncCounts()
            states: dict[str, Any] = (
                dict(zip(record_keys, tracker.states(sync_id, record_keys), strict=True))
                if record_keys
                else {}
            )
        except REDIS_DOWN:
            if time.monotonic() >= deadline:
                raise
            time.sleep(poll_s)
            continue
        settled = Settled(counts, states)
        if on_progress:
            on_progress(counts)
        if settled.done or time.monotonic() >= deadline:
            return settled
        if between_polls:
            between_polls(counts)
        time.sleep(poll_s)
