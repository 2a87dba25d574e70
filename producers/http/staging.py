"""``queued`` answers: records wait in Redis until a batch is full, so that they are packed like a sync's.

Multiwoven's 10 threads each hold one record; if a request were answered only once its record is
enqueued, no batch could hold more than 10 records. In ``queued`` mode the answer comes once the record
is taken into its sync and kept in a Redis list per shop, resource and sync (it survives a restart of
``serve``); the records are enqueued from there in batches of ``SHOPIFY_SYNC_BATCH_SIZE`` as soon as
that many wait, and the rest after ``linger_s``. Every ``serve`` process flushes every list, so a list
left by a process that stopped is enqueued by the next one.

One process at a time enqueues a list (a lock with a TTL); a process stopping between enqueueing and
trimming the list enqueues those records a second time, which the workers make harmless (a task skips
records already synced, and every write is an upsert or reconciled first).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence

import redis

from producers.pipeline import Submission, Target
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys, text
from worker.contract.outages import REDIS_DOWN

log = logging.getLogger(__name__)

Publish = Callable[[Target, Sequence[RecordEnvelope]], object]
LOCK_TTL_S = 30
# KEYS: the staged list, the index; ARGV: the list's index member. Returns 1 when it left the index.
_FORGET_IF_EMPTY = """
if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end
return 0
"""


class Staging:
    """The staged lists of one Redis; ``publish`` enqueues one batch (``Publisher.publish``)."""

    def __init__(self, client: redis.Redis, keys: Keys, publish: Publish, *, batch_size: int) -> None:
        self._redis = client
        self._keys = keys
        self._publish = publish
        self._batch_size = batch_size

    def stage(self, target: Target, submission: Submission) -> None:
        """Keep the accepted records of ``submission`` until they are enqueued; full batches go now."""
        if not submission.accepted:
            return
        key = self._keys.staged(target.shop, target.resource, target.sync_id)
        pipe = self._redis.pipeline()
        pipe.sadd(self._keys.staged_index, _member(target))
        pipe.rpush(key, *[json.dumps(r.to_dict()) for r in submission.accepted])
        waiting = pipe.execute()[-1]
        if waiting >= self._batch_size:
            try:
                self.flush(target, full_only=True)
            except Exception:  # the records are kept: the periodic pass enqueues them
                log.exception("cannot enqueue staged records of sync %s yet", target.sync_id)

    def flush(self, target: Target, *, full_only: bool = False) -> int:
        """Enqueue the staged records of ``target`` (only full batches with ``full_only``); returns how many.

        Another process flushing the same list makes this call a no-op.
        """
        key = self._keys.staged(target.shop, target.resource, target.sync_id)
        lock = self._keys.staged_lock(target.shop, target.resource, target.sync_id)
        token = uuid.uuid4().hex
        if not self._redis.set(lock, token, nx=True, ex=LOCK_TTL_S):
            return 0
        sent = 0
        try:
            while True:
                raw = self._redis.lrange(key, 0, self._batch_size - 1)
                if not raw or (full_only and len(raw) < self._batch_size):
                    break
                self._publish(target, [RecordEnvelope.from_dict(json.loads(r)) for r in raw])
                self._redis.ltrim(key, len(raw), -1)
                sent += len(raw)
        finally:
            if text(self._redis.get(lock) or b"") == token:
                self._redis.delete(lock)
        return sent

    def flush_all(self) -> int:
        """Enqueue every staged list (the periodic pass); lists found empty leave the index."""
        sent = 0
        for member in self._redis.smembers(self._keys.staged_index):
            name = text(member)
            target = _target(name)
            try:
                sent += self.flush(target)
            except REDIS_DOWN:
                raise
            except Exception:
                log.exception("cannot enqueue staged records of sync %s yet; trying again", target.sync_id)
                continue
            self._forget_if_empty(target, name)
        return sent

    def _forget_if_empty(self, target: Target, member: str) -> None:
        """Drop an empty list from the index, in one step, so that a record staged meanwhile keeps it."""
        key = self._keys.staged(target.shop, target.resource, target.sync_id)
        self._redis.eval(_FORGET_IF_EMPTY, 2, key, self._keys.staged_index, member)


def _member(target: Target) -> str:
    return f"{target.shop}/{target.resource}/{target.sync_id}"


def _target(member: str) -> Target:
    shop, resource, sync_id = member.split("/", 2)
    return Target(shop, resource, sync_id)
