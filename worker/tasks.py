"""Celery tasks. Thin on purpose: the work is in ``worker.batch``; this module only moves batches around."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task
from kombu import Producer

from worker.app import celery_app, max_countdown_s, queue_for
from worker.batch import ADMISSION_SLACK_S, BatchOutcome
from worker.deadletters import Reason
from worker.recorder import OutcomeRecorder
from worker.records import RecordEnvelope
from worker.runtime import WorkerRuntime, get_runtime

log = logging.getLogger(__name__)

WRITE_BATCH = "shopify_sync.write_batch"
# Retries of a batch whose task crashed on an unexpected exception (a bug, not a Shopify answer).
UNEXPECTED_RETRIES = 3


def enqueue_batch(
    shop: str,
    sync_id: str,
    resource: str,
    records: list[dict[str, Any]],
    *,
    countdown_s: float = 0.0,
    not_before: float | None = None,
    producer: Producer | None = None,
) -> str:
    """Send one batch to its shop's queue; returns the task id.

    The task arguments carry the records but no credential: the worker reads the shop's token from its
    own shops file or credential store. Flower shows a short form of the arguments (shop, sync,
    resource, count). ``not_before`` (epoch seconds) marks a batch already booked in its shop's
    schedule, to start at that time. A ``producer`` (``celery_app.producer_or_acquire()``) kept across
    many calls saves a connection checkout per batch.
    """
    options: dict[str, Any] = {
        "queue": queue_for(shop),
        "argsrepr": repr((shop, sync_id, resource, f"{len(records)} records")),
    }
    if countdown_s > 0:
        options["countdown"] = countdown_s
    kwargs = {} if not_before is None else {"not_before": not_before}
    result = write_batch.apply_async(
        args=(shop, sync_id, resource, records), kwargs=kwargs, producer=producer, **options
    )
    return str(result.id)


@celery_app.task(name=WRITE_BATCH, bind=True, acks_late=True, reject_on_worker_lost=True)
def write_batch(
    self: Task[Any, Any],
    shop: str,
    sync_id: str,
    resource: str,
    records: list[dict[str, Any]],
    not_before: float | None = None,
) -> dict[str, int]:
    """Write a batch of mapped records of one resource to one shop."""
    runtime = get_runtime()
    if not_before is not None and not_before - time.time() > ADMISSION_SLACK_S:
        # Back early: every countdown is capped below the broker's visibility timeout.
        countdown_s = min(not_before - time.time(), max_countdown_s(runtime.settings))
        enqueue_batch(shop, sync_id, resource, records, countdown_s=countdown_s, not_before=not_before)
        return {"deferred": len(records)}
    envelopes = [RecordEnvelope.from_dict(r) for r in records]
    try:
        outcome = runtime.run(runtime.write_batch(shop, sync_id, resource, envelopes, not_before))
        _place_unsettled(runtime, shop, sync_id, resource, outcome)
    except Exception as exc:
        if self.request.retries < UNEXPECTED_RETRIES:
            log.exception("batch failed unexpectedly; retrying it", extra={"shop": shop, "sync_id": sync_id})
            raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
        _dead_letter_unsettled(runtime, shop, sync_id, resource, envelopes, exc)
        raise
    return outcome.summary()


def _place_unsettled(
    runtime: WorkerRuntime, shop: str, sync_id: str, resource: str, outcome: BatchOutcome
) -> None:
    """Re-enqueue deferred records after their delay; keep held ones for ``shops resume``.

    Inside the task's ``try``: if the broker or Redis fails here, the whole batch is retried (records
    already synced are skipped), rather than acknowledged with these records nowhere.
    """
    if outcome.deferred:
        delay = min(max(d.delay_s for d in outcome.deferred), max_countdown_s(runtime.settings))
        records = [d.record.to_dict() for d in outcome.deferred]
        enqueue_batch(shop, sync_id, resource, records, countdown_s=delay, not_before=outcome.not_before)
    if outcome.resumed:  # a probe found the shop answering again: its held batches go back to the queue
        runtime.pauses.resume(shop, enqueue_batch)
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
    reason = Reason(category="internal_error", message=f"{type(exc).__name__}: {exc}")
    for record in records:
        outcome = runtime.tracker.outcome(sync_id, record.key) or {}
        if outcome.get("state") not in ("synced", "dead_lettered"):
            recorder.dead_letter(record, reason)
