"""A shop's backlog (queued and booked batches) and the Prometheus metrics read from Redis."""

from prometheus_client import CollectorRegistry, generate_latest

from worker.contract.backlog import STALE_AFTER_S, Backlog
from worker.contract.broker import queue_for
from worker.contract.keys import Keys
from worker.contract.pauses import ShopPauses
from worker.metrics import ShopMetrics, ShopStats
from worker.writer.outcome import BatchOutcome

NOW = 1_800_000_000.0


def test_backlog_counts_queued_and_booked_batches_and_forgets_stale_bookings(fake_redis):
    keys = Keys("t")
    backlog = Backlog(fake_redis, keys)
    fake_redis.rpush(queue_for("acme"), "m1", "m2")
    fake_redis.rpush(queue_for("acme") + "\x06\x169", "m3")
    backlog.booked("acme", "t1", NOW + 30)
    backlog.booked("acme", "t2", NOW + 90)
    backlog.booked("acme", "lost", NOW - STALE_AFTER_S - 1)
    view = backlog.of("acme", NOW)
    assert (view.queued, view.booked, view.booked_until, view.batches) == (3, 2, NOW + 90, 5)
    backlog.started("acme", "t2")
    assert backlog.of("acme", NOW).booked_until == NOW + 30
    assert backlog.of("other", NOW).batches == 0
    assert fake_redis.ttl(keys.booked("acme")) > 0


def scrape(fake_redis, shops):
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ShopMetrics(fake_redis, Keys("t"), lambda: shops))
    return generate_latest(registry).decode()


def test_metrics_per_shop_from_redis(fake_redis):
    keys = Keys("t")
    stats = ShopStats(fake_redis, keys)
    stats.add("acme", BatchOutcome(synced=5, dead_lettered=3, superseded=1, retries=4))
    stats.add("acme", BatchOutcome(synced=2))
    fake_redis.rpush(queue_for("acme"), "m1")
    Backlog(fake_redis, keys).booked("acme", "t1", 4_000_000_000.0)
    fake_redis.hset(keys.bucket("acme"), mapping={"available": 100, "capacity": 2000, "rate": 100, "ts": 1})
    ShopPauses(fake_redis, keys).pause("beta", category="invalid_token", message="revoked")
    ShopPauses(fake_redis, keys).hold("beta", {"records": [{"key": "r1"}, {"key": "r2"}]})
    text = scrape(fake_redis, ["acme", "beta"])
    assert 'shopify_sync_records_synced_total{shop="acme"} 7.0' in text
    assert 'shopify_sync_records_dead_lettered_total{shop="acme"} 2.0' in text
    assert 'shopify_sync_records_retried_total{shop="acme"} 4.0' in text
    assert 'shopify_sync_backlog_queued{shop="acme"} 1.0' in text
    assert 'shopify_sync_backlog_booked{shop="acme"} 1.0' in text
    assert 'shopify_sync_bucket_available{shop="acme"} 2000.0' in text  # refilled since ts=1
    assert 'shopify_sync_bucket_capacity{shop="acme"} 2000.0' in text
    assert 'shopify_sync_bucket_available{shop="beta"} NaN' in text  # never used
    assert 'shopify_sync_shop_paused{shop="beta"} 1.0' in text
    assert 'shopify_sync_shop_paused{shop="acme"} 0.0' in text
    assert 'shopify_sync_records_held{shop="beta"} 2.0' in text
    assert 'shopify_sync_records_synced_total{shop="beta"} 0.0' in text


def test_a_batch_sent_back_to_wait_for_its_turn_is_counted_as_booked(fake_redis, monkeypatch):
    import time
    from pathlib import Path

    from settings import AppSettings, ShopConfig, ShopsConfig
    from worker import tasks
    from worker.runtime import WorkerRuntime, install_runtime

    shops = ShopsConfig(Path("shops.toml"), [ShopConfig(shop_name="acme", access_token="shpat_unit")])
    runtime = WorkerRuntime(AppSettings(key_prefix="t"), fake_redis, shops)
    sent = []
    monkeypatch.setattr(tasks, "enqueue_batch", lambda *args, **kwargs: sent.append(kwargs) or "task-2")
    install_runtime(runtime)
    try:
        start = time.time() + 120
        record = {"key": "r1", "payload": {"email": "ada@example.com"}}
        result = tasks.write_batch.apply(
            args=("acme", "s1", "customers", [record]), kwargs={"not_before": start}
        )
        assert result.get()["booked"] == 1 and sent[0]["not_before"] == start
        view = Backlog(fake_redis, Keys("t")).of("acme")
        assert view.booked == 1 and abs(view.booked_until - start) < 1
    finally:
        install_runtime(None)
        runtime.close()
