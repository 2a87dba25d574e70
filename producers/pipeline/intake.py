"""Intake: records of one sync are validated, repeats dropped, invalid ones dead-lettered, all counted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import redis

from worker.contract.deadletters import DeadLetterStore, Reason
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.outages import RIDE_OUT_S, until_redis_answers
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker


@dataclass(frozen=True)
class Target:
    """Where records go: one shop, one resource, one sync."""

    shop: str
    resource: str
    sync_id: str


@dataclass(frozen=True)
class InvalidRecord:
    """A record that cannot be written as it is, with the reason (it goes to the dead letters)."""

    record: RecordEnvelope
    reason: Reason


Checked = RecordEnvelope | InvalidRecord
Validate = Callable[[RecordEnvelope], Checked]


@dataclass
class Submission:
    """What the pipeline did with the records it was given."""

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


class Intake:
    """Takes records into a sync's accounts; every Redis step rides out a restart."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        tracker: SyncTracker,
        dead_letters: DeadLetterStore,
        *,
        ride_out_s: float = RIDE_OUT_S,
    ) -> None:
        self._redis = client
        self._keys = keys
        self._tracker = tracker
        self._dead_letters = dead_letters
        self._ride_out_s = ride_out_s

    def admit(
        self,
        target: Target,
        items: Iterable[Checked],
        *,
        validate: Validate | None = None,
        dedupe: bool = False,
        counted: bool = True,
    ) -> Submission:
        """Sort ``items`` into accepted and invalid, dead-letter the invalid ones and count them all.

        Parameters:
            validate: Checks each ``RecordEnvelope`` among ``items`` (items already checked pass as they are).
            dedupe: Skip (as duplicates) records whose key this sync has taken in before, so a client
                that sends the same records twice does not count them twice.
            counted: Add the records to the sync's total; False for records the sync counted already
                (a replay).
        """
        result = Submission()
        fresh = self._fresh(target.sync_id, list(items), result) if dedupe else items
        for item in fresh:
            checked = validate(item) if validate and isinstance(item, RecordEnvelope) else item
            if isinstance(checked, InvalidRecord):
                result.invalid.append(checked)
            else:
                result.accepted.append(checked)
        taken = len(result.accepted) + len(result.invalid)
        if counted and taken:
            self._count(target, taken)
        recorder = OutcomeRecorder(
            self._tracker,
            self._dead_letters,
            shop=target.shop,
            sync_id=target.sync_id,
            resource=target.resource,
        )
        for bad in result.invalid:
            dead_letter = partial(recorder.dead_letter, bad.record, bad.reason)
            until_redis_answers(dead_letter, within_s=self._ride_out_s)
        return result

    def withdraw(self, target: Target, records: Sequence[RecordEnvelope], *, dedupe: bool) -> None:
        """Forget records that were admitted but could not be published, so the same call can be retried."""
        if not records:
            return
        self._count(target, -len(records))
        if dedupe:
            self._redis.srem(self._keys.sync_accepted(target.sync_id), *[r.key for r in records])

    def _count(self, target: Target, records: int) -> None:
        until_redis_answers(
            lambda: self._tracker.start(
                target.sync_id, shop=target.shop, resource=target.resource, total=records
            ),
            within_s=self._ride_out_s,
        )

    def _fresh(self, sync_id: str, items: list[Checked], result: Submission) -> list[Checked]:
        def add() -> list[Any]:
            pipe = self._redis.pipeline()
            for item in items:
                pipe.sadd(self._keys.sync_accepted(sync_id), _key(item))
            return pipe.execute()

        added = until_redis_answers(add, within_s=self._ride_out_s)
        result.duplicates = [_key(item) for item, new in zip(items, added, strict=True) if not new]
        return [item for item, new in zip(items, added, strict=True) if new]


def _key(item: Checked) -> str:
    return item.key if isinstance(item, RecordEnvelope) else item.record.key
