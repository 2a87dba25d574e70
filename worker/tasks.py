"""Celery tasks. Thin on purpose: the work is in ``worker.batch``; this module only moves batches around."""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.signals import worker_process_init

from worker.app import celery_app, max_countdown_s, queue_for
from worker.records import RecordEnvelope
from worker.runtime import get_runtime, install_runtime

WRITE_BATCH = "shopify_sync.write_batch"


@worker_process_init.connect
def _fresh_runtime_after_fork(**_: Any) -> None:
    # A forked child must not share its parent's Redis sockets or event loop.
    install_runtime(None)


def enqueue_batch(
    shop: str, sync_id: str, resource: str, records: list[dict[str, Any]], *, countdown_s: float = 0.0
) -> str:
    """Send one batch to its shop's queue; returns the task id.

    The task arguments carry the records but no credential: the worker reads the shop's token from
    its own shops file. Flower shows a short form of the arguments (shop, sync, resource, count).
    """
    result = write_batch.apply_async(
        args=(shop, sync_id, resource, records),
        queue=queue_for(shop),
        countdown=countdown_s or None,
        argsrepr=repr((shop, sync_id, resource, f"{len(records)} records")),
    )
    return str(result.id)


@celery_app.task(name=WRITE_BATCH, bind=True, acks_late=True, reject_on_worker_lost=True)
def write_batch(self: Task, shop: str, sync_id: str, resource: str, records: list[dict[str, Any]]) -> dict[str, int]:  # type: ignore[type-arg]
    """Write a batch of mapped records of one resource to one shop."""
    runtime = get_runtime()
    envelopes = [RecordEnvelope.from_dict(r) for r in records]
    outcome = runtime.run(runtime.write_batch(shop, sync_id, resource, envelopes))
    if outcome.deferred:
        delay = min(max(d.delay_s for d in outcome.deferred), max_countdown_s(runtime.settings))
        enqueue_batch(shop, sync_id, resource, [d.record.to_dict() for d in outcome.deferred], countdown_s=delay)
    if outcome.held:
        runtime.pauses.hold(
            shop,
            {"shop": shop, "sync_id": sync_id, "resource": resource, "records": [r.to_dict() for r in outcome.held]},
        )
    return outcome.summary()
