"""A producer sends again the records of a task the broker lost (taken from its queue, never recorded)."""

from __future__ import annotations

import json

import fakeredis
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from producers.pipeline import RecordPipeline, Target
from producers.pipeline.recovery import LostTaskWatch, shop_holds_tasks
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.tracking import SyncCounts

SHOP = "acme"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client():
    return fakeredis.FakeRedis()


def unacked_entry(queue: str) -> bytes:
    return json.dumps([{"body": "...", "headers": {"id": "t1"}}, "", queue]).encode()


def test_a_shop_holds_tasks_while_one_is_queued_or_taken(client):
    assert not shop_holds_tasks(client, SHOP)
    client.hset("unacked", "tag-other", unacked_entry("shopify.globex"))
    assert not shop_holds_tasks(client, SHOP)
    client.hset("unacked", "tag-1", unacked_entry("shopify.acme"))  # taken (or a countdown task held)
    assert shop_holds_tasks(client, SHOP)
    client.delete("unacked")
    client.lpush("shopify.acme", b"{}")
    assert shop_holds_tasks(client, SHOP)


def test_nothing_is_concluded_while_redis_does_not_answer():
    down = redis.Redis(port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    assert shop_holds_tasks(down, SHOP)


def test_lost_only_after_quiet_counts_and_no_task_for_a_while(client):
    clock = Clock()
    watch = LostTaskWatch(client, SHOP, quiet_s=5, confirm_s=2, clock=clock)
    counts = SyncCounts(total=10, synced=4)
    assert not watch.lost(counts)
    clock.now += 4
    assert not watch.lost(SyncCounts(total=10, synced=6))  # moving: never lost
    clock.now += 5
    assert not watch.lost(SyncCounts(total=10, synced=6))  # quiet, no task: starts confirming
    clock.now += 1
    assert not watch.lost(SyncCounts(total=10, synced=6))
    clock.now += 1.5
    assert watch.lost(SyncCounts(total=10, synced=6))
    clock.now += 1
    assert not watch.lost(SyncCounts(total=10, synced=6))  # after sending again, it waits afresh


def test_not_lost_while_a_task_is_taken(client):
    clock = Clock()
    watch = LostTaskWatch(client, SHOP, quiet_s=5, confirm_s=2, clock=clock)
    client.hset("unacked", "tag-1", unacked_entry("shopify.acme"))  # e.g. a record waiting for its countdown
    for _ in range(10):
        assert not watch.lost(SyncCounts(total=10, synced=6))
        clock.now += 3


def test_a_waiting_pipeline_sends_again_only_unsettled_records(client):
    sent: list[tuple] = []
    # How each record's first delivery ends; r4's task is lost (no outcome). A second delivery syncs.
    first = {"r0": ("synced", {"gid": "gid://shopify/Customer/1"}), "r1": ("dead_lettered", {})}
    first |= {"r2": ("retrying", {}), "r3": ("paused", {}), "r4": None}

    def enqueue(shop, sync_id, resource, records):
        sent.append((shop, sync_id, resource, [r["key"] for r in records]))
        for record in records:
            outcome = first.pop(record["key"]) if record["key"] in first else ("synced", {})
            if outcome:
                pipeline.tracker.mark(sync_id, record["key"], outcome[0], **outcome[1])
        return f"task-{len(sent)}"

    pipeline = RecordPipeline(client, Keys("t"), batch_size=3, enqueue=enqueue, recover_lost=True)
    records = [RecordEnvelope(key=f"r{i}", payload={}) for i in range(5)]
    pipeline.submit(Target(SHOP, "customers", "s1"), records)
    watch = LostTaskWatch(client, SHOP, quiet_s=0.05, confirm_s=0.02)

    settled = pipeline.wait("s1", timeout_s=5, poll_s=0.01, lost_watch=watch)

    assert sent == [
        (SHOP, "s1", "customers", ["r0", "r1", "r2"]),
        (SHOP, "s1", "customers", ["r3", "r4"]),
        (SHOP, "s1", "customers", ["r2"]),  # retrying and pending records only, batch by batch
        (SHOP, "s1", "customers", ["r4"]),
    ]
    assert settled.done and settled.counts.synced == 3
