"""Crash safety with real processes: a worker SIGKILLed or SIGTERMed mid-batch, and a Redis restart mid-run.

Each test runs three producers (``shopify-sync sync`` processes: products, customers, orders) against a
simulator that answers slowly enough for batches to be in flight, does something to a worker or to Redis,
and then checks record by record that every record ended exactly once, synced or dead-lettered, and that
the shop holds every synced object once (customers by email, products by handle, orders by source id)
under the gid the worker reported.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import pytest
import redis

from benchmarks.harness import (
    RedisServer,
    SimulatorControl,
    SyncProcess,
    WorkerProcess,
    sync_command,
    write_jsonl,
)
from benchmarks.verify import check_records, check_store
from simulator.config import FaultConfig
from tests.conftest import TEST_REDIS_URL
from tests.integration.conftest import wait_until
from tests.integration.test_pipeline import TAKEN_PHONE
from worker.contract.broker import queue_for
from worker.contract.deadletters import DeadLetterStore
from worker.contract.keys import Keys
from worker.contract.tracking import SyncTracker

pytestmark = pytest.mark.integration

MAPPINGS = {
    "customers": [
        {"mapping_type": "standard", "from": "email", "to": "email"},
        {"mapping_type": "standard", "from": "phone", "to": "phone"},
        {"mapping_type": "standard", "from": "first", "to": "firstName"},
    ],
    "products": [
        {"mapping_type": "standard", "from": "handle", "to": "handle"},
        {"mapping_type": "standard", "from": "title", "to": "title"},
        {"mapping_type": "standard", "from": "sku", "to": "variants[].sku"},
        {"mapping_type": "standard", "from": "price", "to": "variants[].price"},
    ],
    "orders": [  # custom line items: the orders need no product from this run
        {"mapping_type": "standard", "from": "email", "to": "email"},
        {"mapping_type": "standard", "from": "item", "to": "lineItems[].title"},
        {"mapping_type": "standard", "from": "price", "to": "lineItems[].price"},
        {"mapping_type": "standard", "from": "qty", "to": "lineItems[].quantity"},
    ],
}
PRIMARY_KEYS = {"customers": "id", "products": None, "orders": "order_id"}
IDENTITY = {"customers": "email", "products": "handle", "orders": "sourceIdentifier"}
# Settings that let a worker's unacknowledged tasks come back within seconds after it is SIGKILLed.
SHORT_VISIBILITY = {"SHOPIFY_SYNC_BROKER_VISIBILITY_TIMEOUT_S": "12", "SHOPIFY_SYNC_MAX_INLINE_WAIT_S": "1"}


def rows(resource: str, count: int) -> list[dict]:
    if resource == "customers":
        return [
            {"id": f"c{i}", "email": f"crash{i}@example.com", "phone": f"+1415666{i:04d}", "first": "Ada"}
            for i in range(count)
        ]
    if resource == "products":
        return [
            {"handle": f"crash-{i}", "title": f"Crash {i}", "sku": f"CR-{i}", "price": "9.50"}
            for i in range(count)
        ]
    return [
        {
            "order_id": f"SO-{i}",
            "email": f"buyer{i}@example.com",
            "item": "Gift card",
            "price": "10",
            "qty": "1",
        }
        for i in range(count)
    ]


@dataclass
class Run:
    """Syncs of one shop: their expected record keys, and the identity each record's object must have."""

    deployment: object
    shop: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    keys: dict[str, list[str]] = field(default_factory=dict)
    identity_of: dict[str, dict[str, str]] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)
    producers: list[SyncProcess] = field(default_factory=list)

    def sync_id(self, resource: str) -> str:
        return f"crash-{self.run_id}-{resource}"

    def prepare(self, sizes: dict[str, int]) -> None:
        """Write rows; a few customers are invalid (bad email: refused before any request; a phone another
        customer holds: refused by Shopify), so dead letters are part of every check."""
        for resource, count in sizes.items():
            data = rows(resource, count)
            if resource == "customers":
                data[5]["email"] = "not-an-email"
                data[17]["phone"] = data[29]["phone"] = TAKEN_PHONE
                self.invalid |= {"c5", "c17", "c29"}
            key = PRIMARY_KEYS[resource]
            keys = [r[key] for r in data] if key else [f"handle:{r['handle']}" for r in data]
            self.keys[resource] = keys
            self.identity_of[resource] = {
                k: (r["email"] if resource == "customers" else r.get("handle") or r.get("order_id"))
                for k, r in zip(keys, data, strict=True)
            }
            tmp = self.deployment.tmp
            write_jsonl(tmp / f"{resource}.jsonl", data)
            (tmp / f"{resource}.mapping.json").write_text(json.dumps(MAPPINGS[resource]), encoding="utf-8")

    def start_producer(self, resource: str, tag: str = "") -> SyncProcess:
        tmp = self.deployment.tmp
        command = sync_command(
            shops_file=self.deployment.shops_file,
            shop=self.shop,
            resource=resource,
            mapping=tmp / f"{resource}.mapping.json",
            rows=tmp / f"{resource}.jsonl",
            sync_id=self.sync_id(resource) + tag,
            primary_key=PRIMARY_KEYS[resource],
            timeout_s=120,
        )
        producer = SyncProcess(command, self.deployment.env, tmp / f"producer-{resource}{tag}.log").start()
        self.producers.append(producer)
        return producer

    def start(self) -> None:
        for resource in self.keys:
            self.start_producer(resource)

    @property
    def total(self) -> int:
        return sum(len(k) for k in self.keys.values())

    def settled(self, client: redis.Redis) -> int:
        tracker = SyncTracker(client, Keys(self.deployment.prefix))
        counts = [tracker.counts(self.sync_id(r)) for r in self.keys]
        return sum(c.synced + c.dead_lettered for c in counts)

    def finish(self) -> list[tuple[int, dict]]:
        results = [p.result(timeout_s=180) for p in self.producers]
        for code, report in results:
            assert report, f"a producer printed no report (exit {code}); see {self.deployment.tmp}"
        return results

    def check(self, client: redis.Redis) -> None:
        """Record by record, then object by object in the simulator."""
        keys = Keys(self.deployment.prefix)
        tracker, letters = SyncTracker(client, keys), DeadLetterStore(client, keys)
        control = SimulatorControl(self.deployment.sim.base_url)
        for resource, expected in self.keys.items():
            records = check_records(tracker, letters, self.sync_id(resource), expected)
            assert records.ok, (resource, records)
            assert records.records == len(expected)
            assert records.synced + records.dead_lettered == len(expected)
            assert {k for k in expected if k not in records.gids} == (
                self.invalid if resource == "customers" else set()
            )
            store = check_store(
                control.objects(self.shop, resource),
                IDENTITY[resource],
                records.gids,
                self.identity_of[resource],
                allowed_extra=["owner@example.com"] if resource == "customers" else [],
            )
            assert store.ok, (resource, store)


def in_flight(client: redis.Redis, shop: str) -> int:
    """Messages of the shop's queue taken by a worker and not acknowledged (kombu's ``unacked`` hash)."""
    return sum(1 for raw in client.hvals("unacked") if json.loads(raw)[2] == queue_for(shop))


def new_run(deployment, sizes, latency_ms=60) -> Run:
    shop = deployment.add_shop()
    SimulatorControl(deployment.sim.base_url).seed_customer(
        shop, deployment.shops[shop], "owner@example.com", TAKEN_PHONE
    )
    deployment.sim.state.faults = FaultConfig(latency_ms=latency_ms, latency_jitter_ms=latency_ms)
    run = Run(deployment, shop)
    run.prepare(sizes)
    return run


def start_worker(deployment, tag: str, concurrency: int = 2) -> WorkerProcess:
    worker = WorkerProcess(
        list(deployment.shops),
        deployment.env,
        deployment.tmp / f"worker-{tag}.log",
        concurrency=concurrency,
        name=f"{deployment.prefix}-{tag}@%h",
    ).start()
    deployment.workers.append(worker.process)  # stopped with the deployment
    assert worker.wait_ready(), (deployment.tmp / f"worker-{tag}.log").read_text()
    return worker


def wait_for_progress(run: Run, client: redis.Redis, share: float) -> int:
    assert wait_until(lambda: run.settled(client) >= share * run.total, timeout=60, interval=0.05)
    return run.settled(client)


@pytest.fixture(autouse=True)
def _no_faults_afterwards(simulator):
    """The simulator is shared by the session's integration tests: leave it without latency."""
    yield
    simulator.state.faults = FaultConfig()


@pytest.fixture
def client():
    c = redis.Redis.from_url(TEST_REDIS_URL)
    yield c
    c.close()


@pytest.mark.parametrize("target", ["pool_child", "whole_worker"])
def test_sigkill_mid_batch_loses_and_duplicates_nothing(deployment, client, target):
    deployment.extra_env.update(SHORT_VISIBILITY)
    run = new_run(deployment, {"products": 60, "customers": 150, "orders": 90})
    worker = start_worker(deployment, "a")
    run.start()

    settled_at_kill = wait_for_progress(run, client, 0.3)
    held = in_flight(client, run.shop)
    if target == "pool_child":
        victim = worker.kill_child()
        assert victim is not None
    else:
        worker.kill()
        start_worker(deployment, "b")  # a supervisor would restart it
    assert held > 0 and settled_at_kill < run.total, "the kill must hit batches in flight"

    for code, report in run.finish():
        assert report["failed"] == 0 and report["paused"] == 0, report
    if target == "pool_child":
        assert worker.alive  # the worker replaced its pool process and went on
    run.check(client)


def test_sigterm_mid_batch_finishes_or_gives_back_its_work(deployment, client):
    # Default visibility timeout (an hour): nothing may be left waiting for it after a warm shutdown.
    run = new_run(deployment, {"products": 60, "customers": 150, "orders": 90})
    worker = start_worker(deployment, "a")
    run.start()

    wait_for_progress(run, client, 0.3)
    assert in_flight(client, run.shop) > 0
    started = time.monotonic()
    code = worker.terminate(timeout_s=60)
    assert code == 0, "warm shutdown must end cleanly"
    assert time.monotonic() - started < 30
    assert in_flight(client, run.shop) == 0, "every message the worker held was acknowledged or given back"
    assert run.settled(client) < run.total, "work was left for the next worker"

    start_worker(deployment, "b")
    for code, report in run.finish():
        assert report["failed"] == 0 and report["paused"] == 0, report
    run.check(client)


def test_redis_restart_mid_run_producers_and_workers_reconnect(deployment, client, tmp_path):
    with RedisServer(tmp_path / "redis-aof") as server:  # its own redis-server, append-only file on
        deployment.extra_env.update(SHORT_VISIBILITY, SHOPIFY_SYNC_REDIS_URL=server.url)
        own = server.client()
        run = new_run(deployment, {"products": 60, "customers": 150, "orders": 90}, latency_ms=80)
        worker = start_worker(deployment, "a")
        pid = worker.pid
        run.start()

        before = wait_for_progress(run, own, 0.3)
        server.stop()
        late = run.start_producer("customers", tag="-late")  # a producer started while Redis is down
        time.sleep(2.0)
        server.start()
        restarted = time.monotonic()
        own = server.client()

        assert run.settled(own) >= before, "the append-only file kept what was settled before the restart"
        for code, report in run.finish():
            assert report["failed"] == 0 and report["paused"] == 0, report
        # The batches that were running come back as soon as Redis answers, not after kombu's sweep for
        # messages left unacknowledged (every 100 s by default).
        assert time.monotonic() - restarted < 60
        assert worker.alive and worker.pid == pid, "the same worker process reconnected and went on"
        run.check(own)
        # The late producer's sync (the same customers again) was written by that worker after the restart.
        late_counts = SyncTracker(own, Keys(deployment.prefix)).counts(run.sync_id("customers") + "-late")
        assert (
            late_counts.synced + late_counts.dead_lettered == late_counts.total == len(run.keys["customers"])
        )
        assert late.process is not None and late.process.returncode == 1  # 3 invalid customers, as before
        deployment.stop()  # before this Redis goes away
