"""The worker's Celery application: the shared one (``worker.contract.broker``) plus what a worker adds.

``celery -A worker.app worker`` starts a worker; ``shopify-sync worker`` does the same and subscribes
to the queues of the shops in the shops file, and to those of shops added to it later
(``worker.shop_watch``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from celery import signals

from worker.contract.broker import celery_app, settings
from worker.metrics import serve_metrics
from worker.observability import init_sentry, setup_logging, tag_task
from worker.shop_watch import ShopWatch

app = celery_app
app.steps["consumer"].add(ShopWatch)


def worker_command(queues: Iterable[str], *, concurrency: int, name: str) -> list[str]:
    """The command line of a separate ``celery worker`` process consuming ``queues``."""
    return [
        sys.executable, "-m", "celery", "-A", "worker.app", "worker", "-Q", ",".join(queues),
        "-c", str(concurrency), "-l", "WARNING", "-n", name, "--without-mingle", "--without-gossip",
    ]  # fmt: skip


# A worker logs like the CLI (SHOPIFY_SYNC_LOG_FORMAT/LEVEL) instead of Celery's own format, and reports to
# Sentry from its main process and from every pool process, each task tagged with shop, sync and resource.
@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    setup_logging(settings)


@signals.worker_init.connect
@signals.worker_process_init.connect
def _init_sentry(**_: Any) -> None:
    init_sentry(settings, "worker")


signals.task_prerun.connect(tag_task)


@signals.worker_init.connect
def _serve_metrics(**_: Any) -> None:  # the main process only: pool processes do not get worker_init
    serve_metrics(settings)
