"""Celery tasks. Thin on purpose: the work is in ``worker.batch``; this module only moves batches around."""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

from celery import Task
from celery.exceptions import Reject

from worker import inspection  # noqa: F401  (what `inspect` answers: the short forms, no records)
from worker.batch import ADMISSION_SLACK_S, BatchOutcome
from worker.contract.backlog import Backlog
from worker.contract.broker import WRITE_BATCH, celery_app, max_countdown_s
from worker.contract.deadletters import Reason
from worker.contract.enqueue import enqueue_batch
from worker.contract.envelopes import RecordEnvelope
from worker.contract.outages import redis_unavailable, wait_for_redis
from worker.contract.recorder import OutcomeRecorder
from worker.contract.states import RecordState
from worker.contract.taskview import iso_time, shown_text
from worker.metrics import ShopStats
from worker.retry import BatchCrashedError, crash_backoff_s
from worker.runtime import WorkerRuntime, get_runtime
from worker.taskstate import finish, task_state

log = logging.getLogger(__name__)


@celery_app.task(
    name=WRITE_BATCH,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    Request="worker.inspection:SafeRequest",
)
def write_batch(
    self: Task[Any, Any],
    shop: str,
    sync_id: str,
    resource: str,
    records: list[dict[str, Any]],
    not_before: float | None = None,
) -> dict[str, Any]:
    """Write a batch of mapped records of one resource to one shop.

    Returns:
        Counts by outcome, when every record was written (or skipped, or booked for later); otherwise
        the task ends in ``FAILURE`` or ``RETRY`` with those counts (``worker.taskstate``).
    """
    runtime = get_runtime()
    started = time.monotonic()
    backlog = Backlog(runtime.redis, runtime.keys)
    if self.request.eta is not None:  # a booked or deferred batch: its wait is over
        backlog.started(shop, str(self.request.id))
    envelopes = [RecordEnvelope.from_dict(r) for r in records]
    crash: Exception | None = None
    try:
        if not_before is not None and not_before - time.time() > ADMISSION_SLACK_S:
            # Back early: every countdown is capped below the broker's visibility timeout.
            countdown_s = min(not_before - time.time(), max_countdown_s(runtime.settings))
            task_id = enqueue_batch(
                shop, sync_id, resource, records, countdown_s=countdown_s, not_before=not_before
            )
            backlog.booked(shop, task_id, time.time() + countdown_s)
            return {"records": len(records), "booked": len(records), "starts_at": iso_time(not_before)}
        outcome = runtime.run(runtime.write_batch(shop, sync_id, resource, envelopes, not_before))
        _place_unsettled(runtime, backlog, shop, sync_id, resource, outcome)
    except Exception as exc:
        if redis_unavailable(exc):
            _give_back_when_redis_answers(runtime, shop, sync_id, exc)
        crash = exc
    if crash is not None:  # handled outside ``except``, so what Flower shows carries no exception chain
        _after_crash(self, runtime, shop, sync_id, resource, envelopes, crash)
    ShopStats(runtime.redis, runtime.keys).add(shop, outcome)
    return finish(self, task_state(outcome, len(records)), time.monotonic() - started)


def _after_crash(
    task: Task[Any, Any],
    runtime: WorkerRuntime,
    shop: str,
    sync_id: str,
    resource: str,
    envelopes: list[RecordEnvelope],
    exc: Exception,
) -> NoReturn:
    """Retry a crashed batch later; once out of retries, dead-letter its unsettled records and fail."""
    shown = BatchCrashedError.of(exc)
    context = {"shop": shop, "sync_id": sync_id, "resource": resource}
    if (backoff_s := crash_backoff_s(task.request.retries)) is not None:
        log.error("batch failed unexpectedly; retrying it", exc_info=exc, extra=context)
        raise task.retry(exc=shown, countdown=backoff_s)
    log.error("batch failed unexpectedly, out of retries; dead-lettering it", exc_info=exc, extra=context)
    _dead_letter_unsettled(runtime, shop, sync_id, resource, envelopes, exc)
    raise shown


def _give_back_when_redis_answers(runtime: WorkerRuntime, shop: str, sync_id: str, exc: Exception) -> None:
    """Redis went away mid-batch: once it answers again, put the batch's message back in its queue.

    Celery's own retry would publish a copy while Redis is still down, fail, and drop the message. Given
    back (``Reject`` with requeue), the same message runs again (records already synced are skipped), and
    never twice: Celery also gives back the messages of a lost connection, and a message is moved back
    only once. Waits at most a quarter of the visibility timeout; the message stays in Redis meanwhile.

    Raises:
        Reject: Always.
    """
    log.warning("Redis did not answer during the batch (%s); giving it back once it does", exc,
                extra={"shop": shop, "sync_id": sync_id})  # fmt: skip
    wait_for_redis(runtime.redis, runtime.settings.broker_visibility_timeout_s / 4)
    raise Reject(exc, requeue=True) from exc


def _place_unsettled(
    runtime: WorkerRuntime, backlog: Backlog, shop: str, sync_id: str, resource: str, outcome: BatchOutcome
) -> None:
    """Re-enqueue deferred records after their delay; keep held ones until their shop or access is resumed.

    Inside the task's ``try``: if the broker or Redis fails here, the whole batch is retried (records
    already synced are skipped), rather than acknowledged with these records nowhere.
    """
    if outcome.deferred:
        delay = min(max(d.delay_s for d in outcome.deferred), max_countdown_s(runtime.settings))
        records = [d.record.to_dict() for d in outcome.deferred]
        task_id = enqueue_batch(
            shop, sync_id, resource, records, countdown_s=delay, not_before=outcome.not_before
        )
        backlog.booked(shop, task_id, time.time() + delay)
    if outcome.resumed:  # a probe found the shop answering again: its held batches go back to the queue
        runtime.pauses.resume(shop, enqueue_batch)
    for unpaused in outcome.access_resumed:  # the token gained an access it lacked
        runtime.pauses.access.release(shop, unpaused, enqueue_batch)
    if outcome.held_for_access:
        held = [r.to_dict() for r in outcome.held_for_access]
        batch = {"shop": shop, "sync_id": sync_id, "resource": resource, "records": held}
        if not runtime.pauses.access.hold(shop, resource, batch):
            enqueue_batch(shop, sync_id, resource, held)  # resumed meanwhile
    if outcome.held:
        held = [r.to_dict() for r in outcome.held]
        if not runtime.pauses.hold(
            shop, {"shop": shop, "sync_id": sync_id, "resource": resource, "records": held}
        ):
            enqueue_batch(shop, sync_id, resource, held)  # resumed meanwhile


def _dead_letter_unsettled(
    runtime: WorkerRuntime,
    shop: str,
    sync_id: str,
    resource: str,
    records: list[RecordEnvelope],
    exc: Exception,
) -> None:
    """Last resort: a batch that keeps crashing dead-letters its unsettled records, so none is lost."""
    recorder = OutcomeRecorder(
        runtime.tracker, runtime.dead_letters, shop=shop, sync_id=sync_id, resource=resource
    )
    reason = Reason(category="internal_error", message=f"{type(exc).__name__}: {shown_text(str(exc), 500)}")
    done = (RecordState.SYNCED, RecordState.DEAD_LETTERED, RecordState.SUPERSEDED)
    for record in records:
        outcome = runtime.tracker.outcome(sync_id, record.key) or {}
        if outcome.get("state") not in done:
            recorder.dead_letter(record, reason)
