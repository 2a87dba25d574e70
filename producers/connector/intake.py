"""Records Multiwoven already mapped: validate them, dead-letter the invalid ones, enqueue the rest.

The connector's ``write`` and the HTTP producer both hand their records to ``RecordIntake``: the same
validation as ``shopify-sync sync`` (the resource's pydantic model), the same dead letters and tracking,
the same Celery task, only without the mapping step.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from producers.records import InvalidRecord, validated
from worker.deadletters import DeadLetterStore
from worker.keys import Keys
from worker.recorder import OutcomeRecorder
from worker.records import RecordEnvelope
from worker.resources import get_resource
from worker.tasks import enqueue_batch
from worker.tracking import SyncTracker

Enqueue = Callable[[str, str, str, list[dict[str, Any]]], str]


def content_digest(fields: dict[str, Any]) -> str:
    """A short, stable hash of a record's content."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def keyed(records: list[dict[str, Any]], key_field: str | None) -> list[RecordEnvelope]:
    """Envelopes keyed by content: ``<key field value>#<digest>`` when the field is set, else the digest.

    Mapped records carry no key of their own. A record sent twice gets the same key (and is taken in
    once); a changed record gets a new one (and is written).
    """
    out = []
    for fields in records:
        digest = content_digest(fields)
        value = fields.get(key_field) if key_field else None
        key = f"{value}#{digest[:12]}" if value not in (None, "") else digest
        out.append(RecordEnvelope(key=key, payload=fields, source=fields))
    return out


def accepted_key(keys: Keys, sync_id: str) -> str:
    """Set: keys of the records a long-lived sync (the HTTP producer's) has taken in, to drop repeats."""
    return f"{keys.prefix}:sync:{sync_id}:accepted"


@dataclass
class Submission:
    """What the intake did with the records it was given."""

    accepted: list[RecordEnvelope] = field(default_factory=list)
    invalid: list[InvalidRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Counts and, for each invalid record, its key and reason."""
        return {
            "accepted": len(self.accepted),
            "dead_lettered": len(self.invalid),
            "duplicates": len(self.duplicates),
            "invalid": [{"record": bad.record.key, **bad.reason.model_dump()} for bad in self.invalid],
        }


class RecordIntake:
    """Takes mapped records of one shop, resource and sync into the pipeline."""

    def __init__(self, client: redis.Redis, keys: Keys, *, batch_size: int, enqueue: Enqueue = enqueue_batch):
        self.tracker = SyncTracker(client, keys)
        self.dead_letters = DeadLetterStore(client, keys)
        self._redis = client
        self._keys = keys
        self._batch_size = batch_size
        self._enqueue = enqueue

    def submit(
        self,
        *,
        shop: str,
        resource: str,
        sync_id: str,
        records: Sequence[RecordEnvelope],
        dedupe: bool = False,
    ) -> Submission:
        """Validate, dead-letter and enqueue ``records`` (their keys must be unique within the sync).

        With ``dedupe``, a record whose key this sync has taken in before is skipped (reported as a
        duplicate), so a client that sends the same records twice does not count them twice.

        Raises:
            redis.RedisError: When Redis or the broker fails; the records not enqueued are forgotten
                again, so the same request can be retried.
        """
        result = Submission()
        fresh = self._fresh(sync_id, records, result) if dedupe else list(records)
        if not fresh:
            return result
        model = get_resource(resource)
        for record in fresh:
            checked = validated(record, model)
            if isinstance(checked, InvalidRecord):
                result.invalid.append(checked)
            else:
                result.accepted.append(checked)
        self.tracker.start(sync_id, shop=shop, resource=resource, total=len(fresh))
        recorder = OutcomeRecorder(
            self.tracker, self.dead_letters, shop=shop, sync_id=sync_id, resource=resource
        )
        for bad in result.invalid:
            recorder.dead_letter(bad.record, bad.reason)
        self._enqueue_batches(shop, resource, sync_id, result, dedupe)
        return result

    def _fresh(
        self, sync_id: str, records: Sequence[RecordEnvelope], result: Submission
    ) -> list[RecordEnvelope]:
        pipe = self._redis.pipeline()
        for record in records:
            pipe.sadd(accepted_key(self._keys, sync_id), record.key)
        added = pipe.execute()
        fresh = [record for record, new in zip(records, added, strict=True) if new]
        result.duplicates = [record.key for record, new in zip(records, added, strict=True) if not new]
        return fresh

    def _enqueue_batches(
        self, shop: str, resource: str, sync_id: str, result: Submission, dedupe: bool
    ) -> None:
        batches = [
            result.accepted[i : i + self._batch_size]
            for i in range(0, len(result.accepted), self._batch_size)
        ]
        for done, batch in enumerate(batches):
            try:
                result.task_ids.append(self._enqueue(shop, sync_id, resource, [r.to_dict() for r in batch]))
            except Exception:
                left = [r for later in batches[done:] for r in later]
                self.tracker.start(sync_id, shop=shop, resource=resource, total=-len(left))
                if dedupe:
                    self._redis.srem(accepted_key(self._keys, sync_id), *[r.key for r in left])
                raise
