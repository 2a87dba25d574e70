"""The record path every producer takes: intake, publish, wait.

``shopify-sync sync``, ``serve``, the connector's ``write`` and ``dlq replay`` all hand their records to
one ``RecordPipeline``, so each gets every guarantee: invalid records dead-lettered with their reason,
counts that match what was enqueued (records that could not be enqueued are counted out again), Redis
restarts ridden out, and, for a producer that waits, records of a task the broker lost sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis

from producers.pipeline.bulk import BulkRouting
from producers.pipeline.intake import Checked, Intake, Submission, Target, Validate
from producers.pipeline.publish import AfterBatch, Publisher, PublishError
from producers.pipeline.recovery import LostTaskWatch, unsettled
from producers.pipeline.wait import ProgressCallback, Settled, wait_until_settled
from worker.contract.deadletters import DeadLetterStore
from worker.contract.enqueue import Enqueue, enqueue_batch, enqueue_bulk
from worker.contract.keys import Keys
from worker.contract.outages import RIDE_OUT_S, until_redis_answers
from worker.contract.pauses import ShopPauses
from worker.contract.tracking import SyncCounts, SyncTracker

log = logging.getLogger(__name__)


class RecordPipeline:
    """Producer side of the queue contract, over one Redis (real, or fakeredis in embedded mode)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        batch_size: int,
        enqueue: Enqueue = enqueue_batch,
        recover_lost: bool = False,
        ride_out_s: float = RIDE_OUT_S,
        bulk: BulkRouting | None = None,
        bulk_enqueue: Enqueue = enqueue_bulk,
    ) -> None:
        """A pipeline over ``client``.

        With ``recover_lost`` (a Redis broker, and a producer that waits for its records), what was
        published is kept, and ``wait`` sends again the records of a task the broker lost
        (``producers.pipeline.recovery``): through the per-request path, whichever path sent them.
        ``bulk`` decides which submissions go through bulk operations (default: only those that ask).
        Redis restarts are ridden out for up to ``ride_out_s``; a caller that must answer sooner (an
        HTTP request) gives less.
        """
        self.redis = client
        self.keys = keys
        self.tracker = SyncTracker(client, keys)
        self.dead_letters = DeadLetterStore(client, keys)
        self.pauses = ShopPauses(client, keys)
        self.intake = Intake(client, keys, self.tracker, self.dead_letters, ride_out_s=ride_out_s)
        self.publisher = Publisher(
            enqueue, batch_size=batch_size, keep_sent=recover_lost, ride_out_s=ride_out_s
        )
        self.bulk = bulk or BulkRouting(batch_size=batch_size)
        self._bulk_enqueue = bulk_enqueue

    def submit(
        self,
        target: Target,
        items: Iterable[Checked],
        *,
        validate: Validate | None = None,
        dedupe: bool = False,
        counted: bool = True,
        enqueue: Enqueue | None = None,
        after_batch: AfterBatch | None = None,
        bulk: bool | None = None,
    ) -> Submission:
        """Admit ``items`` (``Intake.admit``) and publish the accepted ones.

        ``bulk``: True sends them through bulk operations, False never, None lets ``BulkRouting`` decide
        from the records waiting for the shop.

        Raises:
            Exception: What stopped publishing (Redis or the broker still away after the ride-out); the
                records not enqueued are counted out and forgotten again, so the same call can be retried.
        """
        submission = self.intake.admit(target, items, validate=validate, dedupe=dedupe, counted=counted)
        in_bulk = self.bulk.choose(self.redis, target, len(submission.accepted), bulk)
        try:
            submission.task_ids = self.publisher.publish(
                target,
                submission.accepted,
                enqueue=self._bulk_enqueue if in_bulk else enqueue,
                after_batch=after_batch,
                batch_size=self.bulk.records_per_operation if in_bulk else None,
            )
        except PublishError as exc:
            if counted:
                self.intake.withdraw(target, exc.unsent, dedupe=dedupe)
            cause = exc.__cause__ or exc
            raise cause from None
        return submission

    def wait(
        self,
        sync_id: str,
        *,
        timeout_s: float,
        record_keys: list[str] | None = None,
        on_progress: ProgressCallback | None = None,
        poll_s: float = 0.2,
        lost_watch: LostTaskWatch | None = None,
    ) -> Settled:
        """Follow the sync (or only ``record_keys``) until settled or ``timeout_s``.

        When the pipeline keeps what it published, records that no task holds any more are sent again
        meanwhile (``lost_watch`` decides when; by default a ``LostTaskWatch`` on the shop's queue).
        """
        sent = self.publisher.sent(sync_id)
        watch = lost_watch or (LostTaskWatch(self.redis, sent.target.shop) if sent else None)

        def send_lost_again(counts: SyncCounts) -> None:
            if sent is None or watch is None or not watch.lost(counts):
                return
            outcomes = until_redis_answers(lambda: self.tracker.outcomes(sync_id))
            count = self.publisher.send_again(sent, lambda records: unsettled(records, outcomes))
            log.warning(
                "%d record(s) of sync %s were held by no task (a worker or Redis stopped as the task was "
                "taken); sent them again",
                count,
                sync_id,
            )

        try:
            return wait_until_settled(
                self.tracker,
                sync_id,
                record_keys=record_keys,
                timeout_s=timeout_s,
                poll_s=poll_s,
                on_progress=on_progress,
                between_polls=send_lost_again if sent is not None else None,
            )
        finally:
            self.publisher.forget(sync_id)
            self.bulk.forget(sync_id)
