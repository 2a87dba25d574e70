"""Which submissions take the bulk path: the sync's switch, the threshold on records waiting for the shop."""

from __future__ import annotations

from producers.pipeline import BulkRouting, RecordPipeline, Target
from worker.contract.broker import queue_for
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys


def test_the_switch_wins_and_orders_never_go_bulk(fake_redis):
    routing = BulkRouting(threshold_records=0)
    assert routing.choose(fake_redis, Target("s", "products", "a"), 10, True)
    assert not routing.choose(fake_redis, Target("s", "products", "b"), 10**6, None)  # no threshold
    assert not routing.choose(fake_redis, Target("s", "products", "c"), 10**6, False)
    assert not routing.choose(fake_redis, Target("s", "orders", "d"), 10**6, True)


def test_the_threshold_counts_the_records_queued_for_the_shop_and_sticks(fake_redis):
    routing = BulkRouting(threshold_records=1000, batch_size=100)
    target = Target("s", "customers", "sync-1")
    assert not routing.choose(fake_redis, target, 500, None)
    fake_redis.rpush(queue_for("s"), *[b"task"] * 5)  # 5 batches of 100 waiting
    assert routing.choose(fake_redis, target, 500, None)
    fake_redis.delete(queue_for("s"))
    assert routing.choose(fake_redis, target, 1, None)  # the sync went bulk: it stays there
    routing.forget("sync-1")
    assert not routing.choose(fake_redis, target, 1, None)


def test_a_bulk_submission_sends_whole_files_to_the_bulk_task(fake_redis):
    sent: dict[str, list[int]] = {"batch": [], "bulk": []}
    pipeline = RecordPipeline(
        fake_redis,
        Keys("t"),
        batch_size=100,
        enqueue=lambda shop, sync, resource, records: sent["batch"].append(len(records)),
        bulk=BulkRouting(threshold_records=0, records_per_operation=400),
        bulk_enqueue=lambda shop, sync, resource, records: sent["bulk"].append(len(records)),
    )
    records = [RecordEnvelope(key=f"r{i}", payload={"handle": f"h{i}"}) for i in range(1000)]
    pipeline.submit(Target("s", "products", "x"), records, bulk=True)
    pipeline.submit(Target("s", "products", "y"), records[:250])
    assert sent == {"bulk": [400, 400, 200], "batch": [100, 100, 50]}
