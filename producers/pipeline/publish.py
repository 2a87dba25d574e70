"""Publishing: the one place that slices records into batches and sends them to their shop's queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from producers.pipeline.intake import Target
from worker.contract.enqueue import Enqueue
from worker.contract.envelopes import RecordEnvelope
from worker.contract.outages import RIDE_OUT_S, until_redis_answers

AfterBatch = Callable[[list[RecordEnvelope]], None]


class PublishError(Exception):
    """Some batches could not be sent (Redis or the broker stayed away); ``unsent`` lists their records."""

    def __init__(self, unsent: list[RecordEnvelope]) -> None:
        super().__init__(f"{len(unsent)} record(s) could not be enqueued")
        self.unsent = unsent


@dataclass
class SentBatches:
    """What a producer sent for one sync: the task arguments of each batch (kept to send lost ones again)."""

    target: Target
    batches: list[list[dict[str, Any]]] = field(default_factory=list)


class Publisher:
    """Sends batches of ``batch_size`` records; with ``keep_sent``, remembers them per sync."""

    def __init__(
        self, enqueue: Enqueue, *, batch_size: int, keep_sent: bool = False, ride_out_s: float = RIDE_OUT_S
    ) -> None:
        self._enqueue = enqueue
        self._ride_out_s = ride_out_s
        self._batch_size = batch_size
        self._keep_sent = keep_sent
        self._sent: dict[str, SentBatches] = {}

    def publish(
        self,
        target: Target,
        records: Sequence[RecordEnvelope],
        *,
        enqueue: Enqueue | None = None,
        after_batch: AfterBatch | None = None,
        batch_size: int | None = None,
    ) -> list[str]:
        """Send ``records`` in batches; returns the task ids.

        Parameters:
            enqueue: Sends one batch, instead of the publisher's own (a kombu producer kept across calls).
            after_batch: Called with each batch's records once that batch is safely enqueued.
            batch_size: Records per batch, instead of the publisher's own (a bulk task's file).

        Raises:
            PublishError: From the ``__cause__`` that stopped it, naming the records not sent.
        """
        send = enqueue or self._enqueue
        task_ids: list[str] = []
        size = batch_size or self._batch_size
        for start in range(0, len(records), size):
            batch = list(records[start : start + size])
            args = [r.to_dict() for r in batch]
            try:
                task_ids.append(str(self._send(send, target, args)))
            except Exception as exc:
                raise PublishError(list(records[start:])) from exc
            if self._keep_sent:
                self._sent.setdefault(target.sync_id, SentBatches(target)).batches.append(args)
            if after_batch:
                after_batch(batch)
        return task_ids

    def sent(self, sync_id: str) -> SentBatches | None:
        """What was sent for ``sync_id`` (None unless the publisher keeps what it sends)."""
        return self._sent.get(sync_id)

    def forget(self, sync_id: str) -> None:
        """Drop what was kept for ``sync_id`` (its producer stopped following it)."""
        self._sent.pop(sync_id, None)

    def send_again(
        self, sent: SentBatches, pending: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    ) -> int:
        """Enqueue again the records ``pending`` picks from each kept batch; returns how many."""
        count = 0
        target = sent.target
        for records in sent.batches:
            again = pending(records)
            if again:
                self._send(self._enqueue, target, again)
                count += len(again)
        return count

    def _send(self, send: Enqueue, target: Target, records: list[dict[str, Any]]) -> object:
        one = partial(send, target.shop, target.sync_id, target.resource, records)
        return until_redis_answers(one, within_s=self._ride_out_s)
