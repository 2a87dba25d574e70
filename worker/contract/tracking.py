"""Per-sync counters and per-record outcomes, kept in Redis.

Every record of a sync is in one state: pending (not reported yet), retrying, paused, synced,
dead_lettered, or superseded (a later record of the sync sets the same thing; never written). ``mark``
moves a record between states atomically and keeps the counters equal to the number of records in each
state, also when a task is delivered twice: marking a record with the state it already has changes
nothing, and ``synced`` is final.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from worker.contract.keys import Keys, text
from worker.contract.states import RecordState

# KEYS[1] counts hash, KEYS[2] records hash; ARGV[1] record key, ARGV[2] new state, ARGV[3] outcome JSON.
# Returns 1 when the record changed state, 0 when it already had that state or was synced.
_MARK = """
local prev = redis.call('HGET', KEYS[2], ARGV[1])
local prev_state = prev and cjson.decode(prev)['state'] or nil
if prev_state == 'synced' or prev_state == ARGV[2] then
  return 0
end
if prev_state then redis.call('HINCRBY', KEYS[1], prev_state, -1) end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
"""


@dataclass(frozen=True)
class SyncCounts:
    """How many records of a sync are in each state."""

    total: int = 0
    synced: int = 0
    dead_lettered: int = 0
    retrying: int = 0
    paused: int = 0
    retries: int = 0
    superseded: int = 0

    @property
    def pending(self) -> int:
        """Records not reported in any state yet (queued or in flight)."""
        settled = self.synced + self.dead_lettered + self.superseded
        return max(self.total - settled - self.retrying - self.paused, 0)

    @property
    def finished(self) -> bool:
        """Every record is synced, dead-lettered, superseded, or held by a paused shop."""
        settled = self.synced + self.dead_lettered + self.superseded + self.paused
        return self.total > 0 and settled >= self.total


class SyncTracker:
    """Reads and writes sync progress."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys
        self._mark = client.register_script(_MARK)

    def start(self, sync_id: str, *, shop: str, resource: str, total: int) -> None:
        """Record a sync's identity and add ``total`` records to it (a sync may be enqueued in parts)."""
        pipe = self._redis.pipeline()
        pipe.hset(
            self._keys.sync_meta(sync_id), items=["sync_id", sync_id, "shop", shop, "resource", resource]
        )
        pipe.hsetnx(self._keys.sync_meta(sync_id), "started_at", str(time.time()))
        pipe.hincrby(self._keys.sync_counts(sync_id), "total", total)
        pipe.zadd(self._keys.syncs, {sync_id: time.time()}, nx=True)
        pipe.execute()

    def mark(self, sync_id: str, record_key: str, state: RecordState, **detail: Any) -> bool:
        """Move one record to ``state``; ``detail`` (gid, reason, attempts) is stored with it.

        Returns:
            True when the record changed state.
        """
        outcome = json.dumps({"state": state, "at": time.time(), **detail}, default=str)
        changed = self._mark(
            keys=[self._keys.sync_counts(sync_id), self._keys.sync_records(sync_id)],
            args=[record_key, state, outcome],
        )
        return bool(changed)

    def mark_many(self, sync_id: str, marks: Iterable[tuple[str, RecordState, dict[str, Any]]]) -> None:
        """``mark`` for several records in one round trip: ``(record key, state, detail)`` each."""
        pipe = self._redis.pipeline(transaction=False)
        keys = [self._keys.sync_counts(sync_id), self._keys.sync_records(sync_id)]
        for record_key, state, detail in marks:
            outcome = json.dumps({"state": state, "at": time.time(), **detail}, default=str)
            self._mark(keys=keys, args=[record_key, state, outcome], client=pipe)
        pipe.execute()

    def count_retry(self, sync_id: str) -> None:
        """Count one retried attempt (a statistic, not a state)."""
        self._redis.hincrby(self._keys.sync_counts(sync_id), "retries", 1)

    def counts(self, sync_id: str) -> SyncCounts:
        """The counters of a sync (all zero when it is unknown)."""
        raw = {text(k): int(v) for k, v in self._redis.hgetall(self._keys.sync_counts(sync_id)).items()}
        return SyncCounts(
            total=raw.get("total", 0),
            synced=raw.get(RecordState.SYNCED, 0),
            dead_lettered=raw.get(RecordState.DEAD_LETTERED, 0),
            retrying=raw.get(RecordState.RETRYING, 0),
            paused=raw.get(RecordState.PAUSED, 0),
            retries=raw.get("retries", 0),
            superseded=raw.get(RecordState.SUPERSEDED, 0),
        )

    def meta(self, sync_id: str) -> dict[str, str]:
        """The sync's shop, resource and start time; empty when it is unknown."""
        return {text(k): text(v) for k, v in self._redis.hgetall(self._keys.sync_meta(sync_id)).items()}

    def outcome(self, sync_id: str, record_key: str) -> dict[str, Any] | None:
        """The stored outcome of one record, or None when it has none yet."""
        raw = self._redis.hget(self._keys.sync_records(sync_id), record_key)
        return json.loads(raw) if raw else None

    def states(self, sync_id: str, record_keys: list[str]) -> list[RecordState]:
        """The state of each record (``PENDING`` when it has no outcome yet), in one round trip."""
        if not record_keys:
            return []
        raw = self._redis.hmget(self._keys.sync_records(sync_id), record_keys)
        return [RecordState(json.loads(r)["state"]) if r else RecordState.PENDING for r in raw]

    def outcomes_of(self, sync_id: str, record_keys: list[str]) -> dict[str, dict[str, Any]]:
        """The outcome of each of ``record_keys`` (state ``pending`` when it has none), in one round trip."""
        raw = self._redis.hmget(self._keys.sync_records(sync_id), record_keys) if record_keys else []
        pending = {"state": RecordState.PENDING}
        return {key: json.loads(r) if r else dict(pending) for key, r in zip(record_keys, raw, strict=True)}

    def outcomes(self, sync_id: str) -> dict[str, dict[str, Any]]:
        """Every record's outcome, by record key."""
        raw = self._redis.hgetall(self._keys.sync_records(sync_id))
        return {text(k): json.loads(v) for k, v in raw.items()}
