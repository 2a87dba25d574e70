"""The bulk task: prepare a task's records into jobs, then advance each job; thin, like ``worker.tasks``.

``bulk_write(shop, sync_id, resource, records)`` comes from a producer (``enqueue_bulk``);
``bulk_write(shop, sync_id, resource, [], job_id=...)`` follows a job further. A job that is not done
is handed to a new task after its delay; a job that keeps failing (the shop does not answer, say)
sends its records to the per-request path, whose retry policy decides their end.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from celery.exceptions import Reject

from worker.bulk.adapters import bulk_adapter
from worker.bulk.api import BulkApi
from worker.bulk.jobs import BulkJobStore
from worker.bulk.prepare import Preparer
from worker.bulk.runner import JobRunner, Step
from worker.bulk.settle import JobSettler
from worker.contract.broker import BULK_WRITE, celery_app, max_countdown_s
from worker.contract.enqueue import enqueue_batch, enqueue_bulk
from worker.contract.envelopes import RecordEnvelope
from worker.contract.outages import redis_unavailable, wait_for_redis
from worker.contract.recorder import OutcomeRecorder
from worker.errors import ShopifyError
from worker.resources import get_resource
from worker.retry import BatchCrashedError, crash_backoff_s
from worker.runtime import WorkerRuntime, get_runtime

log = logging.getLogger(__name__)


@celery_app.task(
    name=BULK_WRITE,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    Request="worker.inspection:SafeRequest",
)
def bulk_write(
    self: Task[Any, Any],
    shop: str,
    sync_id: str,
    resource: str,
    records: list[dict[str, Any]],
    job_id: str | None = None,
) -> dict[str, int]:
    """Write records of one resource to one shop through bulk operations (or follow one job further)."""
    runtime = get_runtime()
    try:
        followed = runtime.run(
            _advance(runtime, str(self.request.id), shop, sync_id, resource, records, job_id)
        )
    except Exception as exc:
        if redis_unavailable(exc):
            wait_for_redis(runtime.redis, runtime.settings.broker_visibility_timeout_s / 4)
            raise Reject(exc, requeue=True) from exc
        crash = exc
    else:
        return {"jobs": followed}
    # Outside ``except``: what Flower shows is the masked short form, with no exception chain.
    context = {"shop": shop, "sync_id": sync_id}
    if (backoff_s := crash_backoff_s(self.request.retries)) is not None:
        log.error("bulk task failed unexpectedly; retrying it", exc_info=crash, extra=context)
        raise self.retry(exc=BatchCrashedError.of(crash), countdown=backoff_s)
    log.error("bulk task failed unexpectedly, out of retries", exc_info=crash, extra=context)
    raise BatchCrashedError.of(crash)


async def _advance(
    runtime: WorkerRuntime,
    task_id: str,
    shop: str,
    sync_id: str,
    resource_name: str,
    records: list[dict[str, Any]],
    job_id: str | None,
) -> int:
    resource = get_resource(resource_name)
    adapter = bulk_adapter(resource)
    shop_name = runtime.shops.get(shop).shop_name

    def send_back(envelopes: list[RecordEnvelope]) -> None:
        size = runtime.settings.batch_size
        for start in range(0, len(envelopes), size):
            enqueue_batch(
                shop, sync_id, resource_name, [r.to_dict() for r in envelopes[start : start + size]]
            )

    if adapter is None:  # orders stay per request
        send_back([RecordEnvelope.from_dict(r) for r in records])
        return 0
    gateway, session = await runtime.gateway_for(shop)
    recorder = OutcomeRecorder(
        runtime.tracker, runtime.dead_letters, shop=shop_name, sync_id=sync_id, resource=resource_name
    )
    store = BulkJobStore(runtime.redis, runtime.keys)
    settings = runtime.settings
    if job_id is None:
        preparer = Preparer(shop, sync_id, resource, adapter, recorder, store, gateway.send, send_back,
                            settings.bulk_max_file_bytes, runtime.lookups)  # fmt: skip
        job_ids = await preparer.jobs(task_id, [RecordEnvelope.from_dict(r) for r in records])
    else:
        job_ids = [job_id]
    runner = JobRunner(
        BulkApi(gateway, session, timeout_s=settings.request_timeout_s),
        store,
        JobSettler(resource, adapter, recorder, gateway.send, send_back),
        poll_s=settings.bulk_poll_interval_s,
        budget_s=settings.bulk_follow_budget_s,
    )
    for one in job_ids:
        step = await _one(runtime, runner, store, one)
        if step is not None and not step.done:
            delay = min(step.delay_s, max_countdown_s(settings))
            enqueue_bulk(shop, sync_id, resource_name, [], job_id=one, countdown_s=delay)
    return len(job_ids)


async def _one(runtime: WorkerRuntime, runner: JobRunner, store: BulkJobStore, job_id: str) -> Step | None:
    """Advance one job under its lock; None when the job is unknown."""
    job = store.get(job_id)
    if job is None:
        log.warning("bulk job %s is unknown (expired?); nothing to follow", job_id)
        return None
    settings = runtime.settings
    if not store.lock(job_id, settings.bulk_follow_budget_s + settings.request_timeout_s):
        # Another worker holds it, or held it when it died: look again once the lock may have expired.
        return Step(done=False, delay_s=settings.bulk_poll_interval_s)
    try:
        return await runner.advance(job)
    except ShopifyError as err:
        job.failures += 1
        store.save(job)
        if job.failures >= settings.max_attempts:
            log.warning("bulk job %s failed %d times (%s); its records go per request", job_id, job.failures,
                        err, extra={"shop": job.shop, "sync_id": job.sync_id})  # fmt: skip
            await runner.give_up(job)
            return Step(done=True)
        delay = min(settings.base_backoff_s * 2**job.failures, settings.max_backoff_s)
        log.info("bulk job %s: %s; looking again in %.1fs", job_id, err, delay,
                 extra={"shop": job.shop, "sync_id": job.sync_id})  # fmt: skip
        return Step(done=False, delay_s=max(delay, settings.bulk_poll_interval_s))
    finally:
        store.unlock(job_id)
