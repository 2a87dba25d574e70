"""The Celery application both sides share: Redis broker, late acks, one task at a time per process.

Producers publish with it and workers consume with it; ``worker.app`` adds what only a worker needs
(logging, Sentry, task tags). In embedded mode (no ``SHOPIFY_SYNC_REDIS_URL``) it runs on Celery's
in-memory transport.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.app.amqp import AMQP
from kombu import Connection
from kombu import connection as kombu_connection

from settings import AppSettings, load_app_settings
from worker.contract import serialization

WRITE_BATCH = "shopify_sync.write_batch"
BULK_WRITE = "shopify_sync.bulk_write"  # records of a big load, written through a bulk operation
# A Celery countdown longer than the broker's visibility timeout makes Redis hand the task to a
# second worker while the first still holds it. Every countdown this code sets is capped here.
COUNTDOWN_SHARE_OF_VISIBILITY = 0.1
# Publishing a task rides out a broker restart of up to about a minute (then raises), instead of kombu's
# default of three tries within a second.
PUBLISH_RETRY_POLICY = {"max_retries": 20, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 3.0}
REDIS_TRANSPORT = "worker.contract.transport:Transport"


def queue_for(shop: str) -> str:
    """The queue of a shop's tasks: one per shop, so a big backlog never blocks another shop."""
    return f"shopify.{shop}"


def broker_transport_options(settings: AppSettings) -> dict[str, Any]:
    """The Redis transport's options: the visibility timeout, and how often abandoned messages come back.

    A message taken by a worker that died stays unacknowledged in Redis until the visibility timeout has
    passed; then a worker puts it back in its queue. kombu looks for such messages only every 100 s by
    default; here every tenth of the timeout (at most every 10 s), so they come back soon after it.

    Each sweep holds a lock in Redis (``unacked_mutex``) that kombu lets expire after 5 minutes. A worker
    killed during its sweep leaves that lock behind, and no worker sweeps until it expires: its messages
    would wait 5 minutes more. A sweep takes milliseconds, so the lock here expires after three sweep
    intervals; two sweeps that overlap put each message back once (a transaction watches ``unacked``).
    """
    timeout = settings.broker_visibility_timeout_s
    interval = max(1, min(10, timeout // 10))
    return {
        "visibility_timeout": timeout,
        "unacked_restore_interval": interval,
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": max(5, 3 * interval),
    }


class BrokerConnection(Connection):
    """kombu's connection, written as a ``redis://`` URL although it runs the transport above.

    Flower picks its broker client (queue lengths, the Broker page) from the URL's scheme, which kombu
    would otherwise write as the transport's import path. A password mask appears only where the URL
    has a password.
    """

    resolve_aliases = {**kombu_connection.resolve_aliases, REDIS_TRANSPORT: "redis"}  # type: ignore[attr-defined]

    def as_uri(self, include_password: bool = False, mask: str = "**", getfields: Any = None) -> str:
        """The URL, its password (if any) replaced by ``mask`` unless ``include_password``."""
        shown = include_password or not self.password
        if getfields is None:
            return str(super().as_uri(shown, mask))
        return str(super().as_uri(shown, mask, getfields))


class BrokerAMQP(AMQP):
    """Celery's messaging layer, with the connection above."""

    Connection = BrokerConnection


def max_countdown_s(settings: AppSettings) -> float:
    """The longest countdown a task may be given."""
    return settings.broker_visibility_timeout_s * COUNTDOWN_SHARE_OF_VISIBILITY


def create_celery_app(settings: AppSettings) -> Celery:
    """A Celery app on the configured Redis, or on the in-memory transport in embedded mode."""
    app = Celery(
        "shopify_sync",
        broker=settings.redis_url or "memory://localhost/",
        include=["worker.tasks", "worker.bulk.tasks"],
        amqp=BrokerAMQP,
    )
    serialization.register()
    app.conf.update(
        task_serializer=serialization.FAST_JSON,
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        # A task is acknowledged after it ran, and re-queued when its worker process dies.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Flower reads the workers' events. No "sent" event from producers: it costs a second publish per
        # task (half of a producer's time), and Flower shows a task from the moment a worker receives it.
        worker_send_task_events=True,
        task_send_sent_event=False,
        task_default_queue="shopify.default",
        # With Redis, kombu's Redis transport with the fix in worker/contract/transport.py (a worker
        # survives a restart).
        broker_transport=REDIS_TRANSPORT if settings.redis_url else None,
        broker_transport_options=broker_transport_options(settings),
        task_publish_retry_policy=PUBLISH_RETRY_POLICY,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        # A task still running when the broker connection drops is stopped: its message goes back to the
        # queue (worker/contract/transport.py), and a second copy must not write the same records at the
        # same time.
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    return app


settings = load_app_settings()
celery_app = create_celery_app(settings)
