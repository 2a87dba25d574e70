"""A producer sends again the records of a task the broker lost (taken from its queue, never recorded)."""

from __future__ import annotations

import json

import fakeredis
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from producers import sync
from producers.recovery import LostTaskWatch, SentBatches, shop_holds_tasks
from producers.sync import SyncRunner
from worker.keys import Keys
from worker.tracking import SyncCounts, SyncTracker

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


def test_send_again_enqueues_only_unsettled_records(client, monkeypatch):
    sent_now: list[tuple] = []
    monkeypatch.setattr(sync, "enqueue_batch", lambda *args, **kw: sent_now.append(args))
    keys = Keys("t")
    tracker = SyncTracker(client, keys)
    tracker.start("s1", shop=SHOP, resource="customers", total=5)
    tracker.mark("s1", "r0", "synced", gid="gid://shopify/Customer/1")
    tracker.mark("s1", "r1", "dead_lettered")
    tracker.mark("s1", "r2", "retrying")
    tracker.mark("s1", "r3", "paused")
    records = [{"key": f"r{i}", "payload": {}, "source": {}} for i in range(5)]
    runner = SyncRunner(client, keys, batch_size=50, recover_lost=True)

    runner._send_again("s1", SentBatches(SHOP, "customers", [records[:3], records[3:]]))

    assert [(args[0], args[1], args[2], [r["key"] for r in args[3]]) for args in sent_now] == [
        (SHOP, "s1", "customers", ["r2"]),
        (SHOP, "s1", "customers", ["r4"]),
    ]
