"""Sending a batch of records to its shop's queue: the one message producers and workers exchange."""

from __future__ import annotations

from typing import Any, Protocol

from kombu import Producer

from worker.contract.broker import BULK_WRITE, WRITE_BATCH, celery_app, queue_for
from worker.contract.taskview import safe_view


class Enqueue(Protocol):
    """What sends a batch: ``enqueue_batch``, or a stand-in in tests."""

    def __call__(self, shop: str, sync_id: str, resource: str, records: list[dict[str, Any]], /) -> object:
        """Send one batch of records (task-argument form) to the shop's queue."""


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
    own shops file or credential store. Monitors see only a short form of the arguments (shop, sync,
    resource, count; ``worker.contract.taskview``), given here so that Celery does not write a long repr
    of the records first. ``not_before`` (epoch seconds) marks a batch already booked in its shop's
    schedule, to start at that time. A ``producer`` (``celery_app.producer_or_acquire()``) kept across
    many calls saves a connection checkout per batch.
    """
    args = (shop, sync_id, resource, records)
    kwargs = {} if not_before is None else {"not_before": not_before}
    argsrepr, kwargsrepr = safe_view(args, kwargs)
    options: dict[str, Any] = {"queue": queue_for(shop), "argsrepr": argsrepr, "kwargsrepr": kwargsrepr}
    if countdown_s > 0:
        options["countdown"] = countdown_s
    result = celery_app.send_task(WRITE_BATCH, args=args, kwargs=kwargs, producer=producer, **options)
    return str(result.id)


def enqueue_bulk(
    shop: str,
    sync_id: str,
    resource: str,
    records: list[dict[str, Any]],
    *,
    job_id: str | None = None,
    countdown_s: float = 0.0,
) -> str:
    """Send records of a big load to be written through one bulk operation (``worker.bulk``).

    Without ``records`` but with ``job_id``: a task that follows that job (already in Redis) further.
    Same queue, same message form as ``enqueue_batch``, so the lost-task watch sees these tasks too.
    """
    args = (shop, sync_id, resource, records)
    kwargs = {} if job_id is None else {"job_id": job_id}
    argsrepr, kwargsrepr = safe_view(args, kwargs)
    options: dict[str, Any] = {"queue": queue_for(shop), "argsrepr": argsrepr, "kwargsrepr": kwargsrepr}
    if countdown_s > 0:
        options["countdown"] = countdown_s
    result = celery_app.send_task(BULK_WRITE, args=args, kwargs=kwargs, **options)
    return str(result.id)
