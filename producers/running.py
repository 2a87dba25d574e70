"""Run syncs in either mode: embedded (in-process worker, fakeredis) or with Redis and worker processes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import redis

from producers.embedded import embedded_worker
from producers.pipeline import BulkRouting
from producers.progress import sync_progress
from producers.report import SyncReport
from producers.sync import SyncJob, SyncRunner
from settings import AppSettings, ShopsConfig
from worker.contract.keys import Keys
from worker.contract.outages import until_redis_answers


class SyncIdInUseError(ValueError):
    """Reusing a sync id would mix two runs' counts and skip records the earlier run synced."""


@contextmanager
def sync_runner(settings: AppSettings, shops: ShopsConfig) -> Iterator[tuple[SyncRunner, str]]:
    """A producer on the configured Redis (workers run elsewhere), or on an in-process worker (embedded)."""
    if settings.embedded:
        with embedded_worker(settings, shops) as fake:
            yield SyncRunner(fake, Keys(settings.key_prefix), batch_size=settings.batch_size), "embedded"
        return
    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        runner = SyncRunner(
            client,
            Keys(settings.key_prefix),
            batch_size=settings.batch_size,
            recover_lost=True,
            mapping_processes=settings.mapping_processes,
            bulk=BulkRouting(
                threshold_records=settings.bulk_threshold_records,
                records_per_operation=settings.bulk_records_per_operation,
                batch_size=settings.batch_size,
            ),
        )
        yield runner, "redis"
    finally:
        client.close()


def run_syncs(
    settings: AppSettings,
    shops: ShopsConfig,
    jobs: list[SyncJob],
    *,
    report_id: str,
    timeout_s: float,
    show_progress: bool,
) -> SyncReport:
    """Run ``jobs`` one after the other, each until every record is settled (or the timeout).

    Returns one report with a breakdown per resource, also written under ``settings.output_dir``.
    """
    started = time.monotonic()
    with sync_runner(settings, shops) as (runner, mode):
        for job in jobs:  # a producer started while Redis restarts waits for it
            if until_redis_answers(partial(runner.tracker.meta, job.sync_id)):
                raise SyncIdInUseError(f"sync id {job.sync_id!r} was used before; a sync id names one run")
        for job in jobs:
            with sync_progress(job.resource, enabled=show_progress) as on_progress:
                runner.enqueue(job)
                runner.wait(job.sync_id, timeout_s=timeout_s, on_progress=on_progress)
        output_dir = settings.output_dir
        report = partial(runner.report, jobs, report_id=report_id, mode=mode, started=started)
        return until_redis_answers(partial(report, output_dir=output_dir))


def run_sync(
    settings: AppSettings, shops: ShopsConfig, job: SyncJob, *, timeout_s: float, show_progress: bool
) -> SyncReport:
    """Run one sync; its report carries the sync's own id."""
    return run_syncs(
        settings, shops, [job], report_id=job.sync_id, timeout_s=timeout_s, show_progress=show_progress
    )
