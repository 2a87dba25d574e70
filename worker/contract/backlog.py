"""A shop's backlog: batches queued in Redis, and batches booked for later that wait inside a worker.

A batch whose turn in its shop's schedule is far off goes back to the broker as a countdown task, which
a worker takes at once and holds until then (Celery's ETA tasks). Such a batch is no longer in its
queue, so queue lengths alone say nothing about a shop that is backed up. Workers list each booked
batch here when they enqueue it and strike it when it starts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from worker.contract.broker import queue_for
from worker.contract.keys import Keys

# kombu's Redis transport keeps a queue's priorities in separate lists: "<queue>", "<queue>\x06\x163", ...
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
# A booked batch still listed this long after its start time was lost (its worker died and Redis gave
# its message back to the queue, where it is counted) or ran without striking itself out.
STALE_AFTER_S = 900.0


@dataclass(frozen=True)
class ShopBacklog:
    """One shop's waiting batches.

    Attributes:
        queued: Batches in the shop's queue, not taken by any worker yet.
        booked: Batches a worker holds until their booked start time.
        booked_until: The latest booked start time (epoch seconds), or None when nothing is booked.
    """

    queued: int
    booked: int
    booked_until: float | None

    @property
    def batches(self) -> int:
        """Every batch waiting for its turn."""
        return self.queued + self.booked


class Backlog:
    """Reads and keeps the backlog of each shop."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    def booked(self, shop: str, task_id: str, start_at: float) -> None:
        """A batch of ``shop`` was sent back to wait in a worker until ``start_at`` (epoch seconds)."""
        key = self._keys.booked(shop)
        pipe = self._redis.pipeline(transaction=False)
        pipe.zadd(key, {task_id: start_at})
        pipe.expire(key, int(STALE_AFTER_S), nx=True)  # a key without a TTL would ignore ``gt``
        pipe.expireat(key, int(start_at + STALE_AFTER_S) + 1, gt=True)
        pipe.execute()

    def started(self, shop: str, task_id: str) -> None:
        """The batch ``task_id`` of ``shop`` started: it waits no more."""
        self._redis.zrem(self._keys.booked(shop), task_id)

    def of(self, shop: str, now: float | None = None) -> ShopBacklog:
        """The shop's backlog now."""
        now = time.time() if now is None else now
        key = self._keys.booked(shop)
        pipe = self._redis.pipeline(transaction=False)
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(queue_for(shop) + suffix)
        pipe.zremrangebyscore(key, "-inf", now - STALE_AFTER_S)
        pipe.zcard(key)
        pipe.zrange(key, -1, -1, withscores=True)
        *lengths, _, booked, last = pipe.execute()
        return ShopBacklog(
            queued=sum(int(n) for n in lengths),
            booked=int(booked),
            booked_until=float(last[0][1]) if last else None,
        )
