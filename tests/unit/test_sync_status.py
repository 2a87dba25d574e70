"""`shopify-sync status` and `GET /syncs/<id>` mid-run: only failed records are failed; readable times."""

import json
import time
import uuid

from typer.testing import CliRunner

from producers.cli import app
from producers.sync_status import ago, local_time, render_text, sync_status
from tests.unit.test_http_producer import Harness, call
from worker.contract.keys import Keys
from worker.contract.states import RecordState
from worker.contract.tracking import SyncTracker

STARTED = 1_760_000_000.0


def half_done(client, keys, sync_id="s1"):
    """600 records: 300 synced, 2 dead-lettered, 3 retrying, the rest still queued."""
    tracker = SyncTracker(client, keys)
    tracker.start(sync_id, shop="acme", resource="customers", total=600)
    client.hset(keys.sync_meta(sync_id), "started_at", str(STARTED))
    tracker.mark_many(sync_id, [(f"r{i}", RecordState.SYNCED, {}) for i in range(300)])
    for i in range(300, 302):
        tracker.mark(sync_id, f"r{i}", RecordState.DEAD_LETTERED)
    for i in range(302, 305):
        tracker.mark(sync_id, f"r{i}", RecordState.RETRYING)
    return tracker


def test_mid_run_only_dead_lettered_records_count_as_failed(fake_redis):
    status = sync_status(half_done(fake_redis, Keys("t")), "s1")
    assert status == {
        "sync_id": "s1",
        "shop": "acme",
        "resource": "customers",
        "started_at": "2025-10-09T08:53:20Z",
        "total": 600,
        "synced": 300,
        "dead_lettered": 2,
        "superseded": 0,
        "failed": 2,
        "paused": 0,
        "retrying": 3,
        "pending": 295,
        "retries": 0,
        "finished": False,
    }
    assert sync_status(SyncTracker(fake_redis, Keys("t")), "unknown") is None


def test_text_shows_the_start_local_and_relative():
    text = render_text(
        {"sync_id": "s1", "started_at": "2025-10-09T08:53:20Z", "failed": 0}, now=STARTED + 250
    )
    lines = text.splitlines()
    assert lines[0] == "       sync_id: s1"
    assert lines[1].startswith("    started_at: 2025-10-09 ") and lines[1].endswith("(4 min ago)")
    assert lines[2] == "        failed: 0"
    assert "1800000000" not in text


def test_relative_times():
    assert [ago(s) for s in (5, 125, 3 * 3600 + 300, 86400 * 3)] == [
        "5 s ago",
        "2 min ago",
        "3 h 5 min ago",
        "3 days ago",
    ]
    assert ago(-30) == "in 30 s"
    assert local_time("2025-10-09T08:53:20Z", STARTED).endswith("(0 s ago)")


def test_the_status_command_with_redis(real_redis, monkeypatch):
    from tests.conftest import TEST_REDIS_URL

    prefix = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("SHOPIFY_SYNC_KEY_PREFIX", prefix)
    try:
        half_done(real_redis, Keys(prefix), "cli-sync")
        answer = CliRunner().invoke(app, ["status", "cli-sync", "--json"])
        assert answer.exit_code == 0, answer.output
        data = json.loads(answer.output)
        assert (data["failed"], data["pending"], data["retrying"]) == (2, 295, 3)
        assert data["started_at"] == "2025-10-09T08:53:20Z"
        text = CliRunner().invoke(app, ["status", "cli-sync"]).output
        assert "        failed: 2" in text and "       pending: 295" in text and "ago)" in text
    finally:
        for key in real_redis.scan_iter(f"{prefix}:*"):
            real_redis.delete(key)


def test_the_http_status_endpoint_counts_the_same(fake_redis):
    harness = Harness(fake_redis)
    half_done(fake_redis, Keys("unit-http"), "nightly")
    status, body, _ = harness.run(lambda c: call(c, "GET", "/syncs/nightly"))
    assert status == 200
    assert (body["failed"], body["pending"], body["retrying"], body["synced"]) == (2, 295, 3, 300)
    assert body["started_at"] == "2025-10-09T08:53:20Z"


def test_shops_status_shows_the_backlog(real_redis, monkeypatch):
    from tests.conftest import TEST_REDIS_URL
    from worker.contract.backlog import Backlog
    from worker.contract.broker import queue_for

    prefix, shop = f"test-{uuid.uuid4().hex[:10]}", f"unit-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SHOPIFY_SYNC_REDIS_URL", TEST_REDIS_URL)
    monkeypatch.setenv("SHOPIFY_SYNC_KEY_PREFIX", prefix)
    try:
        real_redis.rpush(queue_for(shop), "m1", "m2")
        Backlog(real_redis, Keys(prefix)).booked(shop, "t1", time.time() + 300)
        answer = CliRunner().invoke(app, ["shops", "status", shop])
        assert answer.exit_code == 0, answer.output
        assert f"{shop}: backlog: 2 batch(es) queued, 1 booked for later (the last starts " in answer.output
        assert "(in 4 min)" in answer.output or "(in 5 min)" in answer.output
    finally:
        real_redis.delete(queue_for(shop))
        for key in real_redis.scan_iter(f"{prefix}:*"):
            real_redis.delete(key)
