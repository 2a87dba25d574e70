"""Embedded mode: the whole pipeline in one process, with no Redis server and no Docker.

The same Celery task, limiter Lua script, retry policy and dead-letter store run as in production:
Redis is replaced by fakeredis (with Lua), the broker by Celery's in-memory transport, and the worker
by a Celery worker in a thread of this process. Its state ends with the process, which is why
``sync`` and ``demo`` also write the report and the dead letters to files.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import fakeredis
import redis
from celery.contrib.testing.worker import start_worker

from settings import AppSettings, ShopsConfig
from worker import tasks  # noqa: F401  (registers the task the in-process worker runs)
from worker.app import app as celery_app
from worker.contract.broker import queue_for
from worker.runtime import WorkerRuntime, install_runtime


@contextmanager
def embedded_worker(settings: AppSettings, shops: ShopsConfig) -> Iterator[redis.Redis]:
    """Start an in-process worker for ``shops``; yields the (fake) Redis that producer and worker share."""
    if not celery_app.conf.broker_url.startswith("memory://"):
        raise RuntimeError("embedded mode needs the in-memory broker: unset SHOPIFY_SYNC_REDIS_URL")
    client = fakeredis.FakeRedis()
    runtime = WorkerRuntime(settings, client, shops)
    install_runtime(runtime)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            queues=[queue_for(shop.shop_name) for shop in shops],
            loglevel="WARNING",
            shutdown_timeout=30,
            hostname="embedded@shopify-sync",
        ):
            yield client
    finally:
        install_runtime(None)
        runtime.close()
