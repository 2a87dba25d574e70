"""Records no task holds any more, sent again by the producer that follows their sync.

kombu takes a message from its Redis queue (``BRPOP``) and records it as taken (``unacked``) with a second
command. A worker killed (SIGKILL) or a Redis stopping between the two loses the message: no queue holds
it, no worker runs it, and its records would stay pending for ever. A producer that follows its sync to
the end keeps what it sent; when the sync stops moving while its shop has no task queued or taken, it
sends the records that are not settled yet again. Sending a record twice is harmless: a task skips
records already synced, and every write is an upsert or reconciled first (docs/reliability.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from worker.contract.broker import queue_for
from worker.contract.outages import REDIS_DOWN
from worker.contract.states import UNSETTLED, RecordState
from worker.contract.tracking import SyncCounts

UNACKED = "unacked"  # kombu's hash of messages taken by workers and not acknowledged (Redis transport)


def shop_holds_tasks(client: redis.Redis, shop: str) -> bool:
    """True when a task of the shop is queued, or taken by a worker and not acknowledged yet.

    Countdown tasks and tasks of a worker that died are among the taken ones. Also True when Redis does
    not answer: nothing can be concluded then.
    """
    queue = queue_for(shop)
    try:
        if client.llen(queue):
            return True
        entries = client.hvals(UNACKED)
    except REDIS_DOWN:
        return True
    for raw in entries:
        try:
            if json.loads(raw)[-1] == queue:  # [message, exchange, routing key]
                return True
        except (ValueError, IndexError, TypeError):
            continue
    return False


def unsettled(records: list[dict[str, Any]], outcomes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The records (task-argument form) with no outcome yet, or waiting for a retry: what to send again."""
    return [
        r for r in records if (outcomes.get(r["key"]) or {}).get("state", RecordState.PENDING) in UNSETTLED
    ]


@dataclass
class LostTaskWatch:
    """Tells, from the counts a waiting producer polls, when a sync's remaining records are held by no task.

    Parameters:
        client: The broker's Redis.
        shop: The sync's shop (its queue).
        quiet_s: The counts must not have moved for this long,
        confirm_s: and no task may be queued or taken for this long (a worker records a message as taken
            a moment after it took it from its queue).
        clock: Injectable for tests.
    """

    client: redis.Redis
    shop: str
    quiet_s: float = 5.0
    confirm_s: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _counts: SyncCounts | None = None
    _moved_at: float = 0.0
    _idle_since: float | None = None

    def lost(self, counts: SyncCounts) -> bool:
        """True once the unsettled records of ``counts`` can only be lost; then it watches afresh."""
        now = self.clock()
        if counts != self._counts:
            self._counts, self._moved_at, self._idle_since = counts, now, None
            return False
        if now - self._moved_at < self.quiet_s:
            return False
        if shop_holds_tasks(self.client, self.shop):
            self._idle_since = None
            return False
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.confirm_s:
            return False
        self._moved_at, self._idle_since = now, None
        return True
