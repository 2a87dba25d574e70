"""Run one sync in either mode: embedded (in-process worker, fakeredis) or with Redis and worker processes."""

from __future__ import annotations

import time

from producers.embedded import embedded_worker
from producers.progress import sync_progress
from producers.report import SyncReport
from producers.sync import SyncJob, SyncRunner
from settings import AppSettings, ShopsConfig
from worker.keys import Keys


def run_sync(
    settings: AppSettings, shops: ShopsConfig, job: SyncJob, *, timeout_s: float, show_progress: bool
) -> SyncReport:
    """Enqueue ``job``, wait until every record is settled (or the timeout), and return the report.

    The report and the sync's dead letters are also written under ``settings.output_dir``.
    """
    started = time.monotonic()
    if settings.embedded:
        with embedded_worker(settings, shops) as client:
            return _run(
                SyncRunner(client, Keys(settings.key_prefix), batch_size=settings.batch_size),
                job,
                "embedded",
                started,
                settings,
                timeout_s,
                show_progress,
            )
    import redis

    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        runner = SyncRunner(client, Keys(settings.key_prefix), batch_size=settings.batch_size)
        return _run(runner, job, "redis", started, settings, timeout_s, show_progress)
    finally:
        client.close()


def _run(
    runner: SyncRunner,
    job: SyncJob,
    mode: str,
    started: float,
    settings: AppSettings,
    timeout_s: float,
    show_progress: bool,
) -> SyncReport:
    with sync_progress(f"{job.resource} -> {job.shop}", enabled=show_progress) as on_progress:
        runner.enqueue(job)
        runner.wait(job.sync_id, timeout_s=timeout_s, on_progress=on_progress)
    return runner.report(job, mode=mode, started=started, output_dir=settings.output_dir)
