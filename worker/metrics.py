"""Prometheus metrics per shop, read from Redis when scraped, so every worker process's work is counted.

Workers add each batch's counts to a per-shop hash in Redis (``ShopStats``); the collector reads those,
each shop's backlog (``worker.contract.backlog``), its bucket and its pause flag at scrape time. Any
worker (or several, behind one job) can serve them: they all read the same Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator

import redis
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from settings import AppSettings, ShopsFileError, load_shops
from worker.contract.backlog import Backlog
from worker.contract.keys import Keys, text
from worker.contract.pauses import ShopPauses
from worker.writer.outcome import BatchOutcome

log = logging.getLogger(__name__)

COUNTERS = {
    "synced": "Records written to the shop.",
    "dead_lettered": "Records dead-lettered (not written; see `shopify-sync dlq list`).",
    "retried": "Failed attempts of a record that were retried.",
}

GAUGES = (
    ("queued", "shopify_sync_backlog_queued", "Batches in the shop's queue, not taken by a worker yet."),
    ("booked", "shopify_sync_backlog_booked", "Batches booked for later, held by a worker until their turn."),
    ("wait", "shopify_sync_backlog_wait_seconds", "Seconds until the last booked batch starts (0: none)."),
    (
        "level",
        "shopify_sync_bucket_available",
        "Points in the shop's leaky bucket now, as workers estimate it.",
    ),
    ("capacity", "shopify_sync_bucket_capacity", "The shop's bucket size in points (learned, or assumed)."),
    ("paused", "shopify_sync_shop_paused", "1 while the shop is paused (records held until `shops resume`)."),
    ("held", "shopify_sync_records_held", "Records held for the paused shop."),
)


class ShopStats:
    """Per-shop record counters in Redis, added to by every batch."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    def add(self, shop: str, outcome: BatchOutcome) -> None:
        """Count what one batch did."""
        counts = {
            "synced": outcome.synced,
            "dead_lettered": outcome.dead_lettered - outcome.superseded,
            "retried": outcome.retries,
        }
        pipe = self._redis.pipeline(transaction=False)
        for name, value in counts.items():
            if value:
                pipe.hincrby(self._keys.shop_stats(shop), name, value)
        pipe.execute()

    def of(self, shop: str) -> dict[str, int]:
        """The shop's counters (0 for those never counted)."""
        raw = {text(k): int(v) for k, v in self._redis.hgetall(self._keys.shop_stats(shop)).items()}
        return {name: raw.get(name, 0) for name in COUNTERS}


class ShopMetrics(Collector):
    """Collects the metrics of ``shops`` from Redis at each scrape."""

    def __init__(self, client: redis.Redis, keys: Keys, shops: Callable[[], Iterable[str]]) -> None:
        self._redis = client
        self._keys = keys
        self._shops = shops
        self._stats = ShopStats(client, keys)
        self._backlog = Backlog(client, keys)
        self._pauses = ShopPauses(client, keys)

    def collect(self) -> Iterator[Metric]:
        """One sample per shop of each metric."""
        counters = {
            name: CounterMetricFamily(f"shopify_sync_records_{name}", help_, labels=["shop"])
            for name, help_ in COUNTERS.items()
        }
        families = {key: GaugeMetricFamily(name, help_, labels=["shop"]) for key, name, help_ in GAUGES}
        now = time.time()
        for shop in self._shops():
            for name, value in self._stats.of(shop).items():
                counters[name].add_metric([shop], value)
            backlog = self._backlog.of(shop, now)
            families["queued"].add_metric([shop], backlog.queued)
            families["booked"].add_metric([shop], backlog.booked)
            families["wait"].add_metric([shop], max((backlog.booked_until or now) - now, 0.0))
            level, capacity = self._bucket(shop, now)
            families["level"].add_metric([shop], level)
            families["capacity"].add_metric([shop], capacity)
            families["paused"].add_metric([shop], 1.0 if self._pauses.reason(shop) else 0.0)
            held = sum(len(batch.get("records", [])) for batch in self._pauses.held(shop))
            families["held"].add_metric([shop], held)
        yield from counters.values()
        yield from families.values()

    def _bucket(self, shop: str, now: float) -> tuple[float, float]:
        """(available, capacity) of the shop's bucket, refilled up to ``now``; NaN before its first use."""
        raw = self._redis.hmget(self._keys.bucket(shop), ["available", "capacity", "rate", "ts"])
        if any(value is None for value in raw):
            return float("nan"), float("nan")
        available, capacity, rate, ts = (float(text(value)) for value in raw)
        return min(capacity, available + max(now - ts, 0.0) * rate), capacity


def serve_metrics(settings: AppSettings, client: redis.Redis | None = None) -> bool:
    """Serve ``/metrics`` for the shops of the shops file, when ``SHOPIFY_SYNC_METRICS_PORT`` is set.

    Returns:
        True when the server started; a port already taken (another worker on this host serves it)
        is a warning, not a failure.
    """
    if settings.metrics_port is None or settings.redis_url is None:
        return False
    try:
        names: list[str] = list(load_shops(settings.shops_file).names())
    except (ShopsFileError, OSError) as exc:
        log.warning("metrics: cannot read the shops file (%s); serving none", type(exc).__name__)
        names = []
    registry = CollectorRegistry(auto_describe=False)
    client = client or redis.Redis.from_url(settings.redis_url, socket_timeout=5)
    registry.register(ShopMetrics(client, Keys(settings.key_prefix), lambda: names))
    try:
        start_http_server(settings.metrics_port, settings.metrics_address, registry=registry)
    except OSError as exc:
        log.warning("metrics: cannot listen on port %s: %s", settings.metrics_port, exc)
        return False
    log.info("metrics on http://%s:%s/metrics", settings.metrics_address, settings.metrics_port)
    return True
