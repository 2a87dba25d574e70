"""Shops added while workers run are served within seconds, without a restart.

A worker subscribes at start to the queues of the shops in the shops file. ``ShopWatch``, a step of
Celery's consumer, reads the file again every ``SHOPIFY_SYNC_SHOP_WATCH_INTERVAL_S`` seconds on the
consumer's own timer and subscribes to the queue of every shop it does not consume yet, as Celery's
``add_consumer`` control command does (``Consumer.add_task_queue``). Pool processes read the file again
when a task names a shop they do not know (``WorkerRuntime.shop``). Shops removed from the file keep
their queue until the worker restarts; their tasks then fail as for any unknown shop.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import bootsteps

from settings import SECRETS_NOT_LOADED, ShopsFileError, load_shops
from worker.contract.broker import queue_for, settings

log = logging.getLogger(__name__)


def shop_names(path: Path) -> tuple[str, ...]:
    """The shop handles in the shops file; none while it cannot be read (being rewritten, say)."""
    try:
        return load_shops(path, environ=SECRETS_NOT_LOADED).names()
    except (ShopsFileError, OSError) as exc:
        log.warning("shop watch: cannot read the shops file %s: %s", path, type(exc).__name__)
        return ()


def add_new_queues(consumer: Any, names: tuple[str, ...]) -> list[str]:
    """Subscribe ``consumer`` to the queue of every shop in ``names`` it does not consume yet."""
    task_consumer = consumer.task_consumer
    if task_consumer is None:  # between a broker reconnection and the next start
        return []
    added = []
    for name in names:
        queue = queue_for(name)
        if not task_consumer.consuming_from(queue):
            consumer.add_task_queue(queue)
            added.append(queue)
    if added:
        log.info("shop watch: now consuming %s", ", ".join(added))
    return added


class ShopWatch(bootsteps.StartStopStep):
    """The consumer step that reads the shops file again on a timer."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry: Any = None

    def include_if(self, parent: Any) -> bool:
        """Only with Redis: an embedded worker serves the shops it was given, with no shops file."""
        return not settings.embedded

    def start(self, parent: Any) -> None:
        """Check every ``shop_watch_interval_s`` seconds on the consumer's timer."""
        self.timer_entry = parent.timer.call_repeatedly(
            settings.shop_watch_interval_s, self.check, (parent,), priority=10
        )

    def check(self, consumer: Any) -> None:
        """One look at the shops file."""
        add_new_queues(consumer, shop_names(settings.shops_file))

    def stop(self, parent: Any) -> None:
        """Stop checking."""
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
